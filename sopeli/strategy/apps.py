from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "sopeli.strategy"
    label = "strategy"
