"""Incremental sync of deals and the deletion feed: a public client polling with
``updated_since`` also learns of deals whose embargo ended, and of deals deleted or withdrawn
from public view; nobody learns of a record they could not read."""

import datetime

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Deal
from framework.models import Deletion
from framework.sync import COLLECTIONS
from tests.api.collection import VIEWSETS, errors
from tests.factories import DealFactory, DelegationFactory, admin, analyst, editor

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
SINCE = "2021-01-01T00:00:00Z"
DELETIONS = reverse("deletion-list")


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def listed_ids(client: APIClient, url: str, params: dict | None = None) -> list[int]:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def feed(client: APIClient, params: dict | None = None) -> list[tuple[str, int, str]]:
    response = client.get(DELETIONS, params or {})
    assert response.status_code == 200, response.json()
    return [(entry["collection"], entry["record_id"], entry["kind"]) for entry in response.json()["results"]]


def test_every_collection_has_a_name_in_the_deletion_feed():
    named = {viewset.queryset.model._meta.label: reverse(f"{basename}-list") for basename, viewset in VIEWSETS.items()}
    assert {label: f"/api/{name}/" for label, name in COLLECTIONS.items()} == named


def test_a_deal_whose_embargo_ended_since_is_listed_as_changed(anon):
    now = timezone.now()
    lifted = DealFactory(embargo_until=now - datetime.timedelta(hours=1))
    still = DealFactory(embargo_until=now + datetime.timedelta(hours=1))
    unchanged = DealFactory()
    Deal.objects.update(updated_at=LONG_AGO)
    since = (now - datetime.timedelta(days=1)).isoformat()
    assert listed_ids(anon, "/api/deals/", {"updated_since": since}) == [lifted.pk]
    assert listed_ids(client_of(analyst()), "/api/deals/", {"updated_since": since}) == [lifted.pk]
    assert set(listed_ids(anon, "/api/deals/")) == {lifted.pk, unchanged.pk}
    assert still.pk not in listed_ids(anon, "/api/deals/")


@pytest.mark.parametrize("value", ["yesterday", "2023-13-01T00:00:00Z", "2023-11-05T25:00"])
def test_a_malformed_updated_since_is_a_400_naming_it(anon, value):
    response = anon.get("/api/deals/", {"updated_since": value})
    assert errors(response) == [("invalid", "updated_since")]


def test_deletions_are_visible_to_whoever_could_read_the_record():
    shanghai, zhejiang = DelegationFactory(), DelegationFactory()
    public = DealFactory(delegation=shanghai)
    own_draft = DealFactory(delegation=shanghai, is_published=False)
    others_draft = DealFactory(delegation=zhejiang, is_published=False)
    embargoed = DealFactory(delegation=zhejiang, embargo_until=timezone.now() + datetime.timedelta(days=1))
    everything = [("deals", deal.pk, "deleted") for deal in (public, own_draft, others_draft, embargoed)]
    for deal in (public, own_draft, others_draft, embargoed):
        deal.delete()
    assert feed(client_of(admin())) == everything
    assert feed(client_of(analyst())) == everything
    assert feed(client_of(editor(shanghai))) == [everything[0], everything[1]]
    assert feed(APIClient()) == [everything[0]]


def test_a_deal_withdrawn_from_public_view_is_in_the_public_feed(admin_api, anon):
    unpublished = DealFactory()
    embargoed = DealFactory()
    draft = DealFactory(is_published=False)
    later = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    assert admin_api.patch(f"/api/deals/{unpublished.pk}/", {"is_published": False}).status_code == 200
    assert admin_api.patch(f"/api/deals/{embargoed.pk}/", {"embargo_until": later}).status_code == 200
    # Never public: changing it withdraws nothing; neither does a change that keeps a deal public.
    assert admin_api.patch(f"/api/deals/{draft.pk}/", {"title": "Still a draft"}).status_code == 200
    assert admin_api.patch(f"/api/deals/{draft.pk}/", {"embargo_until": later}).status_code == 200
    assert admin_api.patch(f"/api/deals/{embargoed.pk}/", {"title": "Still embargoed"}).status_code == 200
    withdrawn = [("deals", unpublished.pk, "withdrawn"), ("deals", embargoed.pk, "withdrawn")]
    assert feed(anon) == withdrawn
    assert feed(admin_api) == withdrawn
    # Published again, it comes back through updated_since.
    assert admin_api.patch(f"/api/deals/{unpublished.pk}/", {"is_published": True}).status_code == 200
    assert listed_ids(anon, "/api/deals/", {"updated_since": SINCE}) == [unpublished.pk]
    assert Deletion.objects.count() == 2


def test_the_feed_filters_by_collection_and_time(admin_api):
    deal, other = DealFactory(), DealFactory()
    deal_id, other_id, buyer = deal.pk, other.pk, deal.buyer
    buyer_id = buyer.pk
    deal.delete()
    Deletion.objects.update(deleted_at=LONG_AGO)
    other.delete()
    buyer.delete()
    assert feed(admin_api) == [
        ("deals", deal_id, "deleted"),
        ("deals", other_id, "deleted"),
        ("enterprises", buyer_id, "deleted"),
    ]
    assert feed(admin_api, {"updated_since": SINCE}) == [
        ("deals", other_id, "deleted"),
        ("enterprises", buyer_id, "deleted"),
    ]
    assert feed(admin_api, {"collection": "enterprises"}) == [("enterprises", buyer_id, "deleted")]
    assert feed(admin_api, {"collection": ["enterprises", "deals"], "ordering": "-id"}) == [
        ("enterprises", buyer_id, "deleted"),
        ("deals", other_id, "deleted"),
        ("deals", deal_id, "deleted"),
    ]


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"collection": "nosuch"}, "collection"),
        ({"updated_since": "soon"}, "updated_since"),
        ({"ordering": "record_id"}, "ordering"),
        ({"fields": "nosuch"}, "fields"),
        ({"limit": "-1"}, "limit"),
        ({"nosuch": "1"}, "nosuch"),
    ],
)
def test_the_feed_refuses_bad_parameters_naming_them(anon, params, attr):
    response = anon.get(DELETIONS, params)
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == [attr]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_feed_is_read_only(admin_api, method):
    response = getattr(admin_api, method)(DELETIONS, {})
    assert response.status_code == 405


def test_an_entry_has_no_page_of_its_own(admin_api):
    deal = DealFactory()
    deal.delete()
    (entry,) = admin_api.get(DELETIONS).json()["results"]
    assert admin_api.get(f"{DELETIONS}{entry['id']}/").status_code == 404


def test_the_schema_documents_the_conditional_headers():
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text())
    detail = schema["paths"]["/api/deals/{id}/"]

    def headers(operation: dict) -> list[str]:
        return [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "header"]

    assert headers(detail["get"]) == ["If-Modified-Since", "If-None-Match"]
    assert headers(detail["patch"]) == headers(detail["put"]) == headers(detail["delete"]) == ["If-Match"]
    assert headers(schema["paths"]["/api/deals/"]["post"]) == ["Idempotency-Key"]
    assert sorted(detail["get"]["responses"]["304"]["headers"]) == ["ETag", "Last-Modified"]
    assert sorted(detail["get"]["responses"]["200"]["headers"]) == ["ETag", "Last-Modified"]
