from django.apps import AppConfig


class GatewaysConfig(AppConfig):
    name = "chargeside.gateways"
    label = "gateways"
