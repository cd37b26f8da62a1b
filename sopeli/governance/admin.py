"""Read-only in the admin: decisions are made through Sopeli's pages and services, which run the
LEADER checks and write the audit trail; the admin only lets a superuser look."""

from django.contrib import admin

from sopeli.governance.models import AgendaItem, Meeting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "lag", "body", "starts_at", "status")
    list_filter = ("lag", "status")


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "lag", "procedure", "status", "decided_at")
    list_filter = ("lag", "procedure", "status")
