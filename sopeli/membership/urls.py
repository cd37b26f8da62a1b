from django.urls import path

from sopeli.membership import views

app_name = "membership"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/join/", views.join, name="join"),
    path("bodies/<int:body_id>/", views.body, name="body"),
    path("manage/members/", views.manage_members, name="manage_members"),
]
