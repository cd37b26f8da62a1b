from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from sopeli.membership.models import Body, InterestGroup, Member


@admin.register(InterestGroup)
class InterestGroupAdmin(TranslationAdmin):
    list_display = ("name", "lag", "code")
    list_filter = ("lag",)


@admin.register(Body)
class BodyAdmin(TranslationAdmin):
    list_display = ("name", "lag", "kind", "quorum_percent")
    list_filter = ("lag", "kind")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "lag", "sector", "interest_group", "status")
    list_filter = ("lag", "sector", "status")
    search_fields = ("name",)
