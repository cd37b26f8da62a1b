from modeltranslation.translator import TranslationOptions, register

from sopeli.trainings.models import Material, Training


@register(Training)
class TrainingTranslation(TranslationOptions):
    fields = ("topic", "description")


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("title",)
