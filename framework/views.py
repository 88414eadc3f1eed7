"""The site's own error pages, for what the API's views do not answer themselves: a path that
matches no route, and a failure in the admin, the docs or a middleware. Under ``/api/`` they
answer in the API's error shape; a database that cannot be reached is a 503 asking to retry."""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from framework.api.errors import UNAVAILABLE_DATABASE_ERRORS, ServiceUnavailable, path_not_found


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 of a path no route matches: the API's error shape under /api/, Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return path_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to an exception nothing else handled: 503 with ``Retry-After`` when the
    database is unavailable, else 500; under ``/api/`` in the API's error shape."""
    unavailable = isinstance(sys.exc_info()[1], UNAVAILABLE_DATABASE_ERRORS)
    if unavailable:
        code, detail, status = ServiceUnavailable.default_code, str(ServiceUnavailable.default_detail), 503
    else:
        code, detail, status = "error", "A server error occurred.", 500
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"type": "server_error", "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
        )
    elif unavailable:
        response = HttpResponse(detail, content_type="text/plain; charset=utf-8", status=status)
    else:
        return defaults.server_error(request)
    if unavailable:
        response["Retry-After"] = str(ServiceUnavailable.wait)
    return response
