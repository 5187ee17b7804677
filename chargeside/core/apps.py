from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chargeside.core"
    label = "core"
