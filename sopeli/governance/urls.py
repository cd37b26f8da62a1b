from django.urls import path

from sopeli.governance import views

app_name = "governance"
urlpatterns = [
    # Public: published minutes and closed written procedures.
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/meetings/<int:meeting_id>/", views.minutes, name="minutes"),
    path("decisions/meetings/<int:meeting_id>.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("decisions/procedures/<int:item_id>/", views.procedure, name="procedure"),
    # A member's own open votes.
    path("my/votes/", views.my_votes, name="my_votes"),
    # Staff.
    path("manage/meetings/", views.manage_meetings, name="manage_meetings"),
    path("manage/meetings/<int:meeting_id>/", views.manage_meeting, name="manage_meeting"),
    path("manage/procedures/", views.manage_procedures, name="manage_procedures"),
]
