from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sopeli.core"
    label = "core"

    def ready(self):
        from sopeli.core import checks  # noqa: F401  (registers the deployment checks)
        from sopeli.core.georgian import keep_georgian_case

        keep_georgian_case()
