from modeltranslation.translator import TranslationOptions, register

from sopeli.strategy.models import (
    Indicator,
    KeyFigure,
    Measure,
    Objective,
    PlannedCall,
    Strategy,
    StrategyVersion,
    SwotItem,
)


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("title",)


@register(StrategyVersion)
class StrategyVersionTranslation(TranslationOptions):
    fields = ("change_summary", "territory_profile", "needs_analysis", "vision", "monitoring")


@register(KeyFigure)
class KeyFigureTranslation(TranslationOptions):
    fields = ("label", "unit", "source")


@register(SwotItem)
class SwotItemTranslation(TranslationOptions):
    fields = ("text",)


@register(Objective)
class ObjectiveTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Measure)
class MeasureTranslation(TranslationOptions):
    fields = ("title", "description", "beneficiaries")


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "unit")


@register(PlannedCall)
class PlannedCallTranslation(TranslationOptions):
    fields = ("note",)
