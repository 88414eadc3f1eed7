"""A path under /api/ that no route matches is a 404 in the API's error shape, as a missing record
is, whatever the method; elsewhere Django's own page answers."""

import pytest
from django.urls import reverse

from tests.api.test_parameters import VIEWSETS

pytestmark = pytest.mark.django_db

NOT_FOUND = {"type": "client_error", "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}]}


def answer(response) -> tuple[int, str, dict]:
    return response.status_code, response["Content-Type"], response.json()


# Ids the detail routes do not take: a number with a dot, a path with a slash (%2F decoded).
@pytest.mark.parametrize("pk", ["0.5", "1.json", "a%2Fb"])
@pytest.mark.parametrize("basename", sorted(VIEWSETS))
def test_a_detail_path_no_route_takes_is_a_json_404(anon, basename, pk):
    path = f"{reverse(f'{basename}-list')}{pk}/"

    assert answer(anon.get(path)) == (404, "application/json", NOT_FOUND)


@pytest.mark.parametrize("method", ["delete", "patch", "put", "post"])
def test_a_write_to_a_path_no_route_takes_is_a_json_404(admin_api, method):
    response = getattr(admin_api, method)(f"{reverse('deal-list')}0.5/", {"title": "x"})

    assert answer(response) == (404, "application/json", NOT_FOUND)
    assert "Allow" not in response


def test_a_token_key_longer_than_any_is_a_json_404(admin_api):
    path = reverse("token-list") + "k" * 26 + "/"

    assert answer(admin_api.delete(path)) == (404, "application/json", NOT_FOUND)


def test_an_unknown_collection_is_a_json_404(anon):
    assert answer(anon.get("/api/nowhere/")) == (404, "application/json", NOT_FOUND)


def test_outside_the_api_django_answers_with_its_page(anon):
    response = anon.get("/nowhere/")

    assert (response.status_code, response["Content-Type"]) == (404, "text/html; charset=utf-8")
    assert b"<h1>Not Found</h1>" in response.content
