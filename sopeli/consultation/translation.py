"""Texts the LAG writes in both languages (residents' ideas and comments stay as written)."""

from modeltranslation.translator import TranslationOptions, register

from sopeli.consultation.models import Choice, Consultation, Phase, Question, Survey


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Survey)
class SurveyTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "help_text")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text",)
