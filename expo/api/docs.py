"""The API documentation pages, served from local static files only."""

from drf_spectacular.views import SpectacularRedocView


class RedocView(SpectacularRedocView):
    """ReDoc without the stock template's CDN web fonts."""

    template_name = "api/redoc.html"
