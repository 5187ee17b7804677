"""URLs of the generic helpdesk panel, mounted at /panel/."""

from django.urls import path

from . import action_views, views

app_name = "panel"

urlpatterns = [
    path("", views.panel, name="panel"),
    path("section/<slug:name>/", views.section, name="section"),
    path("action/<slug:name>/<int:item_id>/", action_views.action_form, name="action_form"),
    path("action/<slug:name>/<int:item_id>/preview/", action_views.action_preview_view, name="action_preview"),
    path("action/<slug:name>/<int:item_id>/run/", action_views.action_run, name="action_run"),
]
