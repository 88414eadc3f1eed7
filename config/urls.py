"""The site's URLs: the API and its documentation under /api/, and the admin."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from framework.api.docs import RedocView, redoc_script
from framework.api.health import HealthView

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("framework.api.urls")),
    path("", include("expo.api.urls")),
    path("", include("delegations.api.urls")),
    path("", include("deals.api.export_urls")),
    path("", include("deals.api.ocds_urls")),
    path("", include("deals.api.urls")),
    path("", include("deals.api.stats_urls")),
    path("", include("figures.api.urls")),
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("redoc/redoc.standalone.js", redoc_script, name="redoc-script"),
]

# Under /api/, a path that matches no route and a failure outside the API's views are answered
# in the API's error shape; a database that cannot be reached is a 503.
handler404 = "framework.views.page_not_found"
handler500 = "framework.views.server_error"

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
