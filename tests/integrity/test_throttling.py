"""Anonymous and per-user request rates come from settings and are counted in the shared cache."""

import socket

import pytest
import redis
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(throttle_rates):
    throttle_rates(anon="3/min", user="5/min", login="2/min")


def statuses(client, url, count):
    return [client.get(url).status_code for _ in range(count)]


def test_anonymous_callers_are_throttled_with_the_error_shape(low_rates):
    client = APIClient()

    assert statuses(client, reverse("deal-list"), 3) == [200, 200, 200]
    response = client.get(reverse("deal-list"))

    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_each_user_has_a_rate_of_their_own(low_rates):
    first, second = APIClient(), APIClient()
    first.force_authenticate(UserFactory())
    second.force_authenticate(UserFactory())

    assert statuses(first, reverse("deal-list"), 6) == [200] * 5 + [429]
    assert statuses(second, reverse("deal-list"), 1) == [200]


def test_token_requests_have_their_own_low_rate(low_rates):
    client = APIClient()
    body = {"username": "nobody", "password": "wrong"}

    codes = [client.post(reverse("token-list"), body, format="json").status_code for _ in range(3)]

    assert codes == [401, 401, 429]


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_with_redis_the_counts_are_shared_by_every_process(low_rates):
    url = "redis://127.0.0.1:6379/15"
    server = redis.Redis.from_url(url)
    server.flushdb()
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    ):
        statuses(APIClient(), reverse("deal-list"), 2)
    # What another process would see: the counter is in Redis, not in this process's memory.
    keys = [key for key in server.keys("*") if b"throttle_anon" in key]
    assert len(keys) == 1
    server.flushdb()
