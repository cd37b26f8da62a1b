"""Forms for membership pages. They parse and check input; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sopeli.accounts.models import phone_validator
from sopeli.core.models import Settlement
from sopeli.membership.models import Body, BodyKind, InterestGroup, Member, MemberKind, SeatRole
from sopeli.membership.services import EDITABLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LagChoicesMixin:
    """Limit interest groups and villages to the LAG's own: another LAG's id is 'not a valid choice'."""

    def _limit_to_lag(self, lag):
        if "interest_group" in self.fields:
            self.fields["interest_group"].queryset = InterestGroup.objects.filter(lag=lag).order_by("name", "pk")
            self.fields["interest_group"].empty_label = _("— choose —")
        if "village" in self.fields:
            self.fields["village"].queryset = Settlement.objects.filter(lag=lag).order_by("-is_centre", "name")
            self.fields["village"].empty_label = _("— choose —")


# Labels are written out: Django would otherwise capitalise the model's verbose names with
# ``capfirst``, which turns the first Georgian letter into Mtavruli.
MEMBER_LABELS = {
    "kind": _("Member is"),
    "name": _("Name"),
    "representative": _("Representative"),
    "organisation_type": _("Type"),
    "sector": _("Sector"),
    "interest_group": _("Interest group"),
    "gender": _("Gender"),
    "village": _("Village"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "id_number": _("Personal or registration number"),
    "address": _("Address"),
    "motivation": _("Why do you want to join?"),
}


class MemberFieldsForm(LagChoicesMixin, forms.ModelForm):
    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_to_lag(lag)
        for name in ("organisation_type", "sector", "gender"):
            if name in self.fields:
                self.fields[name].choices = [("", _("— choose —")), *Member._meta.get_field(name).choices]
        self.fields["kind"].widget = forms.RadioSelect(choices=MemberKind.choices)
        self.fields["representative"].help_text = _("For an organisation: the person who acts for it.")
        if "phone" in self.fields:
            self.fields["phone"].validators.append(phone_validator)
            self.fields["phone"].widget.input_type = "tel"
        for name in ("phone", "id_number", "address"):
            if name in self.fields:
                self.fields[name].help_text = _("Private: only the LAG's manager sees it. Optional.")
        if "email" in self.fields:
            self.fields["email"].help_text = _("Private: used only to write to you about your membership.")

    def clean(self):
        data = super().clean()
        if data.get("kind") == MemberKind.ORGANISATION and not (data.get("representative") or "").strip():
            self.add_error("representative", _("An organisation needs a representative: enter the person who acts for it."))
        return data

    def _post_clean(self):
        # The services validate the whole member (and the LAG it belongs to); skip the model's
        # full_clean here, which would need the LAG and status the form does not carry.
        pass


class JoinForm(MemberFieldsForm):
    consent = forms.BooleanField(
        label=_("I agree that the LAG keeps these details to run my membership."),
        help_text=_("Once you are a member, your name, type, sector, interest group and village are shown on the public list of members. Phone, ID number, address and e-mail are never published."),
    )

    class Meta:
        model = Member
        fields = (
            "kind", "name", "representative", "organisation_type", "sector", "interest_group", "gender", "village",
            "email", "phone", "id_number", "address", "motivation",
        )
        labels = MEMBER_LABELS


class MemberEditForm(MemberFieldsForm):
    class Meta:
        model = Member
        fields = EDITABLE_FIELDS
        labels = MEMBER_LABELS


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant receives it by e-mail."),
        error_messages={"required": _("Give the reason for the rejection: the applicant receives it.")},
    )


class ResignForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OwnResignForm(ResignForm):
    confirm = forms.BooleanField(
        label=_("Yes, I want to end my membership. My seats on the LAG's bodies end today."),
        error_messages={"required": _("Tick the box to confirm that you want to end your membership.")},
    )


class InterestGroupForm(forms.ModelForm):
    class Meta:
        model = InterestGroup
        fields = ("code", "name_ka", "name_en")
        labels = {"code": _("Code"), "name_ka": _("Name in Georgian"), "name_en": _("Name in English")}
        help_texts = {"code": _("Short, in Latin letters, such as tourism. It cannot change later.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True

    def _post_clean(self):
        pass  # the service checks the code is unique within the LAG


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ("kind", "name_ka", "name_en", "description_ka", "description_en", "quorum_percent", "all_members_sit")
        labels = {
            "kind": _("Kind"),
            # xgettext:no-python-format
            "quorum_percent": _("Quorum (more than % of seats)"),
            "all_members_sit": _("All active members sit on it"),
            "name_ka": _("Name in Georgian"), "name_en": _("Name in English"),
            "description_ka": _("Description in Georgian"), "description_en": _("Description in English"),
        }
        help_texts = {
            "quorum_percent": _("More than this share of the seats must take part for a decision; 50 means more than half."),
            "all_members_sit": _("Tick for the general assembly: every active member sits on it, without seats."),
        }
        widgets = {"description_ka": forms.Textarea(attrs={"rows": 3}), "description_en": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quorum_percent"].min_value = 0
        self.fields["quorum_percent"].max_value = 99
        self.fields["quorum_percent"].widget.attrs.update({"min": 0, "max": 99})
        self.fields["kind"].choices = BodyKind.choices
        if not self.instance.pk:
            self.fields["kind"].initial = BodyKind.WORKING_GROUP

    def clean_quorum_percent(self):
        value = self.cleaned_data.get("quorum_percent")
        if value is None or not 0 <= value <= 99:
            raise forms.ValidationError(_("The quorum is a percentage from 0 to 99: more than that share of the seats must take part."))
        return value

    def _post_clean(self):
        pass  # the service checks names, quorum and seats


class TermMixin:
    def _check_term(self, start_field: str, end_field: str):
        start, end = self.cleaned_data.get(start_field), self.cleaned_data.get(end_field)
        if start and end and end < start:
            self.add_error(end_field, _("The term cannot end before it starts."))


class SeatForm(TermMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none(), empty_label=_("— choose —"))
    role = forms.ChoiceField(label=_("Role"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    starts_on = forms.DateField(label=_("Term starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("Term ends (optional)"), required=False, widget=DateInput(),
                              help_text=_("The last day of the term is included."))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        self._check_term("starts_on", "ends_on")
        return data


class SeatEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day of the term"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].initial = timezone.localdate()


class ElectionForm(TermMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    elected = forms.ModelMultipleChoiceField(
        label=_("Elected members"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one elected member.")},
    )
    chair = forms.ModelChoiceField(label=_("Chair (optional)"), queryset=Member.objects.none(), required=False,
                                   empty_label=_("— none —"))
    term_starts = forms.DateField(label=_("Term starts (optional)"), required=False, widget=DateInput(),
                                  help_text=_("Leave empty to start on the day of the election."))
    term_ends = forms.DateField(label=_("Term ends (optional)"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elected"].queryset = members
        self.fields["chair"].queryset = members

    def clean(self):
        data = super().clean()
        start = data.get("term_starts") or data.get("held_on")
        end = data.get("term_ends")
        if start and end and end < start:
            self.add_error("term_ends", _("The term cannot end before it starts."))
        chair, elected = data.get("chair"), data.get("elected")
        if chair is not None and elected is not None and chair not in elected:
            self.add_error("chair", _("The chair must be one of the elected members."))
        return data


class MemberFilterForm(forms.Form):
    """Public list filters (GET). Choices come from lists already loaded: no query per field."""

    sector = forms.ChoiceField(label=_("Sector"), required=False)
    group = forms.TypedChoiceField(label=_("Interest group"), required=False, coerce=int, empty_value=None)
    village = forms.TypedChoiceField(label=_("Village"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, groups, villages, **kwargs):
        from sopeli.membership.models import Sector

        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("all")), *Sector.choices]
        self.fields["group"].choices = [("", _("all"))] + [(str(g.pk), g.name) for g in groups]
        self.fields["village"].choices = [("", _("all"))] + [(str(v.pk), v.name) for v in villages]


class RegisterFilterForm(forms.Form):
    """The manager's register filters (GET)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Name or e-mail"), required=False, widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, **kwargs):
        from sopeli.membership.models import MemberStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all")), *MemberStatus.choices]
