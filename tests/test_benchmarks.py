"""The raw-limit deal lists of the benchmarks answer exactly what the API's deal list answers the
public, in the queries their docstrings promise: without that, the throughput ratios the
benchmarks report would compare different work."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import measurements
from benchmarks.measurements import Bench, deep_offset, list_in_process, page_depth
from deals.models import Deal
from framework.access import published_condition
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    MarketFactory,
    SourceFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("benchmarks.urls")]

# Nine deals in all, of which the public sees seven: one is unpublished, one still embargoed.
PUBLIC_DEALS = 7
PAGES = [
    "",
    "?limit=2",
    "?limit=2&offset=2",
    "?offset=4&limit=2",
    "?limit=3&offset=1",
    "?limit=3&offset=6",
    "?limit=5000",
    "?limit=2&offset=7",
    "?limit=2&offset=100",
]


@pytest.fixture
def deals() -> None:
    """Deals with every field the list renders filled in more than one way."""
    shanghai = DelegationFactory(name="Shanghai trading delegation")
    qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=shanghai)
    named = EditionFactory(number=6, name="6th China International Import Expo")
    # No name of its own: the API calls it by number and the expo's short name.
    unnamed = EditionFactory(expo=ExpoFactory(short_name="SIIE"), number=2, name="")
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行工业超市", country="CN")
    dow = EnterpriseFactory(name="Dow", country="US")
    stateless = EnterpriseFactory(name="Société « Nouvelle » d’import", country="")
    electronics, architecture, energy = (MarketFactory(name=name) for name in ("Electronics", "Architecture", "Energy"))
    silicones, devices = CategoryFactory(name="Organo-silicon products"), CategoryFactory(name="Medical devices")
    report = SourceFactory(title="Procurement, cultural exchanges and opening-up thanks to CIIE")

    first = DealFactory(
        title="Organo-silicon products procurement",
        description="The Shanghai delegation's first order.\nSigned on the opening day.",
        buyer=zkh,
        seller=dow,
        delegation=qingpu,
        edition=named,
        amount=Decimal("300000000.00"),
        first_deal_of=shanghai,
        source=report,
        markets=[energy, electronics, architecture],
    )
    DealLineItemFactory(deal=first, product="Silicone sealant", category=silicones, amount=Decimal("120000000.50"))
    DealLineItemFactory(deal=first, product="Silane coupling agent", category=silicones, hs_code="")
    euros = DealFactory(
        buyer=dow,
        seller=stateless,
        delegation=shanghai,
        edition=unnamed,
        currency="EUR",
        amount=Decimal("1234567.89"),
        regional_debut=True,
        debut_region="Asia Pacific",
        embargo_until=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        markets=[electronics],
    )
    DealLineItemFactory(deal=euros, product="Ultrasound scanner", category=devices, hs_code="901812")
    DealFactory(currency="JPY", amount=Decimal("98765432.10"), edition=named, stage="intention", signed_on=None)
    DealFactory(currency="CNY", amount=Decimal("10000.00"), edition=named, buyer=stateless, seller=zkh)
    for day in (1, 2, 3):
        DealFactory(edition=named, signed_on=named.start_date + datetime.timedelta(days=day), source=report)
    DealFactory(edition=named, is_published=False)
    DealFactory(edition=named, embargo_until=timezone.now() + datetime.timedelta(days=1))


RAW_VIEWS = ["raw-deal-list", "raw-deal-list-by-keys"]


@pytest.fixture
def counts_kept(settings):
    """Counts kept as production keeps them, with time standing still (the public's query
    changes with the second)."""
    settings.LIST_COUNT_CACHE_SECONDS = 60
    cache.clear()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        yield
    cache.clear()


@pytest.mark.parametrize("view", RAW_VIEWS)
@pytest.mark.parametrize("page", PAGES)
def test_the_raw_views_render_the_deal_list_exactly(deals, anon, client, page, view):
    api = anon.get(reverse("deal-list") + page)
    raw = client.get(reverse(view) + page)

    assert api.status_code == raw.status_code == 200
    assert raw["Content-Type"] == "application/json"
    assert raw.json() == api.json()
    assert api.json()["count"] == PUBLIC_DEALS


def test_the_compared_pages_hold_every_kind_of_field(deals, anon):
    body = anon.get(reverse("deal-list"), {"limit": 1000}).json()
    results = body["results"]

    assert len(results) == PUBLIC_DEALS
    assert {deal["value"]["currency"] for deal in results} == {"USD", "EUR", "JPY", "CNY"}
    assert any(deal["first_deal_of"] for deal in results)
    assert any(deal["usd_rate_date"] is None for deal in results)
    assert any(deal["signed_on"] is None for deal in results)
    assert any(deal["embargo_until"] for deal in results)
    assert any(deal["source"] is None for deal in results)
    assert any(len(deal["markets"]) == 3 for deal in results)
    assert {item["amount"] for deal in results for item in deal["line_items"]} == {None, "120000000.50"}
    assert "2nd SIIE" in {deal["edition"]["name"] for deal in results}


@pytest.mark.parametrize("offset", [0, 2])
def test_the_raw_view_reads_a_page_in_four_queries(deals, client, django_assert_num_queries, offset):
    with django_assert_num_queries(4):
        response = client.get(reverse("raw-deal-list"), {"limit": 100, "offset": offset})

    assert len(response.json()["results"]) == PUBLIC_DEALS - offset


def test_the_keys_first_view_reads_the_first_page_in_four_queries(deals, client, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get(reverse("raw-deal-list-by-keys"), {"limit": 100})

    assert len(response.json()["results"]) == PUBLIC_DEALS


def test_the_keys_first_view_reads_the_keys_then_the_rows_past_the_first_page(deals, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("raw-deal-list-by-keys"), {"limit": 3, "offset": 2})

    assert [row["id"] for row in response.json()["results"]] == list(
        Deal.objects.filter(published_condition()).values_list("id", flat=True)[2:5]
    )
    count, keys, rows, markets, line_items = (query["sql"] for query in queries.captured_queries)
    assert "COUNT(*)" in count
    # The keys are read from the deals alone, the rows by those keys.
    assert "JOIN" not in keys
    assert "OFFSET 2" in keys
    assert "JOIN" in rows
    assert "OFFSET" not in rows
    assert "deals_deal_markets" in markets
    assert "deals_deallineitem" in line_items


@pytest.mark.usefixtures("counts_kept")
@pytest.mark.parametrize(("path", "kept", "counted"), [("", 3, 4), ("?limit=2&offset=2", 4, 5)])
def test_the_keys_first_view_keeps_its_count_as_the_api_does(deals, anon, client, path, kept, counted):
    """A repeated page skips its count in the API and in the keys-first view alike; the
    view cutting the page with OFFSET counts every time."""

    def queries(caller, name: str) -> int:
        caller.get(reverse(name) + path)
        with CaptureQueriesContext(connection) as captured:
            assert caller.get(reverse(name) + path).status_code == 200
        return len(captured)

    api = queries(anon, "deal-list")
    by_keys = queries(client, "raw-deal-list-by-keys")
    raw = queries(client, "raw-deal-list")

    assert (api, by_keys, raw) == (kept, kept, 4)
    cache.clear()
    with CaptureQueriesContext(connection) as afresh:
        client.get(reverse("raw-deal-list-by-keys") + path)
    assert len(afresh) == counted


@pytest.mark.parametrize("view", RAW_VIEWS)
@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "ten"}, {"offset": "-1"}])
def test_the_raw_views_refuse_what_is_not_a_page(client, query, view):
    assert client.get(reverse(view), query).status_code == 400


# --- the measurements, run small (their structure; the figures are make bench's) ------------------


@pytest.fixture
def in_process():
    """Requests through the WSGI handler, as the measurements send them, within the test's
    transaction: the handler would otherwise close the database connection as each ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def bench_of(*, deals: int) -> Bench:
    return Bench(deals=deals, seconds=0.02, server_env={}, say=lambda message: None, public_deals=PUBLIC_DEALS)


@pytest.mark.parametrize(
    ("deals", "public", "offset"),
    [(1_000_000, 900_000, 500_000), (100_000, 90_000, 50_000), (100_000, 30_001, 30_000), (9, 7, 0)],
)
def test_the_deep_page_is_half_way_through_the_deals_measured(deals, public, offset):
    assert deep_offset(deals=deals, public_deals=public) == offset


@pytest.mark.usefixtures("in_process")
def test_the_list_is_measured_against_both_raw_views_with_counts_kept_and_not(deals):
    bench = bench_of(deals=9)

    list_in_process(bench)

    variants = ["deal list in process", "deal list in process, counts not kept"]
    assert [row.name for row in bench.rows] == [
        f"{variant}: {name}"
        for variant in variants
        for name in ("API", "raw limit", "keys-first raw", "API / raw limit", "API / keys-first raw")
    ]
    targets = {row.name: row.target for row in bench.rows if row.target}
    assert targets == {f"{variant}: API / keys-first raw": "≥ 0.9 (moonshot ≥ 1.0)" for variant in variants}
    assert set(bench.details) == {"deal_list_in_process", "deal_list_in_process_counts_not_kept"}
    for found in bench.details.values():
        assert set(found["requests_per_second"]) == {"api", "raw", "raw_by_keys"}
        assert set(found) == {"pages", "requests", "requests_per_second", "ratio", "ratio_by_keys"}


@pytest.mark.usefixtures("in_process")
def test_the_page_depth_is_measured_for_the_api_and_the_keys_first_view(deals, monkeypatch):
    # Pages of two: the deep page of nine deals is the third (offset 4).
    monkeypatch.setattr(measurements, "LIST_LIMIT", 2)
    bench = bench_of(deals=9)

    page_depth(bench)

    assert [(row.name, row.target) for row in bench.rows] == [
        ("deal list page 1 latency", ""),
        ("deal list page 3 (offset 4) latency", ""),
        ("page 3 (offset 4) / page 1", "≤ 1.5"),
        ("keys-first raw page 1 latency", ""),
        ("keys-first raw page 3 (offset 4) latency", ""),
        ("keys-first raw page 3 (offset 4) / page 1", ""),
    ]
    found = bench.details["page_depth"]
    assert found["offsets"] == [0, 4]
    for name in ("api", "raw_by_keys"):
        assert set(found[name]) == {"samples_ms", "median_ms", "ratio"}
        assert [len(samples) for samples in found[name]["samples_ms"].values()] == [20, 20]


def test_the_cursor_pages_measured_hold_the_rows_of_the_offset_pages(deals, anon, monkeypatch):
    monkeypatch.setattr(measurements, "LIST_LIMIT", 2)
    monkeypatch.setattr(measurements, "CURSOR_DEPTHS", 4)
    bench = measurements.Bench(deals=9, seconds=1, server_env={}, say=print, public_deals=PUBLIC_DEALS)
    by_offset, by_cursor = measurements.cursor_pages(bench)
    # Seven public deals in pages of two: the first page, the last full one and two between.
    assert [path.split("?")[1] for path in by_offset] == [f"limit=2&offset={offset}" for offset in (0, 2, 3, 5)]
    for offset_path, cursor_path in zip(by_offset, by_cursor, strict=True):
        rows = anon.get(offset_path).json()["results"]
        assert anon.get(cursor_path).json()["results"] == rows
        assert len(rows) == 2


def test_the_cursor_requests_measured_beside_the_raw_view_hold_its_pages(deals, anon, monkeypatch):
    monkeypatch.setattr(measurements, "LIST_LIMIT", 3)
    offsets = [3, 0, 3, 6]
    paths = measurements.cursor_paths(offsets)
    # A cursor per page, the same for the same page; the first page by an empty cursor.
    assert (len(set(paths)), paths[0] == paths[2], paths[1]) == (3, True, "/api/deals/?limit=3&cursor=")
    for offset, path in zip(offsets, paths, strict=True):
        rows = anon.get("/api/deals/", {"limit": 3, "offset": offset}).json()["results"]
        assert anon.get(path).json()["results"] == rows
        assert len(rows) == (3 if offset < 6 else 1)
