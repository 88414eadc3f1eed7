"""The API tests' clients, for the figures' API tests too."""

from tests.api.conftest import admin_api  # noqa: F401  # a fixture, found by its name
