"""Monitoring addresses under ``/<lang>/<lag>/manage/monitoring/…`` (staff pages)."""

from django.urls import path

from sopeli.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("manage/monitoring/", views.dashboard, name="dashboard"),
    path("manage/monitoring/donor-report.<slug:fmt>", views.donor_report, name="donor_report"),
    path("manage/monitoring/research/", views.research, name="research"),
    path("manage/monitoring/research/<int:pk>/", views.study, name="study"),
    path("manage/monitoring/research/<int:pk>/<slug:which>/entry/", views.study_entry, name="study_entry"),
]
