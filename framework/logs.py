"""Request logging: one record per request on the ``expo.request`` logger, whose fields a log
collector can index (with ``LOG_FORMAT=json`` each record is one JSON object):

    {"time": "...", "level": "INFO", "logger": "expo.request", "message": "GET /api/deals/ 200 12.3ms",
     "request_id": "3f2a...", "method": "GET", "path": "/api/deals/", "query": "stage=signed",
     "status": 200, "duration_ms": 12.3, "user_id": 7, "client": "203.0.113.9", "bytes": 5120}

Each request carries an id: the ``X-Request-ID`` a proxy sent (letters, digits, ``.``, ``_``,
``-``; at most 64), else a new one. The response returns it in ``X-Request-ID``, so a client's
report can be matched with the log."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("expo.request")

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request: HttpRequest) -> str:
    """The id the proxy gave the request, if it is a plausible one, else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def client_address(request: HttpRequest) -> str:
    """The client's address as the throttles see it: ``REMOTE_ADDR``, or the address in
    ``X-Forwarded-For`` that the outermost of ``NUM_PROXIES`` trusted proxies saw."""
    # get_ident reads only what a Django request has (META); the stubs ask for DRF's Request.
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]


def user_id_of(request: HttpRequest) -> int | None:
    """The id of the user the request was answered for (by session or, in the API, by token), or
    None. A user nothing looked at is not loaded for the log."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """Logs every request once it is answered: method, path, status, time taken and who asked.
    For a streamed response (the CSV export) the time is until the body starts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        # Kept on the request for whatever logs while it is answered.
        request.id = request_id_of(request)  # type: ignore[attr-defined]
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response[REQUEST_ID_HEADER] = request.id  # type: ignore[attr-defined]
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "request_id": request.id,  # type: ignore[attr-defined]
                "method": request.method,
                "path": request.path,
                "query": request.META.get("QUERY_STRING", ""),
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id_of(request),
                "client": client_address(request),
                "bytes": None if response.streaming else len(response.content),
            },
        )
        return response
