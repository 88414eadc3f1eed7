"""Reads from a replica of the database, when ``DATABASE_REPLICA_URL`` names one.

Requests that change nothing (GET, HEAD, OPTIONS) read their records from the replica; every
other request reads and writes the default database, so a write sees what it validates against
as it is. Logins, sessions and API tokens are always read from the default database: a token
created a moment ago must work at once, whatever the replica's lag. Migrations run on the
default database only (the replica follows it)."""

import contextvars
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Models read from the default database whatever the request.
PRIMARY_ONLY = frozenset({"auth", "sessions", "contenttypes", "framework.apitoken", "framework.idempotencykey"})

_reads_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_from_replica", default=False)


class ReplicaReadsMiddleware:
    """Lets the reads of a GET, HEAD or OPTIONS request go to the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads_from_replica.set(request.method in SAFE_METHODS)
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)


class ReplicaRouter:
    """Routes the reads of safe requests to the replica; everything else to the default database."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not _reads_from_replica.get():
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY or meta.label_lower in PRIMARY_ONLY:
            return None
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both databases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
