from modeltranslation.translator import TranslationOptions, register

from sopeli.grants.models import Call, CallAmendment, CallDocument, CallQuestion, ChecklistItem, Criterion


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "summary", "who_can_apply", "how_to_apply", "contact")


@register(CallDocument)
class CallDocumentTranslation(TranslationOptions):
    fields = ("name", "description")


@register(CallQuestion)
class CallQuestionTranslation(TranslationOptions):
    fields = ("label", "help_text")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("title", "guidance")


@register(ChecklistItem)
class ChecklistItemTranslation(TranslationOptions):
    fields = ("text",)


@register(CallAmendment)
class CallAmendmentTranslation(TranslationOptions):
    fields = ("reason",)
