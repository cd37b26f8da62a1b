from django import forms
from django.utils.translation import gettext_lazy as _


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class EndlineForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput)


class StudyForm(forms.Form):
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    baseline = forms.TypedChoiceField(label=_("Baseline survey"), coerce=int)

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline"].choices = [(s.pk, s.title) for s in surveys]
