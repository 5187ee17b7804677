from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chargeside.api"
    label = "api"
