from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sopeli.core"
    label = "core"
