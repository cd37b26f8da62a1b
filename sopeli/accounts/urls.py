from django.urls import path

from sopeli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("manage/people/", views.manage_people, name="manage_people"),
    path("manage/people/revoke/", views.revoke_role, name="revoke_role"),
    path("manage/people/register/", views.register_resident, name="register_resident"),
]
