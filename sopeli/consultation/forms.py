"""Plain forms (work without JavaScript, phone-friendly). Choices are always scoped to the LAG."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from sopeli.consultation.models import (
    CHOICE_KINDS,
    AgeBand,
    AnswerStatus,
    Consultation,
    Idea,
    Phase,
    PhaseKind,
    QuestionKind,
    Source,
    Survey,
    VillageMeeting,
)
from sopeli.core.models import Settlement
from sopeli.membership.models import Gender, InterestGroup

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
BLANK = [("", "—")]


def _lang_attrs(form):
    for name, f in form.fields.items():
        if name.endswith("_ka"):
            f.widget.attrs.setdefault("lang", "ka")
        elif name.endswith("_en"):
            f.widget.attrs.setdefault("lang", "en")


class KeyedForm(forms.Form):
    """Carries a one-time key so a double click or a retry records nothing twice."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


class AboutYouMixin(forms.Form):
    gender = forms.ChoiceField(label=_("You are (optional)"), choices=BLANK + list(Gender.choices), required=False)
    age_band = forms.ChoiceField(label=_("Your age (optional)"), choices=BLANK + list(AgeBand.choices), required=False)


class IdeaForm(KeyedForm, AboutYouMixin):
    title = forms.CharField(label=_("Title"), max_length=160, help_text=_("A few words, e.g. 'Playground in Sno'."))
    text = forms.CharField(label=_("Your idea or need"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    village = forms.ModelChoiceField(label=_("Village"), queryset=Settlement.objects.none(), required=False)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=InterestGroup.objects.none(), required=False)
    author_name = forms.CharField(label=_("Your name"), max_length=150, required=False, help_text=_("Shown with your idea."))
    contact_phone = forms.CharField(
        label=_("Phone (optional, private)"), max_length=20, required=False,
        help_text=_("Only the LAG's staff see it, to confirm your entry."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(label=_("E-mail (optional, private)"), required=False)

    def __init__(self, *args, lag, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Settlement.objects.filter(lag=lag)
        self.fields["theme"].queryset = InterestGroup.objects.filter(lag=lag)
        self.quick = not getattr(user, "is_authenticated", False)
        if self.quick:
            self.fields["author_name"].required = True
            self.fields["village"].required = True
        else:
            for name in ("author_name", "contact_phone", "contact_email"):
                del self.fields[name]
            if user.village_id and not self.is_bound:
                self.initial["village"] = user.village_id
        self.order_fields(["title", "text", "village", "theme", "author_name", "contact_phone", "contact_email"])


class StaffIdeaForm(KeyedForm, AboutYouMixin):
    """An idea given at a village meeting, on paper or at the office, entered by staff."""

    source = forms.ChoiceField(label=_("Source"), choices=[(Source.MEETING, Source.MEETING.label), (Source.PAPER, Source.PAPER.label),
                                                          (Source.OFFICE, Source.OFFICE.label)])
    meeting = forms.ModelChoiceField(label=_("Village meeting"), queryset=VillageMeeting.objects.none(), required=False)
    author_name = forms.CharField(label=_("Name of the person"), max_length=150)
    title = forms.CharField(label=_("Title"), max_length=160)
    text = forms.CharField(label=_("The idea or need"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    village = forms.ModelChoiceField(label=_("Village"), queryset=Settlement.objects.none(), required=False)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=InterestGroup.objects.none(), required=False)

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = consultation.meetings.select_related("village")
        self.fields["village"].queryset = Settlement.objects.filter(lag=consultation.lag)
        self.fields["theme"].queryset = InterestGroup.objects.filter(lag=consultation.lag)


class CommentForm(KeyedForm, AboutYouMixin):
    section = forms.ChoiceField(label=_("Section"), choices=())
    text = forms.CharField(label=_("Your comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s["key"], s["label"]) for s in sections]
        self.order_fields(["section", "text"])


class StaffCommentForm(KeyedForm, AboutYouMixin):
    """A comment on the draft given at a village meeting, on paper or at the office, entered by staff."""

    source = forms.ChoiceField(label=_("Source"), choices=[(Source.MEETING, Source.MEETING.label), (Source.PAPER, Source.PAPER.label),
                                                          (Source.OFFICE, Source.OFFICE.label)])
    author_name = forms.CharField(label=_("Name of the person"), max_length=150)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Settlement.objects.none(), required=False)
    section = forms.ChoiceField(label=_("Section"), choices=())
    text = forms.CharField(label=_("The comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, consultation, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Settlement.objects.filter(lag=consultation.lag)
        self.fields["section"].choices = [(s["key"], s["label"]) for s in sections]


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title_ka", "title_en", "description_ka", "description_en", "version"]
        widgets = {"description_ka": forms.Textarea(attrs={"rows": 3}), "description_en": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, lag, **kwargs):
        from sopeli.strategy.models import StrategyVersion

        super().__init__(*args, **kwargs)
        self.fields["title_ka"].required = True
        self.fields["version"].queryset = StrategyVersion.objects.filter(lag=lag).order_by("-number")
        _lang_attrs(self)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["kind", "title_ka", "title_en", "description_ka", "description_en", "opens_at", "closes_at"]
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME,
                   "description_ka": forms.Textarea(attrs={"rows": 2}), "description_en": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"opens_at": _("Asia/Tbilisi time."), "closes_at": _("Asia/Tbilisi time; closed from this minute on.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        _lang_attrs(self)

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            raise forms.ValidationError(_("A phase must close after it opens."))
        return data


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the public instead of the text)"), max_length=300)


class MergeForm(forms.Form):
    kept = forms.ModelChoiceField(label=_("Merge into (the idea to keep)"), queryset=Idea.objects.none())

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = (
            Idea.objects.filter(consultation_id=idea.consultation_id, merged_into__isnull=True).exclude(pk=idea.pk).order_by("title")
        )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=[
        (AnswerStatus.TAKEN_UP, AnswerStatus.TAKEN_UP.label),
        (AnswerStatus.NOT_TAKEN_UP, AnswerStatus.NOT_TAKEN_UP.label),
        (AnswerStatus.PENDING, AnswerStatus.PENDING.label),
    ], widget=forms.RadioSelect)
    text = forms.CharField(label=_("Reply, or the reason it is not taken up"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    objective = forms.ModelChoiceField(label=_("Objective that carries it"), queryset=None, required=False)
    measure = forms.ModelChoiceField(label=_("Measure that carries it"), queryset=None, required=False)

    def __init__(self, *args, consultation, **kwargs):
        from sopeli.strategy.models import Measure, Objective, VersionStatus

        super().__init__(*args, **kwargs)
        if consultation.version_id:
            where = {"version_id": consultation.version_id}
        else:
            where = {"version__lag_id": consultation.lag_id, "version__status": VersionStatus.APPROVED}
        self.fields["objective"].queryset = Objective.objects.filter(**where).order_by("order", "code")
        self.fields["measure"].queryset = Measure.objects.filter(**where).order_by("order", "code")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = VillageMeeting
        fields = ["village", "place", "held_at", "women", "men", "notes"]
        widgets = {"held_at": DATETIME, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, lag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Settlement.objects.filter(lag=lag)
        self.fields["held_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title_ka", "title_en", "description_ka", "description_en", "signed", "phase"]
        widgets = {"description_ka": forms.Textarea(attrs={"rows": 2}), "description_en": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_ka"].required = True
        self.fields["phase"].queryset = consultation.phases.filter(kind=PhaseKind.SURVEY)
        self.fields["phase"].required = True
        _lang_attrs(self)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text_ka = forms.CharField(label=_("Question (Georgian)"), max_length=300, widget=forms.TextInput(attrs={"lang": "ka"}))
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False, widget=forms.TextInput(attrs={"lang": "en"}))
    required = forms.BooleanField(label=_("Required"), required=False)
    choices_ka = forms.CharField(label=_("Choices (Georgian), one per line"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4, "lang": "ka"}))
    choices_en = forms.CharField(label=_("Choices (English), one per line, same order"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}))

    def clean(self):
        data = super().clean()
        ka = [line for line in (data.get("choices_ka") or "").splitlines() if line.strip()]
        en = [line for line in (data.get("choices_en") or "").splitlines() if line.strip()]
        if data.get("kind") in CHOICE_KINDS:
            if len(ka) < 2:
                raise forms.ValidationError(_("A choice question needs at least two choices, one per line."))
            if en and len(en) != len(ka):
                raise forms.ValidationError(_("Give as many English choices as Georgian ones, or none."))
        data["choice_pairs"] = list(zip(ka, en + [""] * (len(ka) - len(en)), strict=True)) if ka else []
        return data


def question_field(q, villages) -> forms.Field:
    label, help_text, required = q.text, q.help_text, q.required
    if q.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(label=label, help_text=help_text, required=required, widget=forms.RadioSelect,
                                 choices=[(c.pk, c.text) for c in q.choices.all()])
    if q.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(label=label, help_text=help_text, required=required, widget=forms.CheckboxSelectMultiple,
                                         choices=[(c.pk, c.text) for c in q.choices.all()])
    if q.kind == QuestionKind.SCALE:
        return forms.ChoiceField(label=label, help_text=help_text or _("1 = not at all, 5 = very much"), required=required,
                                 widget=forms.RadioSelect(attrs={"class": "scale"}), choices=[(n, str(n)) for n in range(1, 6)])
    if q.kind == QuestionKind.VILLAGE:
        return forms.ChoiceField(label=label, help_text=help_text, required=required, choices=BLANK + [(v.pk, v.name) for v in villages])
    if q.kind == QuestionKind.LONG:
        return forms.CharField(label=label, help_text=help_text, required=required, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=200)


class ResponseForm(KeyedForm, AboutYouMixin):
    """A survey's questions as fields ``q<id>``, then the optional "about you" fields."""

    village = forms.ModelChoiceField(label=_("Your village (optional)"), queryset=Settlement.objects.none(), required=False)

    def __init__(self, *args, survey, questions, paper=False, **kwargs):
        super().__init__(*args, **kwargs)
        villages = list(Settlement.objects.filter(lag=survey.lag))
        self.fields["village"].queryset = Settlement.objects.filter(lag=survey.lag)
        self.fields["village"].choices = [("", "—")] + [(v.pk, v.name) for v in villages]
        about = ["village", "gender", "age_band"]
        for q in questions:
            self.fields[f"q{q.pk}"] = question_field(q, villages)
        if paper:
            self.fields["paper_reference"] = forms.CharField(
                label=_("Where the paper form came from"), max_length=200,
                help_text=_("E.g. 'Sno village meeting, form 14'."),
            )
            about.insert(0, "paper_reference")
        self.order_fields([f"q{q.pk}" for q in questions] + about)
        self.questions = questions

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
