from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "chargeside.connections"
    label = "connections"
