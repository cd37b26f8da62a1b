from django.urls import path

from sopeli.accounts import phone_views as views

app_name = "phone"
urlpatterns = [
    path("", views.phone_start, name="start"),
    path("code/", views.phone_code, name="code"),
    path("welcome/", views.phone_welcome, name="welcome"),
    path("once/<str:token>/", views.login_once, name="once"),
]
