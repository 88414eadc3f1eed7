"""Shared fixtures: the test database is real (SQLite or, with DATABASE_URL, PostgreSQL)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

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
