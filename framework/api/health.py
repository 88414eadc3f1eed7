"""``/api/health/``: whether this app server can serve, for load balancers and monitors. It
checks every database the app uses (the default and, when configured, the read replica) and,
when ``REDIS_URL`` is set, the cache, and answers 503 when any of them is down. It needs no
login, is never throttled and reads no session, so it answers while the database is down."""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from drf_spectacular.utils import OpenApiExample, extend_schema
from redis.exceptions import RedisError
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from framework.api.errors import ServiceUnavailable
from framework.api.filters import check_query_parameters

OK = "ok"
UNAVAILABLE = "unavailable"
HEALTH_STATES = [OK, UNAVAILABLE]
CACHE_PROBE_KEY = "expo:health"


def _timed(probe: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except (DatabaseError, RedisError, OSError):
        state = UNAVAILABLE
    else:
        state = OK
    return {"status": state, "duration_ms": round((time.perf_counter() - started) * 1000, 1)}


def _database_probe(alias: str) -> Callable[[], None]:
    def probe() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return probe


def _cache_probe() -> None:
    cache.set(CACHE_PROBE_KEY, OK, timeout=10)
    if cache.get(CACHE_PROBE_KEY) != OK:
        raise OSError("the cache did not keep what was written to it")


def health_checks() -> dict[str, dict]:
    """Each dependency's name ("database", "database_replica", "cache") and its state."""
    checks = {
        "database" if alias == "default" else f"database_{alias}": _timed(_database_probe(alias))
        for alias in settings.DATABASES
    }
    if settings.REDIS_URL:
        checks["cache"] = _timed(_cache_probe)
    return checks


class HealthCheckSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATES)
    duration_ms = serializers.FloatField(help_text="How long the check took, in milliseconds.")


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=HEALTH_STATES, help_text="`ok` when every check is; otherwise `unavailable` (and a 503)."
    )
    checks = serializers.DictField(
        child=HealthCheckSerializer(),
        help_text="`database`; `database_replica` with a read replica; `cache` when Redis is configured.",
    )


HEALTHY = {"status": OK, "checks": {"database": {"status": OK, "duration_ms": 0.4}}}
DATABASE_DOWN = {"status": UNAVAILABLE, "checks": {"database": {"status": UNAVAILABLE, "duration_ms": 1.2}}}


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="health",
        summary="Whether the app can serve",
        description=(
            "Checks the database (and the read replica and Redis where configured). 200 when all are "
            "reachable, 503 when any is not. No login needed; not throttled."
        ),
        tags=["health"],
        auth=[],
        responses={200: HealthSerializer, 503: HealthSerializer},
        examples=[
            OpenApiExample("Healthy", value=HEALTHY, response_only=True, status_codes=["200"]),
            OpenApiExample("Database down", value=DATABASE_DOWN, response_only=True, status_codes=["503"]),
        ],
    )
    def get(self, request: Request) -> Response:
        check_query_parameters(self, request, allowed=set(), multi_valued=set())
        checks = health_checks()
        healthy = all(check["status"] == OK for check in checks.values())
        if healthy:
            return Response({"status": OK, "checks": checks}, headers={"Cache-Control": "no-store"})
        return Response(
            {"status": UNAVAILABLE, "checks": checks},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Cache-Control": "no-store", "Retry-After": str(ServiceUnavailable.wait)},
        )
