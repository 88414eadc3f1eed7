"""A record's ETag is weak and changes whenever its body would: with the row, with a record
embedded in it, with the fields asked for and with the caller's role. If-Match checks only the
row's version (the writes themselves are in tests/integrity/test_safe_writes.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deals.models import Deal
from tests.factories import DealFactory, analyst

pytestmark = pytest.mark.django_db

TAG = re.compile(r'W/"(?P<row>[0-9a-f]{16})(?P<body>[0-9a-f]{16})"')


def detail(deal: Deal) -> str:
    return reverse("deal-detail", args=[deal.pk])


def parts(tag: str) -> tuple[str, str]:
    """A tag's row part and body part; a tag of another shape fails the test."""
    match = TAG.fullmatch(tag)
    assert match is not None, tag
    return match["row"], match["body"]


def test_renaming_the_buyer_changes_the_deals_tag_and_the_old_tag_gets_the_new_name(
    anon: APIClient, admin_api: APIClient
) -> None:
    deal = DealFactory(buyer__name="Old Buyer Ltd")
    before = anon.get(detail(deal))
    updated_at = Deal.objects.get(pk=deal.pk).updated_at

    renamed = admin_api.patch(reverse("enterprise-detail", args=[deal.buyer_id]), {"name": "New Buyer Ltd"})
    after = anon.get(detail(deal), headers={"If-None-Match": before["ETag"]})

    assert renamed.status_code == 200
    # The deal's own row did not change: only the record embedded in it did.
    assert Deal.objects.get(pk=deal.pk).updated_at == updated_at
    assert (before.json()["buyer"]["name"], after.status_code, after.json()["buyer"]["name"]) == (
        "Old Buyer Ltd",
        200,
        "New Buyer Ltd",
    )
    assert parts(after["ETag"])[0] == parts(before["ETag"])[0]
    assert parts(after["ETag"])[1] != parts(before["ETag"])[1]
    assert anon.get(detail(deal), headers={"If-None-Match": after["ETag"]}).status_code == 304


def test_the_same_request_twice_gets_the_same_tag_and_then_a_304(anon: APIClient) -> None:
    deal = DealFactory()
    first = anon.get(detail(deal), {"fields": "id,title"})
    second = anon.get(detail(deal), {"fields": "id,title"})

    again = anon.get(detail(deal), {"fields": "id,title"}, headers={"If-None-Match": first["ETag"]})

    assert TAG.fullmatch(first["ETag"])
    assert first["ETag"] == second["ETag"]
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])


@pytest.mark.parametrize(
    "selection",
    [{"fields": "id"}, {"omit": "description"}, {"expand": "buyer"}],
    ids=["fields", "omit", "expand"],
)
def test_another_selection_has_another_tag_for_the_same_row(anon: APIClient, selection: dict) -> None:
    deal = DealFactory(description="Thirty tonnes of silicone")
    full = anon.get(detail(deal))

    narrow = anon.get(detail(deal), selection)
    with_full_tag = anon.get(detail(deal), selection, headers={"If-None-Match": full["ETag"]})

    assert narrow.json() != full.json()
    assert parts(narrow["ETag"])[0] == parts(full["ETag"])[0]
    assert narrow["ETag"] != full["ETag"]
    assert (with_full_tag.status_code, with_full_tag.json()) == (200, narrow.json())


def test_an_anonymous_and_an_analyst_view_have_different_tags(anon: APIClient, analyst_api: APIClient) -> None:
    deal = DealFactory()

    public = anon.get(detail(deal))
    analysts = analyst_api.get(detail(deal))
    crossed = analyst_api.get(detail(deal), headers={"If-None-Match": public["ETag"]})

    # The same body, but a cache must not take one role's answer for another's.
    assert public.json() == analysts.json()
    assert parts(public["ETag"])[0] == parts(analysts["ETag"])[0]
    assert public["ETag"] != analysts["ETag"]
    assert (crossed.status_code, crossed.json()) == (200, analysts.json())


def test_two_analysts_share_a_tag(analyst_api: APIClient) -> None:
    deal = DealFactory()
    other = APIClient()
    other.force_authenticate(analyst(username="second-analyst"))

    assert analyst_api.get(detail(deal))["ETag"] == other.get(detail(deal))["ETag"]


def test_a_304_reads_what_the_200_reads(anon: APIClient) -> None:
    deal = DealFactory(markets=[])
    with CaptureQueriesContext(connection) as full:
        first = anon.get(detail(deal))
    with CaptureQueriesContext(connection) as conditional:
        again = anon.get(detail(deal), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert len(conditional.captured_queries) == len(full.captured_queries)


def test_a_write_answers_with_the_tag_a_get_then_gives(admin_api: APIClient) -> None:
    deal = DealFactory()
    payload = {
        "title": "New order",
        "buyer": deal.buyer_id,
        "seller": deal.seller_id,
        "delegation": deal.delegation_id,
        "edition": deal.edition_id,
        "value": {"amount": "1000.00", "currency": "USD"},
    }

    created = admin_api.post(reverse("deal-list"), payload, format="json")
    replaced = admin_api.put(detail(deal), payload, format="json")

    assert (created.status_code, replaced.status_code) == (201, 200)
    assert created["ETag"] == admin_api.get(reverse("deal-detail", args=[created.json()["id"]]))["ETag"]
    assert replaced["ETag"] == admin_api.get(detail(deal))["ETag"]


def test_a_stage_move_answers_with_the_tag_a_get_then_gives(admin_api: APIClient) -> None:
    deal = DealFactory(stage=Deal.Stage.INTENTION, signed_on=None)
    tag = admin_api.get(detail(deal))["ETag"]

    signed = admin_api.post(
        reverse("deal-sign", args=[deal.pk]), {"signed_on": "2023-11-06"}, format="json", HTTP_IF_MATCH=tag
    )

    assert signed.status_code == 200
    assert signed["ETag"] == admin_api.get(detail(deal))["ETag"]
    assert parts(signed["ETag"])[0] != parts(tag)[0]
