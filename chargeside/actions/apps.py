from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "chargeside.actions"
    label = "actions"
