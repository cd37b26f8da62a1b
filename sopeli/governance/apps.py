from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sopeli.governance"
    label = "governance"
