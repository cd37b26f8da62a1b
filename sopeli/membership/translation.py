from modeltranslation.translator import TranslationOptions, register

from sopeli.membership.models import Body, InterestGroup


@register(InterestGroup)
class InterestGroupTranslation(TranslationOptions):
    fields = ("name",)


@register(Body)
class BodyTranslation(TranslationOptions):
    fields = ("name", "description")
