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
from framework.api.renderers import ORJSONRenderer
from framework.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


class Stamped(Protocol):
    """A record with a modification time: what its tags are made from."""

    _meta: Options
    pk: Any
    updated_at: datetime.datetime


# A tag is W/"<row><body>": 16 hex digits of the row's version, then 16 of the representation.
ROW_PART = 16
ETAG_PATTERN = re.compile(r'^W/"[0-9a-f]{32}"$')


def row_version(instance: Stamped) -> str:
    """The row's part of its tags: it changes whenever the record is saved."""
    stamp = f"{instance._meta.label}:{instance.pk}:{instance.updated_at.isoformat()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:ROW_PART]


def etag_of(instance: Stamped, data: object, *, viewer: str) -> str:
    """A weak entity tag of ``data``, the record as rendered for a caller who sees it as
    ``viewer``: it changes with the row, with any record embedded in ``data``, with the fields
    chosen, and from one viewer to another."""
    body = hashlib.sha256(viewer.encode() + b"\0" + ORJSONRenderer().render(data)).hexdigest()
    return f'W/"{row_version(instance)}{body[:ROW_PART]}"'


def last_modified_of(instance: Stamped) -> str:
    """The record's ``Last-Modified`` header value: when the row itself last changed, the
    ``updated_at`` that ``updated_since`` filters on (HTTP dates have whole seconds)."""
    return http_date(instance.updated_at.timestamp())


def _opaque(tag: str) -> str:
    """A tag without its weakness mark and quotes, as weak comparison sees it (``*`` as itself)."""
    return tag.strip().removeprefix("W/").strip('"')


def _opaque_tags(header: str) -> set[str]:
    return {_opaque(tag) for tag in header.split(",")}


def not_modified(request: Request, instance: Stamped, etag: str) -> bool:
    """Whether a GET may answer 304: ``If-None-Match`` names ``etag``, the representation's
    current tag, or ``*`` (weak comparison); or, without ``If-None-Match``, the row is no newer
    than ``If-Modified-Since`` (a date says nothing of embedded records: the tag does)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = _opaque_tags(if_none_match)
        return "*" in tags or _opaque(etag) in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and int(instance.updated_at.timestamp()) <= since


def check_if_match(request: Request, instance: Stamped) -> None:
    """A 412 when ``If-Match`` is given and names neither ``*`` nor a tag of the record's current
    version. Only a tag's row part counts: a write replaces the row, whatever the representation
    the tag was read with (its fields, embedded records or viewer)."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = _opaque_tags(header)
    row = row_version(instance)
    if "*" not in tags and not any(len(tag) == 2 * ROW_PART and tag.startswith(row) for tag in tags):
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
