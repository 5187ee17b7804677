"""URLs every helpdesk reaches, one pair per helpdesk connection, mounted at /desk/ (see desk_views.py)."""

from django.urls import include, path

from . import desk_views

app_name = "desk"

urlpatterns = [
    path("<slug:key>/<str:token>/", desk_views.desk_callback, name="callback"),
    path("<slug:key>/<str:token>/open/", desk_views.desk_open, name="open"),
    path("<slug:key>/<str:token>/submit/", desk_views.desk_submit, name="submit"),
    path("front/<str:token>/", include("chargeside.helpdesks.front.urls")),  # Front's plugin page and webhook
    path("hubspot/<str:token>/", include("chargeside.helpdesks.hubspot.urls")),  # the HubSpot card's action hooks
]
