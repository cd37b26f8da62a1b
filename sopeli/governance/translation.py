from modeltranslation.translator import TranslationOptions, register

from sopeli.governance.models import AgendaItem, Meeting


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title",)


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description")
