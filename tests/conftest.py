"""Shared fixtures: the test database is real (SQLite or, with DATABASE_URL, PostgreSQL)."""

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import analyst


@pytest.fixture
def postgresql_only():
    """Skip, with the reason shown, tests whose subject exists only on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture
def anon() -> APIClient:
    """A client with no credentials: the public."""
    return APIClient()


@pytest.fixture
def analyst_api(db) -> APIClient:
    """A client authenticated as a member of the Analysts group."""
    client = APIClient()
    client.force_authenticate(user=analyst())
    return client


@pytest.fixture
def throttle_rates(monkeypatch):
    """``throttle_rates(login="2/min")``: the throttles' rates for this test (the others very
    high), counted from zero."""

    def set_rates(**rates: str) -> None:
        # DRF reads the rates once, when the throttle classes are defined.
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/min", "user": "100/min", "login": "100/min", **rates}
        )
        cache.clear()

    yield set_rates
    cache.clear()
