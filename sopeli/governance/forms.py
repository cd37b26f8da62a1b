"""Plain HTML forms for meetings, items, conflicts, votes and written procedures (no JavaScript needed)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sopeli.governance.models import Choice, ItemStatus, RecusalKind
from sopeli.membership.models import Body


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(
        label=label, widget=LocalDateTimeInput(), help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": _("Enter a date and time, e.g. 2026-06-10 17:30.")},
    )


class MeetingForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none(),
                                  error_messages={"invalid_choice": _("Choose one of this LAG's bodies.")})
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    starts_at = _datetime_field(_("Date and time (Tbilisi time)"))
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(lag=lag)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("Number"), max_length=20, help_text=_("e.g. A-07"))
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description_ka = forms.CharField(label=_("Description (Georgian)"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False)
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False)
    is_selection = forms.BooleanField(
        label=_("Selection decision (selecting projects)"), required=False,
        help_text=_("At least half of the votes must then come from non-public partners."),
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Attendance lists only the members who sit on the body.")},
    )

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(m.pk, m.name) for m in seats]


class ConflictForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int,
                                    error_messages={"invalid_choice": _("Choose a member who sits on the body.")})
    kind = forms.ChoiceField(label=_("Why they step out"), choices=RecusalKind.choices, initial=RecusalKind.CONFLICT)
    reason = forms.CharField(label=_("Reason (for the minutes)"), max_length=300)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]


class RollCallForm(forms.Form):
    """One choice per member taking part; an empty choice means they took part without voting."""

    def __init__(self, *args, participants, votes=None, **kwargs):
        super().__init__(*args, **kwargs)
        votes = votes or {}
        self.participants = participants
        for m in participants:
            self.fields[f"vote_{m.pk}"] = forms.ChoiceField(
                label=m.name, required=False, initial=votes.get(m.pk, ""),
                choices=[("", _("did not vote")), *Choice.choices],
            )

    def votes(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"vote_{m.pk}") or "" for m in self.participants}

    def rows(self):
        return [(m, self[f"vote_{m.pk}"]) for m in self.participants]


class HandsForm(forms.Form):
    for_ = forms.IntegerField(label=_("For"), min_value=0, max_value=10000)
    against = forms.IntegerField(label=_("Against"), min_value=0, max_value=10000)
    abstain = forms.IntegerField(label=_("Abstaining"), min_value=0, max_value=10000)


class ProcedureForm(forms.Form):
    origin = forms.ModelChoiceField(
        label=_("Continues the blocked item"), required=False, queryset=None,
        error_messages={"invalid_choice": _("Only a blocked item can continue in a written procedure.")},
    )
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none(), required=False,
                                  error_messages={"invalid_choice": _("Choose one of this LAG's bodies.")})
    code = forms.CharField(label=_("Number"), max_length=20, required=False)
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description_ka = forms.CharField(label=_("Description (Georgian)"), widget=forms.Textarea(attrs={"rows": 3}),
                                     required=False)
    is_selection = forms.BooleanField(label=_("Selection decision (selecting projects)"), required=False)
    closes_at = _datetime_field(_("Voting closes (Tbilisi time)"),
                                _("Votes are accepted until this minute, checked by the server clock."))

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        from sopeli.governance.models import AgendaItem

        self.fields["body"].queryset = Body.objects.filter(lag=lag)
        self.fields["origin"].queryset = AgendaItem.objects.filter(lag=lag, status=ItemStatus.BLOCKED)
        if not self.is_bound:
            self.initial.setdefault(
                "closes_at", (timezone.localtime() + dt.timedelta(days=3)).replace(hour=18, minute=0, second=0,
                                                                                   microsecond=0))

    def clean(self):
        data = super().clean()
        if not data.get("origin"):
            if not data.get("body"):
                self.add_error("body", _("Choose the body that votes."))
            if not data.get("code"):
                self.add_error("code", _("Give the item a number."))
            if not data.get("title_ka"):
                self.add_error("title_ka", _("Give the item a title in Georgian."))
        return data


class MinutesForm(forms.Form):
    notes = forms.CharField(label=_("Notes for the minutes"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(choices=Choice.choices,
                               error_messages={"invalid_choice": _("A vote is for, against or abstain."),
                                               "required": _("A vote is for, against or abstain.")})


class OwnConflictForm(forms.Form):
    reason = forms.CharField(label=_("Your link to this item"), max_length=300,
                             error_messages={"required": _("Say briefly what links you to this item.")})
