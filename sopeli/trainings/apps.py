from django.apps import AppConfig


class TrainingsConfig(AppConfig):
    name = "sopeli.trainings"
    label = "trainings"
    verbose_name = "Trainings"
