"""The API documentation pages, served from this machine only: no CDN, no web fonts, no logo
fetched from elsewhere."""

import functools
import hashlib
from typing import cast

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# The bundle's footer loads Redocly's logo from their CDN; with no address the image is not
# requested and the footer hides it.
REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def redoc_bundle() -> tuple[bytes, str]:
    """The sidecar's ReDoc bundle without its one outside address, and its entity tag."""
    # The sidecar app is installed: one path, never None.
    with open(cast(str, finders.find(REDOC_BUNDLE)), "rb") as bundle:
        script = bundle.read().replace(REDOC_CDN_LOGO, b"")
    return script, '"' + hashlib.sha256(script).hexdigest()[:32] + '"'


@require_GET
def redoc_script(request: HttpRequest) -> HttpResponse:
    script, etag = redoc_bundle()
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    return HttpResponse(
        script,
        content_type="text/javascript; charset=utf-8",
        headers={"ETag": etag, "Cache-Control": "public, max-age=86400"},
    )


class RedocView(SpectacularRedocView):
    """ReDoc without the stock template's CDN web fonts, and with a bundle that asks no other host."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("redoc-script")
