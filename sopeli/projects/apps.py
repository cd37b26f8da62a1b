from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "sopeli.projects"
    label = "projects"
    verbose_name = "Projects"
