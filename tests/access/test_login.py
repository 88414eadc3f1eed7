"""The login page of the API docs: a session for Swagger UI's "Try it out", for every API user
(analysts are not staff, so the admin's login refuses them), redirecting only within this site and
counting attempts with the token endpoint."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, analyst
from tests.factories.users import PASSWORD

pytestmark = pytest.mark.django_db

OPENAPI_YAML = Path(__file__).resolve().parents[2] / "openapi.yaml"
WRONG_CREDENTIALS = "Please enter a correct username and password. Note that both fields may be case-sensitive."


@pytest.fixture
def user():
    return analyst(username="lin")


def log_in(client: Client, username: str = "lin", password: str = PASSWORD, query: str = "", **data):
    return client.post(reverse("api-login") + query, {"username": username, "password": password, **data})


def obtain_token(password: str):
    return Client().post(
        reverse("token-list"), {"username": "lin", "password": password}, content_type="application/json"
    )


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_the_login_page_is_a_form_that_needs_nothing_from_elsewhere():
    response = Client().get(reverse("api-login"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert '<input type="text" name="username"' in page
    assert '<input type="password" name="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<input type="hidden" name="next" value="">' in page
    # Every address on the page is this site's own (or the empty icon that stops a favicon request).
    addresses = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert sorted(addresses) == sorted(["data:,", reverse("api-login"), reverse("swagger-ui"), reverse("redoc")])


def test_an_analyst_logs_in_and_lands_on_swagger_ui_with_a_session_the_api_accepts(user):
    client = Client()
    assert client.get(reverse("token-list")).status_code == 401

    response = log_in(client)

    assert (response.status_code, response["Location"]) == (302, reverse("swagger-ui"))
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get(reverse("token-list")).status_code == 200


def test_the_login_page_says_who_is_logged_in_and_offers_to_log_out(user):
    client = Client()
    log_in(client)

    page = client.get(reverse("api-login")).content.decode()

    assert "You are logged in as <strong>lin</strong>." in page
    assert f'<form method="post" action="{reverse("api-logout")}">' in page
    assert 'name="password"' not in page


@pytest.mark.parametrize(
    ("username", "password"),
    [("lin", "wrong horse"), ("nobody", PASSWORD), ("LIN", PASSWORD)],
    ids=["wrong password", "unknown user", "username in another case"],
)
def test_wrong_credentials_log_nobody_in(user, username, password):
    client = Client()

    response = log_in(client, username, password)

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert logged_in_user_id(client) is None


def test_an_inactive_user_is_not_logged_in():
    UserFactory(username="gone", is_active=False)
    client = Client()

    response = log_in(client, "gone")

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert logged_in_user_id(client) is None


def test_next_leads_to_a_page_of_this_site(user):
    next_page = reverse("redoc")

    page = Client().get(reverse("api-login"), {"next": next_page}).content.decode()
    response = log_in(Client(), query=f"?next={next_page}")
    response_from_the_form = log_in(Client(), next=next_page)

    assert f'<input type="hidden" name="next" value="{next_page}">' in page
    assert (response.status_code, response["Location"]) == (302, next_page)
    assert (response_from_the_form.status_code, response_from_the_form["Location"]) == (302, next_page)


@pytest.mark.parametrize(
    "next_page",
    [
        "https://evil.example/api/docs/",
        "//evil.example/api/docs/",
        "http://testserver.evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_never_leads_to_another_site(user, next_page):
    page = Client().get(reverse("api-login"), {"next": next_page}).content.decode()
    response = log_in(Client(), next=next_page)

    assert '<input type="hidden" name="next" value="">' in page
    assert (response.status_code, response["Location"]) == (302, reverse("swagger-ui"))


def test_logging_out_ends_the_session_and_shows_the_login_page(user):
    client = Client()
    log_in(client)

    response = client.post(reverse("api-logout"))

    assert (response.status_code, response["Location"]) == (302, reverse("api-login"))
    assert logged_in_user_id(client) is None
    assert client.get(reverse("token-list")).status_code == 401


def test_logging_out_follows_next_only_within_this_site(user):
    client = Client()
    log_in(client)
    to_docs = client.post(reverse("api-logout"), {"next": reverse("swagger-ui")})
    log_in(client)
    to_elsewhere = client.post(reverse("api-logout"), {"next": "https://evil.example/"})

    assert (to_docs.status_code, to_docs["Location"]) == (302, reverse("swagger-ui"))
    assert (to_elsewhere.status_code, to_elsewhere["Location"]) == (302, reverse("api-login"))


def test_logging_out_takes_a_post(user):
    client = Client()
    log_in(client)

    response = client.get(reverse("api-logout"))

    assert response.status_code == 405
    assert logged_in_user_id(client) == str(user.pk)


def test_the_login_form_needs_its_csrf_token(user):
    client = Client(enforce_csrf_checks=True)

    refused = log_in(client)
    token = client.get(reverse("api-login")).cookies["csrftoken"].value
    accepted = log_in(client, csrfmiddlewaretoken=token)

    assert refused.status_code == 403
    assert (accepted.status_code, accepted["Location"]) == (302, reverse("swagger-ui"))


@pytest.fixture
def low_login_rate(throttle_rates):
    throttle_rates(login="2/min")


def test_login_attempts_are_throttled_without_checking_the_password(user, low_login_rate):
    client = Client()

    statuses = [log_in(client, password="wrong horse").status_code for _ in range(2)]
    throttled = log_in(client)

    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert f"Too many login attempts: try again in {throttled['Retry-After']} second" in throttled.content.decode()
    assert logged_in_user_id(client) is None


def test_the_login_page_and_the_token_endpoint_count_attempts_together(user, low_login_rate):
    token_attempt = obtain_token("wrong horse")
    page_attempt = log_in(Client(), password="wrong horse")

    assert (token_attempt.status_code, page_attempt.status_code) == (401, 200)
    assert log_in(Client()).status_code == 429
    assert obtain_token(PASSWORD).status_code == 429


def test_the_login_and_logout_pages_are_not_in_the_api_contract():
    paths = re.findall(r"^  (/api/auth/[^:]*):$", OPENAPI_YAML.read_text(), flags=re.MULTILINE)

    assert paths == ["/api/auth/tokens/", "/api/auth/tokens/{token_key}/", "/api/auth/tokens/revoke-all/"]
