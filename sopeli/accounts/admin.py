from django.contrib import admin

from sopeli.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "is_staff", "is_active")
    search_fields = ("email", "full_name")
    exclude = ("password",)
    inlines = [RoleGrantInline]
