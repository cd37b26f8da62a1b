from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sopeli.core"
    label = "core"

    def ready(self):
        from sopeli.core import checks  # noqa: F401  (registers the deployment checks)
        from sopeli.core.georgian import keep_georgian_case

        keep_georgian_case()

        from django.db.models.signals import post_migrate

        from sopeli.core.duties import sync_after_migrate

        # The worker's schedules follow sopeli/core/duties.py on every install and upgrade.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="sopeli-duties")
