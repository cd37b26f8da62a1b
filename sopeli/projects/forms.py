"""Forms of the projects pages. Amount fields are plain text so the services give the clear message
(negative, too many decimals, above the grant) instead of a browser or form error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sopeli.projects.models import AgeBand, Gender


class DateInput(forms.DateInput):
    input_type = "date"


class TemplateForm(forms.Form):
    body_ka = forms.CharField(label=_("Contract text (Georgian)"), widget=forms.Textarea(attrs={"rows": 14}))
    body_en = forms.CharField(label=_("Contract text (English)"), widget=forms.Textarea(attrs={"rows": 14}))
    obligations_ka = forms.CharField(label=_("Obligations (Georgian)"), widget=forms.Textarea, required=False)
    obligations_en = forms.CharField(label=_("Obligations (English)"), widget=forms.Textarea, required=False)


class GenerateForm(forms.Form):
    starts_on = forms.DateField(label=_("Project start"), widget=DateInput)
    ends_on = forms.DateField(label=_("Project end"), widget=DateInput)
    tranches = forms.CharField(label=_("Tranches (%)"), initial="40/50/10",
                               help_text=_("Shares of the grant separated by /, adding up to 100; e.g. 40/50/10."))

    def clean_tranches(self):
        from decimal import Decimal, InvalidOperation

        raw = self.cleaned_data["tranches"]
        try:
            values = [Decimal(p.strip()) for p in raw.split("/") if p.strip()]
        except InvalidOperation:
            raise forms.ValidationError(_("Write the shares as numbers separated by /, e.g. 40/50/10.")) from None
        if not values or any(v <= 0 for v in values) or sum(values) != 100:
            raise forms.ValidationError(_("The shares must be positive and add up to 100."))
        if len(values) > 6:
            raise forms.ValidationError(_("At most six tranches."))
        return values


class CheckForm(forms.Form):
    eligible = forms.TypedChoiceField(label=_("Final eligibility check"), coerce=lambda v: v == "yes",
                                      choices=[("yes", _("eligible: the contract may be signed")), ("no", _("not eligible"))],
                                      widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (required if not eligible)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SignForm(forms.Form):
    grantee_on = forms.DateField(label=_("Signed by the grantee on"), widget=DateInput)
    lag_on = forms.DateField(label=_("Signed for the LAG on"), widget=DateInput)
    scan = forms.FileField(label=_("Scan of the signed contract (PDF, JPG, PNG)"), required=False)


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    grant = forms.CharField(label=_("New grant (GEL)"), required=False)
    starts_on = forms.DateField(label=_("New start"), widget=DateInput, required=False)
    ends_on = forms.DateField(label=_("New end"), widget=DateInput, required=False)
    budget_lines = forms.CharField(
        label=_("New budget lines"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only if the budget changes: one line per item, the amount after a semicolon, e.g. Roof; 12000.00"))

    def clean_budget_lines(self):
        raw = self.cleaned_data["budget_lines"].strip()
        if not raw:
            return None
        lines = []
        for row in raw.splitlines():
            if not row.strip():
                continue
            if ";" not in row:
                raise forms.ValidationError(_("Write each line as: item; amount"))
            description, amount = row.rsplit(";", 1)
            lines.append((description.strip(), amount.strip()))
        return lines


class PaymentForm(forms.Form):
    tranche = forms.TypedChoiceField(label=_("Tranche"), coerce=int)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    amount = forms.CharField(label=_("Amount (GEL)"))
    reference = forms.CharField(label=_("Bank reference"), max_length=100)

    def __init__(self, *args, tranches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].choices = [(t.pk, f"{t.number}: {t.get_condition_display()}") for t in tranches]


class RecoveryForm(forms.Form):
    recovery = forms.IntegerField(widget=forms.HiddenInput)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    reference = forms.CharField(label=_("Bank reference"), max_length=100)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("approve")), ("changes", _("ask for changes"))])
    note = forms.CharField(label=_("Note to the grantee"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photo = forms.FileField(label=_("Photo (JPG, PNG)"), required=False)


class StoryForm(forms.Form):
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_ka = forms.CharField(label=_("Story (Georgian)"), widget=forms.Textarea)
    body_en = forms.CharField(label=_("Story (English)"), widget=forms.Textarea, required=False)
    photo = forms.FileField(label=_("Photo (JPG, PNG)"), required=False)
    publish = forms.BooleanField(label=_("Published on the LAG's projects page"), required=False)


GENDER_CHOICES = [("", _("all"))] + list(Gender.choices)
AGE_CHOICES = [("", _("all"))] + list(AgeBand.choices)
