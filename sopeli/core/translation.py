from modeltranslation.translator import TranslationOptions, register

from sopeli.core.models import Lag, Settlement


@register(Lag)
class LagTranslation(TranslationOptions):
    fields = ("name", "municipality", "region", "description")


@register(Settlement)
class SettlementTranslation(TranslationOptions):
    fields = ("name",)
