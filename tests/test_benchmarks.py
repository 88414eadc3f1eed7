"""The raw-limit deal list of the benchmarks answers exactly what the API's deal list answers the
public: without that, the throughput ratio the benchmarks report would compare different work."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from benchmarks import measurements
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


@pytest.mark.parametrize("page", PAGES)
def test_the_raw_view_renders_the_deal_list_exactly(deals, anon, client, page):
    api = anon.get(reverse("deal-list") + page)
    raw = client.get(reverse("raw-deal-list") + page)

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


def test_the_raw_view_reads_a_page_in_four_queries(deals, client, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get(reverse("raw-deal-list"), {"limit": 100})

    assert len(response.json()["results"]) == PUBLIC_DEALS


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "ten"}, {"offset": "-1"}])
def test_the_raw_view_refuses_what_is_not_a_page(client, query):
    assert client.get(reverse("raw-deal-list"), query).status_code == 400


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
