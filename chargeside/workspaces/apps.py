from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "chargeside.workspaces"
    label = "workspaces"

    def ready(self) -> None:
        from .cache import connect_signals

        connect_signals()  # saved or deleted workspaces, members and users are forgotten by the panel's cache
