from django.urls import path

from sopeli.governance import views

app_name = "governance"
urlpatterns = [
    path("decisions/", views.decisions, name="decisions"),
    path("my/votes/", views.my_votes, name="my_votes"),
    path("manage/meetings/", views.manage_meetings, name="manage_meetings"),
]
