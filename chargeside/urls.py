from django.urls import include, path

from chargeside.api.api import api
from chargeside.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("hooks/", include("chargeside.ingest.urls")),
    path("api/v1/", api.urls),
    path("", include("chargeside.console.urls")),
    path("panel/", include("chargeside.helpdesks.urls")),
    path("desk/", include("chargeside.helpdesks.desk_urls")),
    path("demo/", include("chargeside.sandbox.urls")),
]
