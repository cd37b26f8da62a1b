from django.contrib import admin

from sopeli.consultation.models import (
    Choice,
    Comment,
    Consultation,
    Idea,
    Phase,
    Question,
    Response,
    Survey,
    VillageMeeting,
)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "lag", "version", "created_at")
    list_filter = ("lag",)
    inlines = [PhaseInline]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "consultation", "village", "source", "confirmed", "answer_status", "hidden_at")
    list_filter = ("lag", "source", "answer_status", "confirmed")
    search_fields = ("title", "text", "author_name")
    raw_id_fields = ("author", "merged_into", "meeting", "answer_objective", "answer_measure", "answered_by", "hidden_by", "entered_by")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("section", "consultation", "author_name", "answer_status", "hidden_at")
    list_filter = ("lag", "section", "answer_status")
    raw_id_fields = ("author", "answer_objective", "answer_measure", "answered_by", "hidden_by")


@admin.register(VillageMeeting)
class VillageMeetingAdmin(admin.ModelAdmin):
    list_display = ("village", "held_at", "women", "men", "consultation")
    list_filter = ("lag",)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "survey", "kind", "order")
    inlines = [ChoiceInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "lag", "consultation", "signed")
    list_filter = ("lag", "signed")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("survey", "source", "paper_reference", "submitted_at")
    list_filter = ("source",)
    raw_id_fields = ("respondent", "entered_by")
