"""Front's URLs under /desk/front/<connection token>/ (see views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("plugin/", views.plugin, name="front_plugin"),
    path("panel/", views.plugin_panel, name="front_panel"),
    path("webhook/", views.webhook, name="front_webhook"),
]
