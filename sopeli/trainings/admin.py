from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from sopeli.trainings.models import Certificate, Feedback, Registration, Training


@admin.register(Training)
class TrainingAdmin(TranslationAdmin):
    list_display = ("topic", "lag", "starts_at", "status", "capacity", "target_group")
    list_filter = ("lag", "status", "target_group")
    search_fields = ("topic_ka", "topic_en", "trainer")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("full_name", "training", "status", "walk_in", "attended")
    list_filter = ("status", "walk_in", "training__lag")
    search_fields = ("full_name",)
    raw_id_fields = ("training", "user", "village")


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "registration", "issued_at")
    search_fields = ("code",)
    raw_id_fields = ("registration",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("registration", "usefulness", "trainer", "organisation", "created_at")
    raw_id_fields = ("registration",)
