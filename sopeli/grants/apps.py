from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "sopeli.grants"
    label = "grants"
