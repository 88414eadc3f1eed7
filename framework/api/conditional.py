"""Conditional requests and repeatable writes: ``ETag``/``If-Match`` against lost updates;
``If-None-Match``/``If-Modified-Since`` so a client polling a record gets a bodiless 304 while it
is unchanged; and ``Idempotency-Key`` so a retried POST creates one row and returns the first
response."""

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models.options import Options
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from framework.api.errors import Conflict, PreconditionFailed
from framework.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class Stamped(Protocol):
    """A record with a modification time: what its tags are made from."""

    _meta: Options
    pk: Any
    updated_at: datetime.datetime


def etag_of(instance: Stamped) -> str:
    """A strong entity tag that changes whenever the record is saved."""
    stamp = f"{instance._meta.label}:{instance.pk}:{instance.updated_at.isoformat()}"
    return '"' + hashlib.sha256(stamp.encode()).hexdigest()[:32] + '"'


def last_modified_of(instance: Stamped) -> str:
    """The record's ``Last-Modified`` header value (HTTP dates have whole seconds)."""
    return http_date(instance.updated_at.timestamp())


def not_modified(request: Request, instance: Stamped) -> bool:
    """Whether a GET may answer 304: ``If-None-Match`` names the record's current tag (or
    ``*``), or, without ``If-None-Match``, the record is no newer than ``If-Modified-Since``."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag_of(instance) in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and int(instance.updated_at.timestamp()) <= since


def check_if_match(request: Request, instance: Stamped) -> None:
    """A 412 when ``If-Match`` is given and names none of ``*`` or the record's current tag."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = {tag.strip() for tag in header.split(",")}
    if "*" not in tags and etag_of(instance) not in tags:
        raise PreconditionFailed()


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key``: 1–255 visible ASCII characters; else a 400 naming it."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    ErrorDetail("Must be 1 to 255 visible ASCII characters.", code="invalid_idempotency_key")
                ]
            }
        )
    return key


def replay_or_run(request: Request, key: str, run: Callable[[], Response]) -> Response:
    """Run ``run`` once per caller and key: the key is claimed in the same transaction as the
    write, so a concurrent retry waits for it and then gets the stored response (marked
    ``Idempotent-Replayed: true``). A key reused for another request is a 409."""
    fingerprint = hashlib.sha256(request.body).hexdigest()
    # Only signed-in callers write (framework.api.permissions), with a method.
    with transaction.atomic():
        IdempotencyKey.objects.filter(
            user=cast(User, request.user), key=key, created_at__lt=timezone.now() - settings.IDEMPOTENCY_KEY_TTL
        ).delete()
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(
                    user=cast(User, request.user),
                    key=key,
                    method=cast(str, request.method),
                    path=request.path,
                    fingerprint=fingerprint,
                )
        except IntegrityError:
            return _replay(request, key, fingerprint)
        response = run()
        claim.response_status = response.status_code
        claim.response_body = _json_ready(response.data)
        claim.save(update_fields=["response_status", "response_body"])
        return response


def _replay(request: Request, key: str, fingerprint: str) -> Response:
    first = IdempotencyKey.objects.get(user=cast(User, request.user), key=key)
    if (first.method, first.path, first.fingerprint) != (request.method, request.path, fingerprint):
        raise Conflict(
            "This Idempotency-Key was used for a different request: use a new key for a new request.",
            code="idempotency_key_reused",
        )
    if first.response_status is None:
        raise Conflict(
            "The first request with this Idempotency-Key is still running: retry shortly.", code="in_progress"
        )
    return Response(first.response_body, status=first.response_status, headers={"Idempotent-Replayed": "true"})


def _json_ready(data: Any) -> Any:
    """The response data as plain JSON values (decimals and dates as the API renders them)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
