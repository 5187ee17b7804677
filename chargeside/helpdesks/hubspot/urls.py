"""HubSpot's own endpoint beside the shared ones, mounted at /desk/hubspot/<connection token>/ (desk_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("action/", views.action_hook, name="hubspot_action"),  # the card's action hooks (views.py)
]
