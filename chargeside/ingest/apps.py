from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "chargeside.ingest"
    label = "ingest"
