from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sopeli.accounts"
    label = "accounts"
