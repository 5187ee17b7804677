from django.apps import AppConfig


class HelpdesksConfig(AppConfig):
    name = "chargeside.helpdesks"
    label = "helpdesks"
