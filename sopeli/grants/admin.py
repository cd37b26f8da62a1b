"""Read-mostly admin for support staff; every change a user makes goes through the services."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from sopeli.grants.models import Appeal, Application, Call, Selection


@admin.register(Call)
class CallAdmin(TranslationAdmin):
    list_display = ("code", "title", "lag", "status", "opens_at", "closes_at")
    list_filter = ("lag", "status")
    search_fields = ("code", "title")
    readonly_fields = ("snapshot", "published_at")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("call", "number", "title", "applicant_type", "status", "submitted_at")
    list_filter = ("lag", "status", "applicant_type")
    search_fields = ("title",)
    raw_id_fields = ("applicant", "assisted_by", "idea", "settlement")
    readonly_fields = ("number", "submitted_at", "aid_check")


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    list_display = ("call", "call_measure", "run", "total_funded", "decided_at", "published_at")
    list_filter = ("call__lag",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("application", "status", "filed_at", "decided_at")
    list_filter = ("status",)
