from modeltranslation.translator import TranslationOptions, register

from sopeli.projects.models import ContractTemplate, Story, StoryPhoto


@register(ContractTemplate)
class ContractTemplateTranslation(TranslationOptions):
    fields = ("body", "obligations")


@register(Story)
class StoryTranslation(TranslationOptions):
    fields = ("title", "body")


@register(StoryPhoto)
class StoryPhotoTranslation(TranslationOptions):
    fields = ("caption",)
