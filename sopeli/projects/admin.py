from django.contrib import admin

from sopeli.projects.models import Contract, ContractTemplate, Story


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "grantee_name", "status", "grant", "paid_total", "recovered_total")
    list_filter = ("lag", "status")
    search_fields = ("number", "title", "grantee_name")
    # Money moves only through the services (row locks, running totals, audit trail).
    readonly_fields = ("paid_total", "recovered_total", "entitlement", "final_payment_due", "recovery_due", "verified_cost")


admin.site.register(ContractTemplate)
admin.site.register(Story)
