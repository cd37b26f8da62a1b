"""Forms for training pages. They parse and check input; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sopeli.core.models import Settlement
from sopeli.trainings.models import AgeBand, Gender, TargetGroup, TrainingStatus

RATING_CHOICES = [(1, _("1 — poor")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 — excellent"))]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _local_dt_field(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


def _villages(lag):
    return Settlement.objects.filter(lag=lag).order_by("-is_centre", "name")


class TrainingForm(forms.Form):
    """Times are typed in the LAG's time zone (Asia/Tbilisi) and stored in UTC."""

    topic_ka = forms.CharField(label=_("Topic (Georgian)"), max_length=200)
    topic_en = forms.CharField(label=_("Topic (English)"), max_length=200, required=False)
    description_ka = forms.CharField(label=_("Description (Georgian)"), widget=forms.Textarea, required=False)
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea, required=False)
    target_group = forms.ChoiceField(label=_("For whom"), choices=TargetGroup.choices)
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    starts_at = _local_dt_field(_("Starts"))
    ends_at = _local_dt_field(_("Ends"))
    registration_deadline = _local_dt_field(_("Registration closes"), required=False,
                                            help_text=_("Leave empty to accept registrations until the training starts."))
    online = forms.BooleanField(label=_("Online training"), required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Settlement.objects.none(), required=False,
                                     help_text=_("Where the training takes place (not needed for an online training)."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False,
                              help_text=_("Building and room, e.g. the community centre, 2nd floor."))
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https",
                                help_text=_("Shown only to people registered for the training."))
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000)

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(lag)
        self.fields["village"].empty_label = _("— choose —")

    @classmethod
    def initial_from(cls, training) -> dict:
        def local(dt):
            return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M") if dt else ""

        return {
            "topic_ka": training.topic_ka, "topic_en": training.topic_en, "description_ka": training.description_ka,
            "description_en": training.description_en, "target_group": training.target_group, "trainer": training.trainer,
            "starts_at": local(training.starts_at), "ends_at": local(training.ends_at),
            "registration_deadline": local(training.registration_deadline), "online": training.online,
            "village": training.village_id, "address": training.address, "online_url": training.online_url,
            "capacity": training.capacity,
        }


class PersonForm(forms.Form):
    """Who takes part: the figures for monitoring need village, gender and age group."""

    full_name = forms.CharField(label=_("Name"), max_length=150)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Settlement.objects.none(), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("— choose —"))] + Gender.choices)
    age_band = forms.ChoiceField(label=_("Age"), choices=[("", _("— choose —"))] + AgeBand.choices)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False,
                            help_text=_("Private: only the LAG's staff see it, to call you if the training changes."),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _villages(lag)
        self.fields["village"].empty_label = _("another place / outside the territory")
        self.fields["gender"].help_text = _("Asked for the LAG's participation figures; never published with your name.")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in (TrainingStatus.OPEN, TrainingStatus.PLANNED, TrainingStatus.CANCELLED)],
                               error_messages={"invalid_choice": _("Choose a valid action.")})


class FeedbackForm(forms.Form):
    usefulness = forms.TypedChoiceField(label=_("How useful was the training for you?"), choices=RATING_CHOICES,
                                        coerce=int, widget=forms.RadioSelect)
    trainer = forms.TypedChoiceField(label=_("How good was the trainer?"), choices=RATING_CHOICES, coerce=int,
                                     widget=forms.RadioSelect)
    organisation = forms.TypedChoiceField(label=_("How well was it organised (place, time, information)?"),
                                          choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comments (optional)"), widget=forms.Textarea, required=False, max_length=2000,
                              help_text=_("Staff read comments without your name."))


class MaterialForm(forms.Form):
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, text or ZIP; up to 20 MB."))
    is_public = forms.BooleanField(label=_("Public: anyone may download it"), required=False)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=pgettext_lazy("start of a period", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("end of a period", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start of the period must come before its end."))
        return data
