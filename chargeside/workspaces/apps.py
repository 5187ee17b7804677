from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "chargeside.workspaces"
    label = "workspaces"
