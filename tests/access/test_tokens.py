"""API tokens (SPEC §4): obtained with a password, shown once, stored as a hash, expiring and
revocable; a broken Authorization header is refused as bad credentials, never an error."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from rest_framework.test import APIClient

from framework.models import ApiToken
from tests.factories import UserFactory, api_token

PASSWORD = "correct horse battery staple"  # noqa: S105 - the test users' password


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def listed_keys(client: APIClient) -> list[str]:
    response = client.get(reverse("token-list"))
    assert response.status_code == 200
    return [token["token_key"] for token in response.json()["results"]]


def refusal(response) -> tuple[int, list[str]]:
    return response.status_code, [error["code"] for error in response.json()["errors"]]


@pytest.fixture
def user(db):
    return UserFactory(username="lin", password=PASSWORD)


def test_a_token_is_obtained_with_a_password_and_shown_once(user):
    response = APIClient().post(
        reverse("token-list"), {"username": "lin", "password": PASSWORD, "client": "sales dashboard"}
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "token_key", "client", "created", "expiry"}
    assert body["client"] == "sales dashboard"
    expected_expiry = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs(parse_datetime(body["expiry"]) - expected_expiry) < datetime.timedelta(minutes=1)
    assert body["token"].startswith(body["token_key"])
    listed = client_with(body["token"]).get(reverse("token-list")).json()["results"]
    assert listed == [{key: body[key] for key in ("token_key", "client", "created", "expiry")}]


def test_a_wrong_password_obtains_no_token(user):
    response = APIClient().post(reverse("token-list"), {"username": "lin", "password": "wrong horse"})

    assert refusal(response) == (401, ["authentication_failed"])
    assert response.json()["errors"][0]["detail"] == "Wrong username or password."
    assert not ApiToken.objects.exists()


def test_only_a_hash_of_the_token_is_stored(user):
    token = APIClient().post(reverse("token-list"), {"username": "lin", "password": PASSWORD}).json()["token"]

    stored = ApiToken.objects.values().get()

    assert stored["digest"] == hash_token(token)
    assert [column for column, value in stored.items() if token in str(value)] == []


def test_a_token_authenticates_its_user(user):
    instance, token = api_token(user)
    api_token(UserFactory())

    assert listed_keys(client_with(token)) == [instance.token_key]


def test_an_expired_token_is_refused_and_deleted(user):
    instance, token = api_token(user)
    ApiToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    response = client_with(token).get(reverse("token-list"))

    assert refusal(response) == (401, ["authentication_failed"])
    assert not ApiToken.objects.filter(pk=instance.pk).exists()


def test_the_token_of_a_deactivated_user_is_refused(user):
    token = api_token(user)[1]
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert refusal(client_with(token).get(reverse("token-list"))) == (401, ["authentication_failed"])


def test_a_revoked_token_no_longer_works_and_the_others_still_do(user):
    revoked, revoked_token = api_token(user)
    kept, kept_token = api_token(user)

    response = client_with(kept_token).delete(reverse("token-detail", args=[revoked.token_key]))

    assert response.status_code == 204
    assert refusal(client_with(revoked_token).get(reverse("token-list"))) == (401, ["authentication_failed"])
    assert listed_keys(client_with(kept_token)) == [kept.token_key]


def test_revoking_all_tokens_leaves_none_working(user):
    tokens = [api_token(user)[1] for _ in range(2)]
    other_instance, other_token = api_token(UserFactory())

    response = client_with(tokens[0]).post(reverse("token-revoke-all"))

    assert response.status_code == 204
    for token in tokens:
        assert refusal(client_with(token).get(reverse("token-list"))) == (401, ["authentication_failed"])
    assert listed_keys(client_with(other_token)) == [other_instance.token_key]


def test_a_user_can_neither_list_nor_revoke_another_users_token(user):
    theirs, their_token = api_token(UserFactory())
    mine, my_token = api_token(user)

    listed = listed_keys(client_with(my_token))
    response = client_with(my_token).delete(reverse("token-detail", args=[theirs.token_key]))

    assert listed == [mine.token_key]
    assert refusal(response) == (404, ["not_found"])
    assert listed_keys(client_with(their_token)) == [theirs.token_key]


def test_revoking_a_key_holding_a_nul_is_a_404_not_an_error(user):
    instance, token = api_token(user)

    response = client_with(token).delete(reverse("token-list") + "%00/")

    assert response.status_code == 404
    assert listed_keys(client_with(token)) == [instance.token_key]


def test_token_routes_need_a_token():
    assert refusal(APIClient().get(reverse("token-list"))) == (401, ["not_authenticated"])
    assert refusal(APIClient().post(reverse("token-revoke-all"))) == (401, ["not_authenticated"])


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Token \xff", id="not-utf-8"),
        pytest.param("Token a b", id="two-tokens"),
        pytest.param("Token", id="no-token"),
        pytest.param("Token \x00", id="nul"),
        pytest.param("Token expo_0123456789abcdef", id="unknown"),
    ],
)
@pytest.mark.parametrize("url_name", ["token-list", "deal-list"])
def test_a_malformed_token_header_is_refused_as_bad_credentials(db, header, url_name):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(reverse(url_name))

    assert refusal(response) == (401, ["authentication_failed"])


def test_spaces_around_a_password_are_part_of_it(db):
    UserFactory(username="kim", password="  padded secret  ")

    padded = APIClient().post(reverse("token-list"), {"username": "kim", "password": "  padded secret  "})
    trimmed = APIClient().post(reverse("token-list"), {"username": "kim", "password": "padded secret"})

    assert (padded.status_code, refusal(trimmed)) == (201, (401, ["authentication_failed"]))


@pytest.mark.parametrize("client", ["", "   "])
def test_a_client_name_may_be_left_empty(user, client):
    response = APIClient().post(reverse("token-list"), {"username": "lin", "password": PASSWORD, "client": client})

    assert (response.status_code, response.json()["client"]) == (201, "")
