"""Deep pages: past the first page (and on every page of a search) a list reads the page's keys
first, then the page's rows by key, and the rows are exactly those of plain OFFSET paging, in the
same order."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Deal
from tests.factories import CategoryFactory, DealFactory, DealLineItemFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals():
    category = CategoryFactory()
    made = DealFactory.create_batch(23)
    for index, deal in enumerate(made):
        DealLineItemFactory.create_batch(1 + index % 3, deal=deal, category=category)
    # Ties on the sort key, so only the id decides between them.
    Deal.objects.filter(pk__in=[deal.pk for deal in made[:8]]).update(signed_on=made[0].signed_on)
    return category


def ids(client, params: dict) -> list[int]:
    response = client.get("/api/deals/", params)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "params",
    [{}, {"ordering": "value_usd"}, {"ordering": "-title,signed_on"}, {"search": "agreement"}, {"stage": "signed"}],
)
def test_every_page_holds_the_rows_of_plain_offset_paging(anon, deals, params):
    every = ids(anon, {**params, "limit": 1000})
    pages = [ids(anon, {**params, "limit": 5, "offset": offset}) for offset in range(0, len(every) + 5, 5)]
    assert [deal for page in pages for deal in page] == every
    assert pages[-1] == []


def test_a_filter_that_makes_rows_distinct_pages_the_same(anon, deals):
    every = ids(anon, {"category": deals.pk, "fields": "id", "limit": 1000})
    assert len(every) == 23
    pages = [
        ids(anon, {"category": deals.pk, "fields": "id", "limit": 4, "offset": offset}) for offset in range(0, 24, 4)
    ]
    assert [deal for page in pages for deal in page] == every


def test_a_deep_page_costs_one_query_more_than_the_first(anon, deals):
    with CaptureQueriesContext(connection) as first:
        ids(anon, {"limit": 5})
    with CaptureQueriesContext(connection) as deep:
        ids(anon, {"limit": 5, "offset": 15})
    # The count, the page, markets and line items; a deep page reads its keys first.
    assert (len(first.captured_queries), len(deep.captured_queries)) == (4, 5)
    keys = deep.captured_queries[1]["sql"]
    assert re.findall(r'"(\w+)"\."(\w+)"', keys.split(" FROM ")[0]) == [("deals_deal", "id")]


def test_a_search_reads_its_keys_first_on_the_first_page_too(anon, deals):
    every = ids(anon, {"search": "agreement", "limit": 1000})
    with CaptureQueriesContext(connection) as first:
        page = ids(anon, {"search": "agreement", "limit": 5})
    # The count, the page's keys (from the deals alone), its rows by key, markets and line items.
    assert len(every) > 5
    assert (page, len(first.captured_queries)) == (every[:5], 5)
    keys = first.captured_queries[1]["sql"]
    assert re.findall(r'"(\w+)"\."(\w+)"', keys.split(" FROM ")[0]) == [("deals_deal", "id")]
    # The count and the keys look for the word; the rows, fetched by key, do not look again.
    looked = ["AGREEMENT" in query["sql"].upper() for query in first.captured_queries[:3]]
    assert looked == [True, True, False]


def test_a_deep_pages_rows_are_fetched_by_key_without_the_filters_again(anon, deals):
    every = ids(anon, {"category": deals.pk, "ordering": "title", "limit": 1000})
    with CaptureQueriesContext(connection) as deep:
        page = ids(anon, {"category": deals.pk, "ordering": "title", "limit": 5, "offset": 5})
    assert (len(every), page) == (23, every[5:10])
    count, keys, rows = (query["sql"] for query in deep.captured_queries[:3])
    assert all('"deals_deallineitem"."category_id" =' in sql for sql in (count, keys))
    assert '"deals_deal"."id" IN (' in rows
    assert "deals_deallineitem" not in rows


def test_an_offset_past_the_end_is_an_empty_page_of_the_right_count(anon, deals):
    response = anon.get("/api/deals/", {"offset": 500})
    assert (response.json()["count"], response.json()["results"]) == (23, [])


def test_other_collections_page_deep_the_same(anon):
    EnterpriseFactory.create_batch(9)
    every = [row["id"] for row in anon.get("/api/enterprises/", {"limit": 1000}).json()["results"]]
    pages = [
        [row["id"] for row in anon.get("/api/enterprises/", {"limit": 2, "offset": offset}).json()["results"]]
        for offset in range(0, 10, 2)
    ]
    assert [row for page in pages for row in page] == every
