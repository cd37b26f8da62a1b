"""Plain forms for the manager's pages: every text in Georgian (required) and English (optional)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Capitalises a Latin first letter and leaves Georgian as written (one implementation, in core).
from sopeli.core.georgian import capfirst as safe_capfirst
from sopeli.strategy.models import (
    ApplicantType,
    FinancialPlanRow,
    Indicator,
    KeyFigure,
    Measure,
    Objective,
    PlannedCall,
    StrategyVersion,
    SwotItem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANGUAGE_NAMES = {"ka": _("Georgian"), "en": _("English")}


def label_fields(form: forms.BaseForm, model) -> None:
    """Labels from the models' verbose names, "title (Georgian)" for translated twins.

    Django's default labels apply ``capfirst``, which would turn a Georgian label's first letter
    into Mtavruli once the catalogue is translated.
    """
    for name, f in form.fields.items():
        base, _sep, lang = name.rpartition("_")
        try:
            if lang in LANGUAGE_NAMES:
                verbose = model._meta.get_field(base).verbose_name
                f.label = _("%(field)s (%(language)s)") % {"field": safe_capfirst(verbose), "language": LANGUAGE_NAMES[lang]}
                f.widget.attrs.setdefault("lang", lang)
            else:
                f.label = safe_capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a form-only field keeps its own label
            continue


class PartForm(forms.ModelForm):
    """A form for one part of ``version``; ``service_kwargs`` is what the save service takes."""

    required_fields: tuple[str, ...] = ()

    def __init__(self, *args, version: StrategyVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        for name in self.required_fields:
            if name in self.fields:
                self.fields[name].required = True
        label_fields(self, self._meta.model)
        for f in self.fields.values():
            if isinstance(f, forms.DateField):
                f.widget = DATE

    def service_kwargs(self) -> dict:
        return {"data": dict(self.cleaned_data)}


class KeyFigureForm(PartForm):
    required_fields = ("label_ka",)

    class Meta:
        model = KeyFigure
        fields = ["code", "order", "label_ka", "label_en", "value", "unit_ka", "unit_en", "year", "source_ka", "source_en"]


class SwotItemForm(PartForm):
    required_fields = ("text_ka",)

    class Meta:
        model = SwotItem
        fields = ["kind", "code", "order", "text_ka", "text_en"]
        widgets = {"text_ka": forms.Textarea(attrs={"rows": 2}), "text_en": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(PartForm):
    required_fields = ("title_ka",)

    class Meta:
        model = Objective
        fields = ["code", "order", "title_ka", "title_en", "description_ka", "description_en"]


INDICATOR_FIELDS = [
    "code", "order", "name_ka", "name_en", "unit_ka", "unit_en", "baseline_value", "baseline_date",
    "target_value", "target_date", "aggregation",
]


class ResultIndicatorForm(PartForm):
    required_fields = ("name_ka", "unit_ka", "objective")

    class Meta:
        model = Indicator
        fields = ["objective", *INDICATOR_FIELDS]

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(version=version)


class OutputIndicatorForm(PartForm):
    required_fields = ("name_ka", "unit_ka", "measure")

    class Meta:
        model = Indicator
        fields = ["measure", *INDICATOR_FIELDS]

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(version=version)


def rate_field_name(applicant_type: str) -> str:
    return f"rate_{applicant_type}"


class MeasureForm(PartForm):
    required_fields = ("title_ka",)

    class Meta:
        model = Measure
        fields = [
            "code", "order", "title_ka", "title_en", "description_ka", "description_en",
            "beneficiaries_ka", "beneficiaries_en", "min_grant", "max_grant", "budget", "objectives",
        ]
        widgets = {"objectives": forms.CheckboxSelectMultiple}
        help_texts = {"budget": _("In GEL, for the whole strategy period.")}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        self.fields["objectives"].queryset = Objective.objects.filter(version=version)
        rates = {r.applicant_type: r.max_rate for r in self.instance.aid_rates.all()} if self.instance.pk else {}
        for value, label in ApplicantType.choices:
            self.fields[rate_field_name(value)] = forms.DecimalField(
                label=_("Maximum aid rate (%%) for: %(type)s") % {"type": label},
                required=False, min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, max_digits=5,
                initial=rates.get(value), help_text=_("Leave empty if this type of applicant cannot apply."),
            )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_grant"), data.get("max_grant")
        if low is not None and high is not None and low > high:
            self.add_error("max_grant", _("The maximum grant must be at least the minimum grant."))
        return data

    def service_kwargs(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if not name.startswith("rate_")}
        rates = {value: self.cleaned_data.get(rate_field_name(value)) for value in ApplicantType.values}
        return {"data": data, "aid_rates": rates}


class PlannedCallForm(PartForm):
    class Meta:
        model = PlannedCall
        fields = ["code", "measure", "planned_on", "amount", "note_ka", "note_en"]

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(version=version)


class FinancialRowForm(PartForm):
    class Meta:
        model = FinancialPlanRow
        fields = ["measure", "year", "amount"]
        help_texts = {"measure": _("Leave empty for the LAG's running costs."), "amount": _("Public money, in GEL.")}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(version=version)
        self.fields["measure"].required = False
        self.fields["measure"].empty_label = _("LAG running costs")
        self.fields["year"].min_value = 2000
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        return year


TEXT_SECTIONS = {
    # key: (title, fields)
    "profile": (_("Territory profile"), ["territory_profile_ka", "territory_profile_en"]),
    "needs": (_("Needs analysis"), ["needs_analysis_ka", "needs_analysis_en"]),
    "vision": (_("Vision"), ["vision_ka", "vision_en"]),
    "monitoring": (_("Monitoring and evaluation"), ["monitoring_ka", "monitoring_en"]),
    "summary": (_("Period and summary of changes"), ["period_start", "period_end", "change_summary_ka", "change_summary_en"]),
}


def text_form_class(section: str):
    class TextForm(forms.ModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            label_fields(self, StrategyVersion)

        class Meta:
            model = StrategyVersion
            fields = TEXT_SECTIONS[section][1]
            widgets = {
                name: forms.Textarea(attrs={"rows": 12, "lang": name[-2:]})
                for name in TEXT_SECTIONS[section][1] if name[-3:] in ("_ka", "_en")
            }

        def clean(self):
            data = super().clean()
            start, end = data.get("period_start"), data.get("period_end")
            if start and end and end < start:
                self.add_error("period_end", _("The last year cannot come before the first year."))
            return data

    return TextForm


class ApproveForm(forms.Form):
    agenda_item = forms.ModelChoiceField(
        label=_("Decision of the general assembly"), queryset=None,
        help_text=_("An approved agenda item of the general assembly."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = items
        self.fields["agenda_item"].label_from_instance = lambda item: (
            f"{item.code} · {item.title}" + (f" · {timezone.localtime(item.decided_at):%d.%m.%Y}" if item.decided_at else "")
        )


class StrategyCreateForm(forms.Form):
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200, widget=forms.TextInput(attrs={"lang": "ka"}))
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False, widget=forms.TextInput(attrs={"lang": "en"}))
