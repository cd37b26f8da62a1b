from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "sopeli.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
