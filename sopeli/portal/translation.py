from modeltranslation.translator import TranslationOptions, register

from sopeli.portal.models import News


@register(News)
class NewsTranslation(TranslationOptions):
    fields = ("title", "body")
