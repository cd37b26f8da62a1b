from django.urls import path

from sopeli.notifications import views

app_name = "notifications"
urlpatterns = [
    path("me/notices/", views.notices, name="notices"),
    path("me/notices/read/", views.notices_read_all, name="notices_read_all"),
    path("me/messages/", views.preferences, name="preferences"),
    path("<slug:lag_slug>/manage/messages/", views.manage_messages, name="manage_messages"),
    path("<slug:lag_slug>/manage/messages/<int:message_id>/resend/", views.manage_resend, name="manage_resend"),
]
