from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "chargeside.console"
    label = "console"
