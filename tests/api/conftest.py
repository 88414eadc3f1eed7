"""Clients for the API tests: anonymous, a superuser (writes), and a signed-in user with no model
permissions."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

# The shared test bases assert too: have pytest explain their failures.
pytest.register_assert_rewrite("tests.api.collection", "tests.api.filtering")


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=admin_user)
    return client


@pytest.fixture
def unprivileged_api(db) -> APIClient:
    user = get_user_model().objects.create_user(username="reader", password="not-used-here")
    client = APIClient()
    client.force_authenticate(user=user)
    return client
