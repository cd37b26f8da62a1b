"""The network dashboard, ``/<lang>/network/monitoring/`` ("network" is a reserved LAG slug)."""

from django.urls import path

from sopeli.monitoring import views

app_name = "network_monitoring"

urlpatterns = [path("", views.network, name="dashboard")]
