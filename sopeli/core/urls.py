from django.urls import path

from sopeli.core import views

app_name = "core"
urlpatterns = [
    path("", views.network_home, name="home"),
    path("me/", views.profile, name="profile"),
    path("<slug:lag_slug>/", views.lag_home, name="lag_home"),
    path("<slug:lag_slug>/manage/", views.manage_home, name="manage_home"),
    path("<slug:lag_slug>/manage/audit/", views.audit_trail, name="audit_trail"),
    path("<slug:lag_slug>/manage/background/", views.background, name="background"),
]
