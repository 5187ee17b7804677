"""The demo pages, mounted at /demo/."""

from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    path("", views.ticket, name="ticket"),
]
