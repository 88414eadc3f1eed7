"""Shared fixtures: the test database is real (SQLite or, with DATABASE_URL, PostgreSQL)."""

import pytest
from django.db import connection


@pytest.fixture
def postgresql_only():
    """Skip, with the reason shown, tests whose subject exists only on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
