from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from sopeli.core.models import AuditEvent, Lag, Settlement


class SettlementInline(admin.TabularInline):
    model = Settlement
    extra = 0


@admin.register(Lag)
class LagAdmin(TranslationAdmin):
    list_display = ("name", "slug", "municipality")
    inlines = [SettlementInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "lag", "actor", "action", "summary", "is_public")
    list_filter = ("lag", "is_public")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
