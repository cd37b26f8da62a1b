"""Plain forms for the grants pages. Labels never pass through ``capfirst`` on Georgian text
(``strategy.forms.label_fields`` does that safely). Forms only parse; services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sopeli.grants.models import (
    Call,
    CallDocument,
    CallQuestion,
    ChecklistItem,
    Criterion,
    QuestionKind,
)
from sopeli.strategy.forms import label_fields, safe_capfirst
from sopeli.strategy.models import ApplicantType

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def tie_break_choices(criteria_codes: list[str]):
    choices = [("", _("—")), ("lower_amount", _("lower requested amount")), ("earlier_submission", _("earlier submission"))]
    choices += [(f"higher_criterion:{code}", _("higher score on criterion %(code)s") % {"code": code}) for code in criteria_codes]
    return choices


class CallForm(forms.ModelForm):
    """The call's texts, dates, limits and rules; measures, aid rates and villages are extra fields."""

    tie_break_1 = forms.ChoiceField(label=_("First tie-break"), required=False)
    tie_break_2 = forms.ChoiceField(label=_("Second tie-break"), required=False)
    tie_break_3 = forms.ChoiceField(label=_("Third tie-break"), required=False)

    class Meta:
        model = Call
        fields = [
            "code", "title_ka", "title_en", "summary_ka", "summary_en", "who_can_apply_ka", "who_can_apply_en",
            "how_to_apply_ka", "how_to_apply_en", "contact_ka", "contact_en",
            "opens_at", "closes_at", "has_idea_stage", "ideas_close_at",
            "min_grant", "max_grant", "min_duration_months", "max_duration_months",
            "min_total", "evaluators_per_application", "divergence_share", "aggregation", "budget_variant", "max_raise",
            "reserve_valid_days", "appeal_days", "received_list_days", "show_evaluator_names",
        ]
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME, "ideas_close_at": DATETIME,
                   "summary_ka": forms.Textarea(attrs={"rows": 4}), "summary_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, measures=(), settlements=(), budgets=None, rates=None, chosen_settlements=(), criteria_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        label_fields(self, Call)
        for name in ("opens_at", "closes_at", "ideas_close_at"):
            self.fields[name].input_formats = DATETIME_FORMATS
            self.fields[name].help_text = _("Tbilisi time, to the second.")
        for name in ("title_ka", "summary_ka", "who_can_apply_ka"):
            self.fields[name].required = True
        choices = tie_break_choices(list(criteria_codes))
        existing = [f"{t['kind']}:{t['criterion']}" if t.get("criterion") else t["kind"] for t in (self.instance.tie_breaks or [])]
        for n in (1, 2, 3):
            self.fields[f"tie_break_{n}"].choices = choices
            if len(existing) >= n:
                self.fields[f"tie_break_{n}"].initial = existing[n - 1]
        self.measure_fields = []
        budgets = budgets or {}
        for m in measures:
            name = f"budget_{m.pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{m.code} {m.title}", required=False, min_value=0, max_digits=14, decimal_places=2,
                initial=budgets.get(m.pk), help_text=_("Budget of this measure in the call; leave empty to leave it out."),
                widget=forms.NumberInput(attrs=MONEY_ATTRS),
            )
            self.measure_fields.append(name)
        rates = rates or {}
        self.rate_fields = []
        for value, label in ApplicantType.choices:
            name = f"rate_{value}"
            self.fields[name] = forms.DecimalField(
                label=safe_capfirst(label), required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2,
                initial=rates.get(value), help_text=_("Maximum aid rate in %; leave empty if this type may not apply."),
            )
            self.rate_fields.append(name)
        self.fields["settlements"] = forms.ModelMultipleChoiceField(
            queryset=settlements, required=False, widget=forms.CheckboxSelectMultiple, initial=list(chosen_settlements),
            label=_("Eligible villages"), help_text=_("None ticked: the whole territory."),
        )

    def clean(self):
        data = super().clean()
        ties = []
        for n in (1, 2, 3):
            value = data.get(f"tie_break_{n}")
            if value:
                kind, _sep, code = value.partition(":")
                ties.append({"kind": kind, **({"criterion": code} if code else {})})
        data["tie_breaks"] = ties
        return data

    def budgets(self):
        return {int(name.split("_")[1]): self.cleaned_data.get(name) for name in self.measure_fields}

    def rates(self):
        return {name.split("_", 1)[1]: self.cleaned_data.get(name) for name in self.rate_fields}


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice question: one choice per line, Georgian | English."),
    )

    class Meta:
        model = CallQuestion
        fields = ["label_ka", "label_en", "help_text_ka", "help_text_en", "kind", "required", "stage", "max_length", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_fields(self, CallQuestion)
        self.fields["label_ka"].required = True
        if self.instance.pk and self.instance.choices:
            self.fields["choices_text"].initial = "\n".join(f"{c.get('label_ka', '')} | {c.get('label_en', '')}" for c in self.instance.choices)

    def clean(self):
        data = super().clean()
        choices = []
        for n, line in enumerate((data.get("choices_text") or "").splitlines(), 1):
            if line.strip():
                ka, _sep, en = line.partition("|")
                choices.append({"value": str(n), "label_ka": ka.strip(), "label_en": en.strip() or ka.strip()})
        data["choices"] = choices
        return data

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        data["choices"] = self.cleaned_data["choices"] if self.cleaned_data.get("kind") == QuestionKind.CHOICE else []
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["code", "kind", "title_ka", "title_en", "guidance_ka", "guidance_en", "max_points", "weight", "min_points", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_fields(self, Criterion)
        self.fields["title_ka"].required = True

    def service_data(self):
        return dict(self.cleaned_data)


class DocumentForm(forms.ModelForm):
    class Meta:
        model = CallDocument
        fields = ["name_ka", "name_en", "description_ka", "description_en", "required", "stage", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_fields(self, CallDocument)
        self.fields["name_ka"].required = True

    def service_data(self):
        return dict(self.cleaned_data)


class ChecklistForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["text_ka", "text_en", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_fields(self, ChecklistItem)
        self.fields["text_ka"].required = True

    def service_data(self):
        return dict(self.cleaned_data)


PART_FORMS = {"questions": QuestionForm, "criteria": CriterionForm, "documents": DocumentForm, "checklist": ChecklistForm}
PART_TITLES = {"questions": _("Question"), "criteria": _("Criterion"), "documents": _("Required document"), "checklist": _("Checklist line")}


class AmendForm(forms.Form):
    reason_ka = forms.CharField(label=_("Reason (Georgian)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "ka"}))
    reason_en = forms.CharField(label=_("Reason (English)"), widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}), required=False)
    closes_at = forms.DateTimeField(label=_("Deadline for applications"), widget=DATETIME, input_formats=DATETIME_FORMATS,
                                    help_text=_("Tbilisi time; it can only be extended."))
    ideas_close_at = forms.DateTimeField(label=_("Deadline for ideas"), widget=DATETIME, input_formats=DATETIME_FORMATS, required=False)
    summary_ka = forms.CharField(label=_("What the call funds (Georgian)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    summary_en = forms.CharField(label=_("What the call funds (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    how_to_apply_ka = forms.CharField(label=_("How to apply (Georgian)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    how_to_apply_en = forms.CharField(label=_("How to apply (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, call_measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_fields = []
        for cm in call_measures:
            name = f"budget_{cm.pk}"
            self.fields[name] = forms.DecimalField(label=_("Budget of measure %(code)s") % {"code": cm.measure.code},
                                                   min_value=0, max_digits=14, decimal_places=2, initial=cm.budget)
            self.budget_fields.append(name)

    def changes(self, call: Call) -> dict:
        out = {}
        for name in ("closes_at", "ideas_close_at", "summary_ka", "summary_en", "how_to_apply_ka", "how_to_apply_en"):
            value = self.cleaned_data.get(name)
            if name == "ideas_close_at" and not call.has_idea_stage:
                continue
            if value not in (None, "") or name.startswith(("summary", "how_to_apply")):
                out[name] = value if value is not None else ""
        return out

    def budgets(self) -> dict[int, Decimal]:
        return {int(n.split("_")[1]): self.cleaned_data[n] for n in self.budget_fields}


# --- applicant -----------------------------------------------------------------------------------


class ProjectForm(forms.Form):
    measure = forms.ModelChoiceField(queryset=None, label=_("Measure"), empty_label=None)
    applicant_type = forms.ChoiceField(label=_("You apply as"))
    applicant_name = forms.CharField(label=_("Applicant (person or organisation)"), max_length=200)
    settlement = forms.ModelChoiceField(queryset=None, label=_("Village of the project"))
    title = forms.CharField(label=_("Project title"), max_length=200)
    summary = forms.CharField(label=_("Project summary"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    partners = forms.CharField(label=_("Partners"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Partner organisations, one per line (optional)."), max_length=2000)
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=120, required=False)

    def __init__(self, *args, call: Call, measures, settlements, applicant_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        self.fields["measure"].label_from_instance = lambda cm: f"{cm.measure.code} {cm.measure.title}"
        self.fields["settlement"].queryset = settlements
        labels = dict(ApplicantType.choices)
        self.fields["applicant_type"].choices = [(t, safe_capfirst(labels.get(t, t))) for t in applicant_types]
        if call.min_duration_months or call.max_duration_months:
            self.fields["duration_months"].required = True


class DecisionForm(forms.Form):
    eligible = forms.TypedChoiceField(label=_("Outcome"), choices=[("1", _("Eligible")), ("0", _("Ineligible"))],
                                      coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required when the application is ineligible; the applicant reads it."))


class FixRequestForm(forms.Form):
    items = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateTimeField(label=_("Fix by"), widget=DATETIME, input_formats=DATETIME_FORMATS, help_text=_("Tbilisi time."))


class PaperForm(forms.Form):
    resident_name = forms.CharField(label=_("Resident's name"), max_length=150)
    resident_email = forms.EmailField(label=_("Resident's e-mail (if any)"), required=False)
    village = forms.ModelChoiceField(queryset=None, label=_("Village of the project"))
    measure = forms.ModelChoiceField(queryset=None, label=_("Measure"), empty_label=None)
    applicant_type = forms.ChoiceField(label=_("Applies as"))
    applicant_name = forms.CharField(label=_("Applicant (person or organisation)"), max_length=200, required=False)
    title = forms.CharField(label=_("Project title"), max_length=200)
    summary = forms.CharField(label=_("Project summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    total_budget = forms.DecimalField(label=_("Total budget"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    requested_grant = forms.DecimalField(label=_("Requested grant"), min_value=0, max_digits=14, decimal_places=2)
    received_at = forms.DateTimeField(label=_("Paper received at"), widget=DATETIME, input_formats=DATETIME_FORMATS,
                                      required=False, help_text=_("Tbilisi time; empty: now."))
    scan = forms.FileField(label=_("Scan of the paper application"))

    def __init__(self, *args, call: Call, settlements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = settlements
        self.fields["measure"].queryset = call.call_measures.select_related("measure")
        self.fields["measure"].label_from_instance = lambda cm: f"{cm.measure.code} {cm.measure.title}"
        labels = dict(ApplicantType.choices)
        self.fields["applicant_type"].choices = [(r.applicant_type, safe_capfirst(labels[r.applicant_type])) for r in call.aid_rates.all()]
