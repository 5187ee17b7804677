"""Mounted at /hooks/ by the project's urls.py."""

from django.urls import path

from .views import webhook

app_name = "ingest"

urlpatterns = [
    path("<str:token>/", webhook, name="webhook"),
]
