"""manage.py create_api_token: a token for an existing user, printed once, that authenticates."""

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token
from rest_framework.test import APIClient

from framework.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_prints_a_token_that_authenticates_its_user(capsys):
    user = UserFactory(username="lin")

    call_command("create_api_token", "lin", "--client", "nightly import")

    token = capsys.readouterr().out.strip()
    stored = ApiToken.objects.get()
    assert (stored.user, stored.client, stored.digest) == (user, "nightly import", hash_token(token))
    expected_expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs(stored.expiry - expected_expiry) < datetime.timedelta(minutes=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(reverse("token-list"))
    assert response.status_code == 200
    assert [row["token_key"] for row in response.json()["results"]] == [stored.token_key]


def test_each_run_issues_another_token(capsys):
    UserFactory(username="lin")

    call_command("create_api_token", "lin")
    call_command("create_api_token", "lin")

    first, second = capsys.readouterr().out.split()
    assert first != second
    assert ApiToken.objects.count() == 2


def test_an_unknown_user_is_an_error():
    with pytest.raises(CommandError, match=r"^No user is named 'nobody'\.$"):
        call_command("create_api_token", "nobody")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token():
    UserFactory(username="gone", is_active=False)

    with pytest.raises(CommandError, match="The user 'gone' is inactive"):
        call_command("create_api_token", "gone")
    assert not ApiToken.objects.exists()
