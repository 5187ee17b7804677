from django.urls import include, path

from chargeside.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("hooks/", include("chargeside.ingest.urls")),
]
