from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "chargeside.sandbox"
    label = "sandbox"
