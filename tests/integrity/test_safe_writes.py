"""Writes that cannot lose or repeat work: ETag and If-Match, PATCH of only the fields sent,
Idempotency-Key on POST (serially here; concurrently in test_concurrency)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Deal
from framework.models import IdempotencyKey
from tests.factories import DealFactory, EnterpriseFactory, admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return admin(username="writer")


@pytest.fixture
def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def detail(deal):
    return reverse("deal-detail", args=[deal.pk])


def deal_payload(deal: Deal, **changes) -> dict:
    return {
        "title": "New order",
        "buyer": deal.buyer_id,
        "seller": deal.seller_id,
        "delegation": deal.delegation_id,
        "edition": deal.edition_id,
        "value": {"amount": "1000.00", "currency": "USD"},
    } | changes


def test_detail_carries_an_etag_that_changes_with_the_record(client):
    deal = DealFactory()
    first = client.get(detail(deal))["ETag"]

    client.patch(detail(deal), {"title": "Changed"}, format="json")

    second = client.get(detail(deal))["ETag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', first)
    assert first != second


@pytest.mark.parametrize("method", ["put", "patch"])
def test_if_match_with_the_current_tag_writes(client, method):
    deal = DealFactory()
    tag = client.get(detail(deal))["ETag"]

    response = getattr(client, method)(
        detail(deal), deal_payload(deal, title="Changed"), format="json", HTTP_IF_MATCH=tag
    )

    assert response.status_code == 200
    assert Deal.objects.get(pk=deal.pk).title == "Changed"
    assert response["ETag"] == client.get(detail(deal))["ETag"]


@pytest.mark.parametrize("query", [{"fields": "id"}, {"expand": "buyer,seller"}], ids=["fields", "expand"])
def test_if_match_checks_the_row_whatever_the_view_the_tag_was_read_with(client, query):
    deal = DealFactory()
    tag = client.get(detail(deal), query)["ETag"]

    response = client.patch(detail(deal), {"title": "Changed"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200
    assert Deal.objects.get(pk=deal.pk).title == "Changed"


def test_if_match_still_writes_after_an_embedded_record_changed(client):
    deal = DealFactory()
    tag = client.get(detail(deal))["ETag"]
    # The buyer's new name changes the deal's tag, but not the deal's own row.
    client.patch(reverse("enterprise-detail", args=[deal.buyer_id]), {"name": "Renamed Ltd"}, format="json")
    assert client.get(detail(deal))["ETag"] != tag

    response = client.patch(detail(deal), {"title": "Changed"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200
    assert Deal.objects.get(pk=deal.pk).title == "Changed"


@pytest.mark.parametrize(
    "if_match",
    [
        lambda tag: tag.removeprefix("W/"),
        lambda tag: f'"stale", {tag}',
    ],
    ids=["without-weakness-mark", "in-a-list"],
)
def test_if_match_takes_the_tag_without_its_mark_or_among_others(client, if_match):
    deal = DealFactory()
    tag = client.get(detail(deal))["ETag"]

    response = client.patch(detail(deal), {"title": "Changed"}, format="json", HTTP_IF_MATCH=if_match(tag))

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_with_a_stale_tag_is_412_and_changes_nothing(client, method):
    deal = DealFactory(title="Original")
    stale = client.get(detail(deal))["ETag"]
    client.patch(detail(deal), {"description": "Someone else's edit"}, format="json")

    response = getattr(client, method)(
        detail(deal), deal_payload(deal, title="Mine"), format="json", HTTP_IF_MATCH=stale
    )

    assert response.status_code == 412
    assert response.json()["errors"][0]["code"] == "stale"
    assert Deal.objects.get(pk=deal.pk).title == "Original"


@pytest.mark.parametrize(
    "if_match",
    [lambda tag: '"stale"', lambda tag: tag[: len('W/"') + 16] + '"'],
    ids=["unknown", "row-part-alone"],
)
def test_if_match_with_a_tag_never_given_is_412(client, if_match):
    deal = DealFactory(title="Original")
    tag = client.get(detail(deal))["ETag"]

    response = client.patch(detail(deal), {"title": "Mine"}, format="json", HTTP_IF_MATCH=if_match(tag))

    assert response.status_code == 412
    assert Deal.objects.get(pk=deal.pk).title == "Original"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_if_match_star_always_matches(client, method):
    deal = DealFactory()
    client.patch(detail(deal), {"description": "Someone else's edit"}, format="json")

    response = getattr(client, method)(detail(deal), deal_payload(deal, title="x"), format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200
    assert Deal.objects.get(pk=deal.pk).title == "x"


# Outside the test's transaction, as a real request is: the OPTIONS answer takes no lock there.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("if_match", [None, "", '"stale"'])
def test_options_describes_the_put_a_record_takes_whatever_if_match_says(client, if_match):
    deal = DealFactory()
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}

    response = client.options(detail(deal), **headers)

    assert response.status_code == 200
    assert list(response.json()["actions"]) == ["PUT"]
    assert response.json()["actions"]["PUT"]["title"]["max_length"] == 300
    assert Deal.objects.get().updated_at == deal.updated_at


def test_patch_writes_only_the_fields_sent(client):
    deal = DealFactory(title="Old title", description="Old description")
    # Another writer changes the description after this deal object was loaded.
    Deal.objects.filter(pk=deal.pk).update(description="Their description")

    client.patch(detail(deal), {"title": "My title"}, format="json")

    assert Deal.objects.values_list("title", "description").get(pk=deal.pk) == ("My title", "Their description")


def test_patch_of_an_enterprise_writes_only_the_fields_sent(client):
    enterprise = EnterpriseFactory(name="Old", industry="Old industry")

    client.patch(reverse("enterprise-detail", args=[enterprise.pk]), {"name": "New"}, format="json")

    assert enterprise.history.latest().history_type == "~"
    assert type(enterprise).objects.values_list("name", "industry").get(pk=enterprise.pk) == ("New", "Old industry")


def test_idempotent_retry_returns_the_first_response_and_creates_one_row(client):
    template = DealFactory()
    payload = deal_payload(template)

    first = client.post(reverse("deal-list"), payload, format="json", HTTP_IDEMPOTENCY_KEY="order-42")
    retry = client.post(reverse("deal-list"), payload, format="json", HTTP_IDEMPOTENCY_KEY="order-42")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Deal.objects.filter(title="New order").count() == 1


def test_the_same_key_with_another_body_is_a_409(client):
    template = DealFactory()
    client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="k")

    response = client.post(
        reverse("deal-list"), deal_payload(template, title="Other"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Deal.objects.filter(title="Other").count() == 0


def test_keys_are_scoped_to_the_caller(client):
    template = DealFactory()
    other = APIClient()
    other.force_authenticate(admin(username="someone-else"))

    client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert Deal.objects.filter(title="New order").count() == 2


def test_a_failed_request_does_not_use_up_its_key(client):
    template = DealFactory()
    bad = deal_payload(template, value={"amount": "-1", "currency": "USD"})

    assert client.post(reverse("deal-list"), bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    good = client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert good.status_code == 201
    assert IdempotencyKey.objects.get().response_status == 201


def test_keys_expire_after_24_hours(client, user):
    template = DealFactory()
    client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, seconds=1))

    client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert Deal.objects.filter(title="New order").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "é"])
def test_a_malformed_key_is_a_400_naming_the_header(client, key):
    template = DealFactory()

    response = client.post(reverse("deal-list"), deal_payload(template), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "Idempotency-Key"
    assert Deal.objects.filter(title="New order").count() == 0
