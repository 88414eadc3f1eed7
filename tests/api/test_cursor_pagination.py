"""Cursor paging for infinite scroll: ``?cursor=`` starts it, ``next``/``previous`` carry on.
Walking every page either way gives every row once, in the order of limit/offset paging, with
the filters kept, whatever is created or deleted meanwhile; a cursor this list did not give is a
400 naming ``cursor``; a page costs the same queries however deep it is."""

import datetime
import urllib.parse
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Deal
from delegations.models import Enterprise
from framework.api.pagination import CURSOR_SALT
from tests.factories import (
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    MarketFactory,
)

pytestmark = pytest.mark.django_db

DEALS = 21
# Deals hidden from the public: two unpublished, one under embargo.
HIDDEN = (4, 11, 8)


@pytest.fixture
def deals() -> list[Deal]:
    """Deals with ties on every sort key, some with no value and some unsigned (no signed_on)."""
    edition = EditionFactory()
    delegation = DelegationFactory()
    buyer, seller = EnterpriseFactory.create_batch(2)
    market = MarketFactory()
    amounts = (None, Decimal("5.00"), Decimal("5.00"), Decimal("7.00"), None, Decimal("3.00"), Decimal("7.00"))
    made = []
    for index in range(DEALS):
        unsigned = index % 5 == 0
        deal = DealFactory(
            edition=edition,
            delegation=delegation,
            buyer=buyer,
            seller=seller,
            title=f"Agreement {index % 3}",
            amount=amounts[index % len(amounts)],
            stage=Deal.Stage.INTENTION if unsigned else Deal.Stage.SIGNED,
            signed_on=None if unsigned else edition.start_date + datetime.timedelta(days=index % 2),
            is_published=index not in HIDDEN[:2],
            embargo_until=timezone.now() + datetime.timedelta(days=30) if index == HIDDEN[2] else None,
            markets=[market],
        )
        DealLineItemFactory(deal=deal)
        made.append(deal)
    return made


def listed(client, path: str, params: dict) -> list[int]:
    """The ids of the whole list, by limit/offset paging."""
    response = client.get(path, {**params, "limit": 1000})
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def page(client, url: str, params: dict | None = None) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] is None
    return body


def walk(client, path: str, params: dict, *, limit: int) -> tuple[list[list[int]], list[list[int]]]:
    """The pages from the first to the last by ``next``, then back to the first by ``previous``."""
    body = page(client, path, {**params, "cursor": "", "limit": limit})
    assert body["previous"] is None
    forwards = [body]
    while forwards[-1]["next"] is not None:
        forwards.append(page(client, forwards[-1]["next"]))
    backwards = [forwards[-1]]
    while backwards[-1]["previous"] is not None:
        backwards.append(page(client, backwards[-1]["previous"]))
    for body in forwards + backwards:
        assert len(body["results"]) <= limit
    ids = lambda bodies: [[row["id"] for row in body["results"]] for body in bodies]  # noqa: E731
    return ids(forwards), ids(backwards)


def flat(pages: list[list[int]]) -> list[int]:
    return [row for rows in pages for row in rows]


ORDERINGS = [
    None,
    "value_usd",
    "-value_usd",
    "title",
    "-title",
    "signed_on",
    "-signed_on",
    "stage",
    "-stage",
    "-created_at",
    "id",
    "-id",
]


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize("who", ["anon", "analyst_api"])
def test_walking_either_way_gives_every_deal_once_in_order(request, deals, who, ordering):
    client = request.getfixturevalue(who)
    params = {} if ordering is None else {"ordering": ordering}
    every = listed(client, "/api/deals/", params)
    assert len(every) == (DEALS - len(HIDDEN) if who == "anon" else DEALS)
    forwards, backwards = walk(client, "/api/deals/", params, limit=4)
    assert flat(forwards) == every
    assert flat(backwards[::-1]) == every
    assert [len(rows) for rows in forwards] == [4] * (len(every) // 4) + ([len(every) % 4] if len(every) % 4 else [])


def test_deals_with_no_value_come_last_either_way(anon, deals):
    forwards, _ = walk(anon, "/api/deals/", {"ordering": "-value_usd"}, limit=5)
    values = dict(Deal.objects.values_list("id", "value_usd"))
    walked = [values[deal] for deal in flat(forwards)]
    assert walked == sorted((value for value in walked if value is not None), reverse=True) + [None] * 4


def test_a_page_of_one_walks_too(anon, deals):
    every = listed(anon, "/api/deals/", {"ordering": "value_usd"})
    forwards, backwards = walk(anon, "/api/deals/", {"ordering": "value_usd"}, limit=1)
    assert flat(forwards) == flat(backwards[::-1]) == every


def test_filters_and_the_fields_asked_for_are_kept_across_pages(anon, deals):
    params = {"stage": "signed", "fields": "id,title,buyer", "expand": "buyer", "ordering": "title"}
    body = page(anon, "/api/deals/", {**params, "cursor": "", "limit": 3})
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(body["next"]).query)
    assert {name: values for name, values in query.items() if name != "cursor"} == {
        "stage": ["signed"],
        "fields": ["id,title,buyer"],
        "expand": ["buyer"],
        "ordering": ["title"],
        "limit": ["3"],
    }
    forwards, backwards = walk(anon, "/api/deals/", params, limit=3)
    assert flat(forwards) == flat(backwards[::-1]) == listed(anon, "/api/deals/", params)
    row = page(anon, body["next"])["results"][0]
    assert (set(row), "kind" in row["buyer"]) == ({"id", "title", "buyer"}, True)


def test_search_and_a_filter_across_a_relation_are_kept(anon, deals):
    # The market filter joins the deal's markets (a distinct query): a deal aimed at the market and
    # another is listed once; one aimed at other markets only is left out.
    market = deals[0].markets.get()
    both = DealFactory(edition=deals[0].edition, title="Agreement 1", markets=[market, MarketFactory()])
    DealFactory(edition=deals[0].edition, title="Agreement 1", markets=[MarketFactory()])
    params = {"search": "Agreement", "market": market.pk, "ordering": "value_usd"}
    every = listed(anon, "/api/deals/", params)
    public = [deal.pk for index, deal in enumerate(deals) if index not in HIDDEN]
    assert sorted(every) == sorted([*public, both.pk])
    forwards, backwards = walk(anon, "/api/deals/", params, limit=2)
    assert flat(forwards) == flat(backwards[::-1]) == every


def test_a_cursor_page_carries_no_etag_as_an_offset_page_does_not(anon, deals):
    # Tags are of single records: a list, paged either way, is never answered 304.
    for query in ({"cursor": "", "limit": 2}, {"limit": 2}):
        response = anon.get("/api/deals/", query, HTTP_IF_NONE_MATCH="*")
        assert (response.status_code, response.has_header("ETag")) == (200, False)


def test_rows_created_or_deleted_between_pages_shift_no_page(admin_api, deals):
    every = listed(admin_api, "/api/deals/", {"ordering": "id"})
    first = page(admin_api, "/api/deals/", {"ordering": "id", "cursor": "", "limit": 5})
    seen = [row["id"] for row in first["results"]]
    assert seen == every[:5]
    # The row the cursor points after, one already seen and one still to come go; one comes.
    gone = [every[4], every[0], every[9]]
    Deal.objects.filter(pk__in=gone).delete()
    added = DealFactory(edition=deals[0].edition).pk
    rest = [page(admin_api, first["next"])]
    while rest[-1]["next"] is not None:
        rest.append(page(admin_api, rest[-1]["next"]))
    walked = seen + [row["id"] for body in rest for row in body["results"]]
    assert walked == every[:5] + [deal for deal in every[5:] if deal not in gone] + [added]


def test_a_deal_created_before_the_position_appears_only_going_back(anon, deals):
    every = listed(anon, "/api/deals/", {"ordering": "-id"})
    first = page(anon, "/api/deals/", {"ordering": "-id", "cursor": "", "limit": 6})
    second = page(anon, first["next"])
    # The newest deal sorts first: the pages ahead do not move, the page back shows it.
    newest = DealFactory(edition=deals[0].edition)
    rest = [page(anon, second["next"])]
    while rest[-1]["next"] is not None:
        rest.append(page(anon, rest[-1]["next"]))
    assert [row["id"] for body in [first, second, *rest] for row in body["results"]] == every
    back = page(anon, page(anon, second["previous"])["previous"])
    assert [row["id"] for row in back["results"]] == [newest.pk]


def test_the_public_never_gets_a_cursor_of_a_hidden_deal(anon, analyst_api, deals):
    hidden = {deals[index].pk for index in HIDDEN}
    pages = [page(anon, "/api/deals/", {"ordering": "id", "cursor": "", "limit": 2})]
    while pages[-1]["next"] is not None:
        pages.append(page(anon, pages[-1]["next"]))
    links = [link for body in pages for link in (body["next"], body["previous"]) if link]
    positions = {cursor_payload(link)["k"][-1] for link in links}
    # Pages of two: each cursor points at the last or first row of a page, all the public's.
    public = [deal.pk for deal in deals if deal.pk not in hidden]
    assert positions == set(public[1:-1])
    # A cursor at a hidden deal, from an analyst, gives the public only what it sees after it.
    analyst_pages = [page(analyst_api, "/api/deals/", {"ordering": "id", "cursor": "", "limit": 5})]
    assert cursor_payload(analyst_pages[0]["next"])["k"][-1] == deals[4].pk
    after = page(anon, analyst_pages[0]["next"].replace("limit=5", "limit=1000"))
    assert [row["id"] for row in after["results"]] == [deal.pk for deal in deals[5:] if deal.pk not in hidden]


def test_enterprises_walk_by_name_with_ties_and_by_updated_at(anon):
    for index in range(11):
        EnterpriseFactory(name=f"Enterprise {index % 4}")
    for ordering in (None, "name", "-name", "-updated_at", "-id"):
        params = {} if ordering is None else {"ordering": ordering}
        forwards, backwards = walk(anon, "/api/enterprises/", params, limit=3)
        every = listed(anon, "/api/enterprises/", params)
        assert len(every) == Enterprise.objects.count()
        assert flat(forwards) == flat(backwards[::-1]) == every


def cursor_payload(link: str) -> dict:
    raw = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["cursor"][0]
    return signing.loads(raw, salt=CURSOR_SALT)


def errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.content
    return [(error["attr"], error["code"]) for error in response.json()["errors"]]


def test_a_cursor_this_list_did_not_give_is_a_400_naming_cursor(anon, deals):
    first = page(anon, "/api/deals/", {"cursor": "", "limit": 2})
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(first["next"]).query)["cursor"][0]
    payload = cursor_payload(first["next"])
    forged = signing.dumps({**payload, "k": [None, 1]}, salt="another salt", compress=False)
    enterprises = page(anon, "/api/enterprises/", {"cursor": "", "limit": 1})["next"]
    bad = [
        "abc",
        token[:-2],
        token.replace(token[3], "A" if token[3] != "A" else "B", 1),
        forged,
        signing.dumps({**payload, "v": 0}, salt=CURSOR_SALT, compress=False),
        signing.dumps({**payload, "k": ["not a date", 1]}, salt=CURSOR_SALT, compress=False),
        signing.dumps({**payload, "k": [None]}, salt=CURSOR_SALT, compress=False),
        signing.dumps(["a list"], salt=CURSOR_SALT, compress=False),
        urllib.parse.parse_qs(urllib.parse.urlsplit(enterprises).query)["cursor"][0],
        "é" * 300,
    ]
    for cursor in bad:
        assert errors(anon.get("/api/deals/", {"cursor": cursor})) == [("cursor", "invalid_cursor")], cursor
    # A cursor of one ordering does not point anywhere in another.
    assert errors(anon.get("/api/deals/", {"cursor": token, "ordering": "id"})) == [("cursor", "invalid_cursor")]


def test_cursor_with_offset_or_an_ordering_no_index_serves_is_a_400(anon, deals):
    assert errors(anon.get("/api/deals/", {"cursor": "", "offset": 0})) == [("cursor", "cursor_with_offset")]
    assert errors(anon.get("/api/deals/", {"cursor": "", "ordering": "signed_on,title"})) == [
        ("ordering", "not_indexed")
    ]
    assert errors(anon.get("/api/deals/", {"cursor": "", "ordering": "title,id"})) == [("ordering", "not_indexed")]
    assert errors(anon.get("/api/enterprises/", {"cursor": "", "ordering": "country"})) == [("ordering", "not_indexed")]
    assert errors(anon.get("/api/deals/", {"cursor": "", "limit": 0})) == [("limit", "invalid")]
    # Collections without cursor paging, and a deal's history, do not take it.
    assert errors(anon.get("/api/markets/", {"cursor": ""})) == [("cursor", "unknown_parameter")]


def test_limit_keeps_its_cap_and_offset_paging_its_count(anon, deals):
    body = page(anon, "/api/deals/", {"cursor": "", "limit": 5000})
    assert (len(body["results"]), body["next"]) == (DEALS - len(HIDDEN), None)
    assert anon.get("/api/deals/", {"limit": 2}).json()["count"] == DEALS - len(HIDDEN)


@pytest.mark.parametrize("ordering", [None, "title", "-created_at"])
def test_a_page_costs_the_same_queries_however_deep(anon, deals, ordering):
    params = {} if ordering is None else {"ordering": ordering}
    first = page(anon, "/api/deals/", {**params, "cursor": "", "limit": 3})
    second = page(anon, first["next"])
    counts = []
    for url, query in (("/api/deals/", {**params, "cursor": "", "limit": 3}), (second["next"], None)):
        with CaptureQueriesContext(connection) as captured:
            page(anon, url, query)
        counts.append(len(captured))
    with CaptureQueriesContext(connection) as captured:
        page(anon, second["previous"])
    counts.append(len(captured))
    # The page's keys and sort values, its rows, their markets and line items; nothing counted.
    assert counts == [4, 4, 4]


def test_where_deals_with_no_value_begin_a_page_reads_them_in_one_query_more(anon, deals):
    # Ascending by value the public's 18 deals are 14 with a value, then 4 without: page 3 crosses.
    first = page(anon, "/api/deals/", {"ordering": "value_usd", "cursor": "", "limit": 5})
    second = page(anon, first["next"])
    counts = []
    for url in (first["next"], second["next"]):
        with CaptureQueriesContext(connection) as captured:
            page(anon, url)
        counts.append(len(captured))
    assert counts == [4, 5]
