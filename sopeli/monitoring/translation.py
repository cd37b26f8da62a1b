from modeltranslation.translator import TranslationOptions, register

from sopeli.monitoring.models import ResearchStudy


@register(ResearchStudy)
class ResearchStudyTranslation(TranslationOptions):
    fields = ("title",)
