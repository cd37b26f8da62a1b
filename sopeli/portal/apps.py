from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sopeli.portal"
    label = "portal"
