from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "sopeli.membership"
    label = "membership"
