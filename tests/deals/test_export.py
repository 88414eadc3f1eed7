"""The deal export, /api/deals/export.csv and /api/deals/export.xlsx: the rows /api/deals/ lists for
the same filters and caller, in its order, every column as the list shows it; text escaped
against formulas; a dated file name; strict parameters. The CSV is streamed from a generator and
written by the database (one COPY statement on PostgreSQL) as Python's csv module would write it,
in a fixed number of statements; the XLSX is read in chunks whose query count does not grow with
the rows. Five deals:

====== ========================= ========== ========== =========== ======== ========== ===========
deal   parties (buyer → seller)  delegation edition    value (USD) stage    signed on  visibility
====== ========================= ========== ========== =========== ======== ========== ===========
dow    ZKH (CN) → Dow (US)       Qingpu     6th CIIE   300,000,000 signed   2023-11-05 published
basf   ZKH (CN) → BASF (DE)      Zhujiajiao 6th CIIE   1,070,200   intent.  2023-11-07 embargo over
sony   BASF (DE) → Sony (JP)     Beijing    5th CIIE   1,004,250   executed 2022-11-06 unpublished
canton Sony (JP) → ZKH (CN)      Shanghai   Canton 134 685,500     cancel.  —          embargoed
fair   Dow (US) → BASF (DE)      Beijing    6th CIIE   2,500,000   signed   2023-11-09 published
====== ========================= ========== ========== =========== ======== ========== ===========

Zhujiajiao is under Qingpu, which is under Shanghai; Beijing is a root of its own."""

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import psycopg
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.seed import load_seed_facts
from deals import export
from deals.api.export import XLSX_MEDIA_TYPE, DealExportView
from deals.filtersets import DealFilterSet
from deals.models import Deal
from tests.api.collection import errors
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    MarketFactory,
    editor,
)

pytestmark = pytest.mark.django_db

CSV, XLSX = "deal-export-csv", "deal-export-xlsx"
EXPORTS = (CSV, XLSX)
NOW = timezone.now()
# Queries per chunk of rows of the XLSX: its markets, its categories, its editions.
QUERIES_PER_CHUNK = 3
# The statements of one CSV export, by their first word, before its first rows are sent and after:
# on PostgreSQL a transaction of its own (a savepoint in the test's) with its settings and the COPY;
# elsewhere one query.
CSV_STATEMENTS = {
    "postgresql": (["SAVEPOINT", "SELECT", "COPY"], ["RELEASE"]),
    "sqlite": (["SELECT"], []),
}


@pytest.fixture
def world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", name_zh="青浦区交易分团", parent=w.shanghai)
    w.zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=w.qingpu)
    w.beijing = DelegationFactory(name="Beijing trading delegation")

    w.ciie = ExpoFactory(name="China International Import Expo", short_name="CIIE")
    w.ciie6 = EditionFactory(expo=w.ciie, number=6, name_zh="第六届进博会", start_date=datetime.date(2023, 11, 5))
    w.ciie5 = EditionFactory(expo=w.ciie, number=5, name="", start_date=datetime.date(2022, 11, 5))
    w.canton = ExpoFactory(name="China Import and Export Fair", short_name="Canton Fair")
    w.canton134 = EditionFactory(
        expo=w.canton, number=134, name="134th Canton Fair", start_date=datetime.date(2023, 10, 15)
    )

    w.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行", country="CN")
    w.dow = EnterpriseFactory(name="Dow", name_zh="陶氏", country="US")
    w.basf = EnterpriseFactory(name='BASF, "Ludwigshafen"', country="DE")
    w.sony = EnterpriseFactory(name="Sony", country="JP")

    # Made out of alphabetical order: the export names them alphabetically, as the list does.
    w.packaging, w.electronics, w.new_energy = (
        MarketFactory(name=name) for name in ("Packaging", "Electronics", "New energy")
    )
    w.silicon, w.chemicals = (CategoryFactory(name=name) for name in ("Organo-silicon products", "Chemicals"))

    w.dow_deal = DealFactory(
        title="Organo-silicon products procurement order",
        buyer=w.zkh,
        seller=w.dow,
        delegation=w.qingpu,
        edition=w.ciie6,
        amount=Decimal("300000000.00"),
        stage=Deal.Stage.SIGNED,
        signed_on=datetime.date(2023, 11, 5),
        first_deal_of=w.shanghai,
        regional_debut=True,
        debut_region="Asia Pacific",
        markets=[w.packaging, w.electronics],
    )
    DealLineItemFactory(deal=w.dow_deal, category=w.silicon)
    w.basf_deal = DealFactory(
        title="Catalyst supply agreement,\nsecond phase",
        buyer=w.zkh,
        seller=w.basf,
        delegation=w.zhujiajiao,
        edition=w.ciie6,
        amount=Decimal("1000000.00"),
        currency="EUR",
        stage=Deal.Stage.INTENTION,
        signed_on=datetime.date(2023, 11, 7),
        markets=[w.new_energy],
        embargo_until=NOW - datetime.timedelta(days=1),
    )
    # Two line items in one category: the category is named once.
    DealLineItemFactory.create_batch(2, deal=w.basf_deal, category=w.silicon)
    DealLineItemFactory(deal=w.basf_deal, category=w.chemicals)
    w.sony_deal = DealFactory(
        title="Image sensor purchase",
        buyer=w.basf,
        seller=w.sony,
        delegation=w.beijing,
        edition=w.ciie5,
        amount=Decimal("150000000.00"),
        currency="JPY",
        stage=Deal.Stage.EXECUTED,
        signed_on=datetime.date(2022, 11, 6),
        first_deal_of=w.beijing,
        markets=[w.electronics],
        is_published=False,
    )
    DealLineItemFactory(deal=w.sony_deal, category=w.chemicals)
    w.canton_deal = DealFactory(
        title="Packaging film order",
        buyer=w.sony,
        seller=w.zkh,
        delegation=w.shanghai,
        edition=w.canton134,
        amount=Decimal("5000000.00"),
        currency="CNY",
        stage=Deal.Stage.CANCELLED,
        signed_on=None,
        usd_rate_date=datetime.date(2023, 10, 16),
        embargo_until=NOW + datetime.timedelta(days=365),
    )
    w.fair_deal = DealFactory(
        title="Silicone sealant framework agreement",
        buyer=w.dow,
        seller=w.basf,
        delegation=w.beijing,
        edition=w.ciie6,
        amount=Decimal("2500000.00"),
        stage=Deal.Stage.SIGNED,
        signed_on=datetime.date(2023, 11, 9),
    )
    return w


def downloaded(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    """The data rows of a CSV export, by column, after checking its header."""
    header, *rows = csv.reader(io.StringIO(downloaded(response).decode(), newline=""))
    assert header == list(export.COLUMNS)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_rows(response) -> list[dict[str, object]]:
    """The data rows of an XLSX export, by column, after checking its sheet and header."""
    workbook = openpyxl.load_workbook(io.BytesIO(downloaded(response)), read_only=True)
    assert workbook.sheetnames == ["Deals"]
    header, *rows = workbook["Deals"].iter_rows(values_only=True)
    assert header == export.COLUMNS
    return [dict(zip(header, row, strict=True)) for row in rows]


def exported(client: APIClient, url_name: str, params: dict | None = None, **headers) -> list[dict]:
    response = client.get(reverse(url_name), params or {}, **headers)
    return csv_rows(response) if url_name == CSV else xlsx_rows(response)


def listed(client: APIClient, params: dict) -> list[dict]:
    response = client.get(reverse("deal-list"), {**params, "limit": 1000})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def as_csv(deal: dict) -> dict[str, str]:
    """A deal of the JSON list as the CSV export writes it."""

    def name(brief: dict | None) -> str:
        return brief["name"] if brief else ""

    def flag(value: bool) -> str:
        return "true" if value else "false"

    def money(value: dict | None) -> str:
        return value["amount"] if value else ""

    return {
        "id": str(deal["id"]),
        "title": deal["title"],
        "buyer": deal["buyer"]["name"],
        "buyer_zh": deal["buyer"]["name_zh"],
        "buyer_country": deal["buyer"]["country"],
        "seller": deal["seller"]["name"],
        "seller_zh": deal["seller"]["name_zh"],
        "seller_country": deal["seller"]["country"],
        "delegation": deal["delegation"]["name"],
        "delegation_zh": deal["delegation"]["name_zh"],
        "edition": deal["edition"]["name"],
        "edition_zh": deal["edition"]["name_zh"],
        "amount": money(deal["value"]),
        "currency": deal["value"]["currency"] if deal["value"] else "",
        "stated_value_usd": money(deal["stated_value_usd"]),
        "value_usd": money(deal["value_usd"]),
        "usd_rate": deal["usd_rate"] or "",
        "usd_rate_date": deal["usd_rate_date"] or "",
        "usd_rate_source": deal["usd_rate_source"],
        "stage": deal["stage"],
        "signed_on": deal["signed_on"] or "",
        "first_deal_of": name(deal["first_deal_of"]),
        "regional_debut": flag(deal["regional_debut"]),
        "debut_region": deal["debut_region"],
        "markets": "; ".join(market["name"] for market in deal["markets"]),
        "categories": "; ".join(sorted({item["category"]["name"] for item in deal["line_items"]})),
        "is_published": flag(deal["is_published"]),
        "embargo_until": deal["embargo_until"] or "",
        "updated_at": deal["updated_at"],
    }


DECIMALS = ("amount", "stated_value_usd", "value_usd", "usd_rate")
DATES = ("usd_rate_date", "signed_on")
TIMES = ("embargo_until", "updated_at")
FLAGS = ("regional_debut", "is_published")


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC).replace(tzinfo=None)


def as_xlsx(deal: dict) -> dict[str, object]:
    """A deal of the JSON list as the XLSX export holds it, read back with openpyxl: numbers as
    numbers, dates and UTC times as datetimes, booleans as booleans, nothing as an empty cell."""
    row: dict[str, object] = {name: value or None for name, value in as_csv(deal).items()}
    row["id"] = deal["id"]
    for name in DECIMALS:
        row[name] = row[name] and float(Decimal(row[name]))
    for name in DATES:
        row[name] = row[name] and datetime.datetime.fromisoformat(row[name])
    for name in TIMES:
        row[name] = row[name] and Around(parse_time(row[name]))
    for name in FLAGS:
        row[name] = row[name] == "true"
    return row


class Around:
    """Equal to a time within half a millisecond: XLSX keeps a time as a fraction of a day, and
    openpyxl reads it back rounded to the millisecond."""

    def __init__(self, time: datetime.datetime) -> None:
        self.time = time

    def __eq__(self, other) -> bool:
        return isinstance(other, datetime.datetime) and abs(other - self.time) <= datetime.timedelta(microseconds=501)

    def __repr__(self) -> str:
        return f"Around({self.time!r})"


# Filter combinations, each a function of the world.
FILTERS: dict[str, Callable[[SimpleNamespace], dict]] = {
    "none": lambda w: {},
    "delegation subtree": lambda w: {"delegation": w.qingpu.pk},
    "delegation root": lambda w: {"delegation": w.shanghai.pk},
    "stage multi-value": lambda w: {"stage": ["signed", "intention"]},
    "search": lambda w: {"search": "ZKH"},
    "search two words": lambda w: {"search": "silicon order"},
    "ordering by value": lambda w: {"ordering": "-value_usd"},
    "ordering by title and filtered": lambda w: {"ordering": "title", "edition": w.ciie6.pk},
    "category (distinct) with ordering": lambda w: {"category": w.silicon.pk, "ordering": "signed_on"},
    "market and country": lambda w: {"market": w.electronics.pk, "buyer_country": ["CN", "DE"]},
    "value range and dates": lambda w: {"value_usd_min": "1000000", "signed_after": "2022-01-01"},
    "first deals": lambda w: {"is_first_deal": "true"},
    "market (distinct) with ordering by a time not exported": lambda w: {
        "market": w.electronics.pk,
        "ordering": "-created_at",
    },
}


@pytest.mark.parametrize("params", FILTERS.values(), ids=FILTERS.keys())
def test_the_csv_holds_the_rows_the_list_shows_in_its_order(world, analyst_api, params):
    params = params(world)
    expected = [as_csv(deal) for deal in listed(analyst_api, params)]
    assert expected
    assert exported(analyst_api, CSV, params) == expected


@pytest.mark.parametrize("params", FILTERS.values(), ids=FILTERS.keys())
def test_the_xlsx_holds_the_rows_the_list_shows_in_its_order(world, analyst_api, params):
    params = params(world)
    expected = [as_xlsx(deal) for deal in listed(analyst_api, params)]
    assert expected
    assert exported(analyst_api, XLSX, params) == expected


def test_the_default_order_is_the_lists_newest_signing_first(world, analyst_api):
    signed = [world.fair_deal.pk, world.basf_deal.pk, world.dow_deal.pk, world.sony_deal.pk]
    # Descending, PostgreSQL puts an empty signing date first and SQLite last.
    unsigned = [world.canton_deal.pk]
    expected = unsigned + signed if connection.vendor == "postgresql" else signed + unsigned
    assert [int(row["id"]) for row in exported(analyst_api, CSV)] == expected


def test_every_column_of_the_dow_deal(world, analyst_api):
    (row,) = exported(analyst_api, CSV, {"search": "Dow", "stage": "signed", "buyer_country": "CN"})
    assert row == {
        "id": str(world.dow_deal.pk),
        "title": "Organo-silicon products procurement order",
        "buyer": "ZKH Industrial Supply Co",
        "buyer_zh": "震坤行",
        "buyer_country": "CN",
        "seller": "Dow",
        "seller_zh": "陶氏",
        "seller_country": "US",
        "delegation": "Qingpu District trading delegation",
        "delegation_zh": "青浦区交易分团",
        "edition": "6th China International Import Expo",
        "edition_zh": "第六届进博会",
        "amount": "300000000.00",
        "currency": "USD",
        "stated_value_usd": "",
        "value_usd": "300000000.00",
        "usd_rate": "1.0000000000",
        "usd_rate_date": "",
        "usd_rate_source": "",
        "stage": "signed",
        "signed_on": "2023-11-05",
        "first_deal_of": "Shanghai trading delegation",
        "regional_debut": "true",
        "debut_region": "Asia Pacific",
        "markets": "Electronics; Packaging",
        "categories": "Organo-silicon products",
        "is_published": "true",
        "embargo_until": "",
        "updated_at": world.dow_deal.updated_at.isoformat().replace("+00:00", "Z"),
    }


def test_a_deal_with_no_value_has_empty_value_cells_never_zeros(world, analyst_api):
    DealFactory(title="Centralized signing with Kao Corp Shanghai", amount=None, edition=world.ciie6)
    params = {"search": "Kao"}
    values = ("amount", "currency", "stated_value_usd", "value_usd", "usd_rate", "usd_rate_date", "usd_rate_source")
    (csv_row,) = exported(analyst_api, CSV, params)
    (xlsx_row,) = exported(analyst_api, XLSX, params)
    assert [csv_row[name] for name in values] == [""] * 7
    assert [xlsx_row[name] for name in values] == [None] * 7


def test_a_stated_usd_value_is_exported_with_its_rate_and_source(world, analyst_api):
    DealFactory(
        title="Yuan order",
        amount=Decimal("1700000.00"),
        currency="CNY",
        stated_value_usd=Decimal("261538.00"),
        edition=world.ciie6,
    )
    values = ("amount", "currency", "stated_value_usd", "value_usd", "usd_rate", "usd_rate_date", "usd_rate_source")
    (row,) = exported(analyst_api, CSV, {"search": "Yuan"})
    assert [row[name] for name in values] == [
        "1700000.00",
        "CNY",
        "261538.00",
        "261538.00",
        "0.1538458824",
        "",
        "stated",
    ]


def test_the_xlsx_keeps_numbers_dates_and_flags_typed(world, analyst_api):
    (row,) = exported(analyst_api, XLSX, {"search": "Catalyst"})
    assert {name: row[name] for name in (*DECIMALS, *DATES, *FLAGS, *TIMES, "id", "first_deal_of")} == {
        "amount": 1000000,
        "stated_value_usd": None,
        "value_usd": 1070200,
        "usd_rate": 1.0702,
        "usd_rate_date": datetime.datetime(2023, 11, 7),
        "signed_on": datetime.datetime(2023, 11, 7),
        "regional_debut": False,
        "is_published": True,
        "embargo_until": Around(world.basf_deal.embargo_until.astimezone(datetime.UTC).replace(tzinfo=None)),
        "updated_at": Around(world.basf_deal.updated_at.astimezone(datetime.UTC).replace(tzinfo=None)),
        "id": world.basf_deal.pk,
        "first_deal_of": None,
    }


# Formula injection: text cells a spreadsheet would run as a formula start with a quote.

PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formulas(db) -> list[Deal]:
    """A deal per dangerous first character, in title and buyer name, and one harmless deal."""
    deals = [
        DealFactory(title=f'{prefix}HYPERLINK("http://x.example")', buyer=EnterpriseFactory(name=f"{prefix}cmd|' /C'"))
        for prefix in PREFIXES
    ]
    deals.append(DealFactory(title="Net 30 - 5% = fine", buyer=EnterpriseFactory(name="Dow")))
    return deals


def by_id(rows: list[dict]) -> dict[int, tuple]:
    return {int(row["id"]): (row["title"], row["buyer"]) for row in rows}


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_the_csv_escapes_text_that_starts_a_formula(formulas, analyst_api, prefix):
    deal = formulas[PREFIXES.index(prefix)]
    assert by_id(exported(analyst_api, CSV))[deal.pk] == ("'" + deal.title, "'" + deal.buyer.name)


@pytest.mark.parametrize("prefix", PREFIXES, ids=repr)
def test_the_xlsx_escapes_text_that_starts_a_formula(formulas, analyst_api, prefix):
    deal = formulas[PREFIXES.index(prefix)]
    # XML reads a bare carriage return as a line feed.
    assert by_id(exported(analyst_api, XLSX))[deal.pk] == (
        "'" + deal.title.replace("\r", "\n"),
        "'" + deal.buyer.name.replace("\r", "\n"),
    )


@pytest.mark.parametrize("url_name", EXPORTS)
def test_harmless_text_is_left_as_it_is(formulas, analyst_api, url_name):
    harmless = formulas[-1]
    assert by_id(exported(analyst_api, url_name))[harmless.pk] == ("Net 30 - 5% = fine", "Dow")


@pytest.mark.parametrize("url_name", EXPORTS)
def test_markets_and_categories_are_escaped_too(analyst_api, url_name):
    deal = DealFactory(markets=[MarketFactory(name="=Market"), MarketFactory(name="Zinc")])
    DealLineItemFactory(deal=deal, category=CategoryFactory(name="@Category"))
    (row,) = exported(analyst_api, url_name)
    assert (row["markets"], row["categories"]) == ("'=Market; Zinc", "'@Category")


@pytest.mark.parametrize("url_name", EXPORTS)
def test_every_free_text_column_is_escaped(analyst_api, url_name):
    delegation = DelegationFactory(name="=Delegation", name_zh="=交易团")
    DealFactory(
        title="+Title",
        buyer=EnterpriseFactory(name="-Buyer", name_zh="-买方"),
        seller=EnterpriseFactory(name="@Seller", name_zh="@卖方"),
        delegation=delegation,
        first_deal_of=delegation,
        edition=EditionFactory(name="=Edition", name_zh="+届"),
        regional_debut=True,
        debut_region="\tRegion",
    )
    (row,) = exported(analyst_api, url_name)
    texts = (
        *("title", "buyer", "buyer_zh", "seller", "seller_zh", "delegation", "delegation_zh"),
        *("edition", "edition_zh", "first_deal_of", "debut_region"),
    )
    assert {name: row[name] for name in texts} == {
        "title": "'+Title",
        "buyer": "'-Buyer",
        "buyer_zh": "'-买方",
        "seller": "'@Seller",
        "seller_zh": "'@卖方",
        "delegation": "'=Delegation",
        "delegation_zh": "'=交易团",
        "edition": "'=Edition",
        "edition_zh": "'+届",
        "first_deal_of": "'=Delegation",
        "debut_region": "'\tRegion",
    }


def test_the_xlsx_drops_control_characters_it_cannot_hold_and_still_escapes(analyst_api):
    deal = DealFactory(title="\x01=1+1\x0b")
    (row,) = exported(analyst_api, XLSX)
    assert (row["id"], row["title"]) == (deal.pk, "'=1+1")


# The response: a dated attachment, negotiated as the API's other views are.


@pytest.mark.parametrize(("url_name", "extension"), [(CSV, "csv"), (XLSX, "xlsx")])
def test_the_file_is_named_for_todays_date_in_utc(db, anon, monkeypatch, url_name, extension):
    late_evening = datetime.datetime(2030, 3, 4, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_evening)
    response = anon.get(reverse(url_name))
    assert response["Content-Disposition"] == f'attachment; filename="deals-2030-03-04.{extension}"'


@pytest.mark.parametrize(
    ("url_name", "accept", "content_type"),
    [
        (CSV, "text/csv", "text/csv; charset=utf-8"),
        (CSV, "*/*", "text/csv; charset=utf-8"),
        (CSV, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/csv; charset=utf-8"),
        (XLSX, XLSX_MEDIA_TYPE, XLSX_MEDIA_TYPE),
        (XLSX, "*/*", XLSX_MEDIA_TYPE),
    ],
)
def test_downloads_answer_file_clients_and_browsers(world, anon, url_name, accept, content_type):
    response = anon.get(reverse(url_name), HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert len(csv_rows(response) if url_name == CSV else xlsx_rows(response)) == 3


@pytest.mark.parametrize("url_name", EXPORTS)
def test_a_file_the_export_cannot_make_is_a_406_in_the_error_shape(db, anon, url_name):
    response = anon.get(reverse(url_name), HTTP_ACCEPT="application/json")
    assert (response.status_code, response["Content-Type"], errors(response)) == (
        406,
        "application/json",
        [("not_acceptable", None)],
    )


# The bytes: what Python's csv module writes for the rows the list shows (RFC 4180, CRLF).

# Text that needs quoting, or that a CSV writer could mistake for something else.
AWKWARD_TEXTS = (
    'Quoted "sealant", 2 phases',
    "Line\r\nbreak",
    "Lone\rreturn",
    "Lone\nfeed",
    "Tab\tinside",
    "  spaces around  ",
    "震坤行 – “curly” ✓ 🚢",
    "\\.",
    "back\\slash\\N",
    "NULL",
    ",",
    '"',
)


def written_by_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(export.COLUMNS)
    writer.writerows(row.values() for row in rows)
    return buffer.getvalue().encode()


def test_the_csv_is_byte_for_byte_what_pythons_csv_module_writes(world, analyst_api):
    for index, text in enumerate(AWKWARD_TEXTS):
        deal = DealFactory(
            title=text,
            buyer=EnterpriseFactory(name=f"{text} {index}", name_zh=f"{text} {index}", country=""),
            regional_debut=True,
            debut_region=text,
            markets=[MarketFactory(name=f"Z{index}"), MarketFactory(name=f"{text} {index}")],
        )
        # Categories named like the markets, added out of order, one of them on two line items.
        last, first = CategoryFactory(name=f"Z{index}"), CategoryFactory(name=f"{text} {index}")
        for category in (last, first, last):
            DealLineItemFactory(deal=deal, category=category)
    expected = written_by_csv([as_csv(deal) for deal in listed(analyst_api, {})])
    response = analyst_api.get(reverse(CSV))
    assert downloaded(response) == expected


@pytest.mark.parametrize("params", [{"search": "no such deal"}, {}], ids=["nothing matches", "no deals at all"])
def test_an_empty_export_is_the_header_alone(db, analyst_api, params):
    response = analyst_api.get(reverse(CSV), params)
    assert downloaded(response) == (",".join(export.COLUMNS) + "\r\n").encode()


# Scope: the caller's rows, as the list.


@pytest.mark.parametrize("url_name", EXPORTS)
def test_the_public_export_leaves_out_unpublished_and_embargoed_deals(world, anon, url_name):
    assert sorted(int(row["id"]) for row in exported(anon, url_name)) == sorted(
        [world.dow_deal.pk, world.basf_deal.pk, world.fair_deal.pk]
    )


@pytest.mark.parametrize("url_name", EXPORTS)
def test_an_analysts_export_holds_every_deal(world, analyst_api, url_name):
    assert sorted(int(row["id"]) for row in exported(analyst_api, url_name)) == sorted(
        deal.pk for deal in (world.dow_deal, world.basf_deal, world.sony_deal, world.canton_deal, world.fair_deal)
    )


@pytest.mark.parametrize("url_name", EXPORTS)
def test_an_editors_export_adds_the_hidden_deals_of_their_delegations(world, url_name):
    client = APIClient()
    client.force_authenticate(user=editor(world.beijing))
    ids = [deal["id"] for deal in listed(client, {})]
    assert sorted(ids) == sorted([world.dow_deal.pk, world.basf_deal.pk, world.sony_deal.pk, world.fair_deal.pk])
    assert [int(row["id"]) if url_name == CSV else row["id"] for row in exported(client, url_name)] == ids


# Strict parameters: the deal filters only, each malformed one a 400 naming it.


@pytest.mark.parametrize("url_name", EXPORTS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": "5"}, [("unknown_parameter", "limit")]),
        ({"offset": "5"}, [("unknown_parameter", "offset")]),
        ({"nosuch": "1"}, [("unknown_parameter", "nosuch")]),
        ({"format": "json"}, [("unknown_parameter", "format")]),
        ({"delegation": ["1", "2"]}, [("repeated_parameter", "delegation")]),
        ({"stage": "agreed"}, [("invalid_choice", "stage")]),
        ({"delegation": "Qingpu"}, [("invalid", "delegation")]),
        ({"ordering": "buyer"}, [("invalid_choice", "ordering")]),
        ({"signed_after": "2023-13-45"}, [("invalid", "signed_after")]),
    ],
)
def test_parameters_other_than_the_deal_filters_are_refused(db, anon, url_name, params, expected):
    response = anon.get(reverse(url_name), params, HTTP_ACCEPT="*/*")
    assert (response.status_code, response["Content-Type"], errors(response)) == (400, "application/json", expected)


# Memory and queries: chunks of rows, three queries a chunk, however many rows.


@pytest.fixture
def many(db) -> Callable[[int], list[Deal]]:
    """``many(n)``: n deals of one delegation and edition, each with a market and a line item."""
    delegation, edition, buyer, seller = DelegationFactory(), EditionFactory(), EnterpriseFactory(), EnterpriseFactory()
    market, category = MarketFactory(), CategoryFactory()

    def make(count: int) -> list[Deal]:
        deals = DealFactory.create_batch(
            count, delegation=delegation, edition=edition, buyer=buyer, seller=seller, markets=[market]
        )
        for deal in deals:
            DealLineItemFactory(deal=deal, category=category)
        return deals

    return make


def export_queries(client: APIClient, url_name: str) -> tuple[int, int]:
    """The queries of one export, and the rows it holds."""
    with CaptureQueriesContext(connection) as queries:
        rows = exported(client, url_name)
    return len(queries), len(rows)


def first_words(queries: list[dict]) -> list[str]:
    return [query["sql"].split(maxsplit=1)[0] for query in queries]


def test_the_xlsx_query_count_does_not_grow_with_the_rows_within_a_chunk(many, anon, monkeypatch):
    monkeypatch.setattr(DealExportView, "chunk_size", 1000)
    many(10)
    ten = export_queries(anon, XLSX)
    many(90)
    assert (ten, export_queries(anon, XLSX)) == ((1 + QUERIES_PER_CHUNK, 10), (1 + QUERIES_PER_CHUNK, 100))


def test_the_xlsx_query_count_grows_by_a_constant_per_chunk(many, anon, monkeypatch):
    many(30)
    counts = {}
    for chunk_size in (30, 15, 10, 7, 4):
        monkeypatch.setattr(DealExportView, "chunk_size", chunk_size)
        counts[chunk_size] = export_queries(anon, XLSX)
    assert counts == {
        30: (1 + 1 * QUERIES_PER_CHUNK, 30),
        15: (1 + 2 * QUERIES_PER_CHUNK, 30),
        10: (1 + 3 * QUERIES_PER_CHUNK, 30),
        7: (1 + 5 * QUERIES_PER_CHUNK, 30),
        4: (1 + 8 * QUERIES_PER_CHUNK, 30),
    }


def test_the_csv_runs_the_same_statements_whatever_the_rows_and_the_chunk_size(many, anon, monkeypatch):
    opening, closing = CSV_STATEMENTS[connection.vendor]
    found = {}
    for added, chunk_size in ((10, 1000), (90, 1000), (0, 7)):
        many(added)
        monkeypatch.setattr(DealExportView, "chunk_size", chunk_size)
        with CaptureQueriesContext(connection) as queries:
            rows = exported(anon, CSV)
        found[len(rows), chunk_size] = first_words(queries.captured_queries)
    assert found == {
        (10, 1000): opening + closing,
        (100, 1000): opening + closing,
        (100, 7): opening + closing,
    }


def test_the_csv_is_streamed_from_a_generator_a_chunk_at_a_time(many, anon, monkeypatch):
    monkeypatch.setattr(DealExportView, "chunk_size", 10)
    many(30)
    with CaptureQueriesContext(connection) as queries:
        response = anon.get(reverse(CSV))
        before = len(queries)
        pieces = iter(response.streaming_content)
        header = next(pieces)
        after_header = len(queries)
        first_chunk = next(pieces)
        after_first_chunk = first_words(queries.captured_queries)
        rest = list(pieces)
    opening, closing = CSV_STATEMENTS[connection.vendor]
    assert isinstance(response, StreamingHttpResponse)
    assert (before, after_header, after_first_chunk, first_words(queries.captured_queries)) == (
        0,
        0,
        opening,
        opening + closing,
    )
    assert (header, first_chunk.count(b"\r\n"), [piece.count(b"\r\n") for piece in rest]) == (
        (",".join(export.COLUMNS) + "\r\n").encode(),
        10,
        [10, 10],
    )


@pytest.mark.parametrize("pieces_read", [1, 2, 4], ids=["after the header", "after the first rows", "at the end"])
def test_a_csv_closed_early_leaves_the_connection_ready_for_the_next_query(many, pieces_read):
    many(300)
    pieces = export.deal_csv(export.deal_export_list(), chunk_size=100)
    read = [next(pieces) for _ in range(pieces_read)]
    # What a WSGI server does, closing the response, when its client goes away.
    pieces.close()
    # The COPY, if it started, was cancelled and its transaction rolled back: the connection is back
    # in the test's transaction, and answers the next query.
    assert (len(read), connection.in_atomic_block, connection.needs_rollback) == (pieces_read, True, False)
    if connection.vendor == "postgresql":
        assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    assert Deal.objects.count() == 300


def test_the_xlsx_is_a_file_response(many, anon):
    many(3)
    response = anon.get(reverse(XLSX))
    assert isinstance(response, FileResponse)
    assert int(response["Content-Length"]) == len(downloaded(response))


# The seed: the ZKH–Dow order.


def test_the_seed_export_finds_the_zkh_dow_deal(anon):
    load_seed_facts(only=())
    (row,) = exported(anon, CSV, {"search": "Dow"})
    assert (row["amount"], row["currency"], row["buyer"], row["seller"]) == (
        "300000000.00",
        "USD",
        "ZKH Industrial Supply Co",
        "Dow",
    )


# The schema: file responses, the deal filters as parameters, errors in the one shape.


@pytest.fixture(scope="module")
def schema() -> dict:
    """The schema of the export operations alone."""
    patterns = [path("api/", include("deals.api.export_urls"))]
    return SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)


@pytest.mark.parametrize(
    ("path", "media_type", "summary"),
    [
        ("/api/deals/export.csv", "text/csv", "Export deals as CSV"),
        ("/api/deals/export.xlsx", XLSX_MEDIA_TYPE, "Export deals as XLSX"),
    ],
)
def test_the_schema_documents_a_file_download_with_the_deal_filters(schema, path, media_type, summary):
    operation = schema["paths"][path]["get"]
    assert (operation["summary"], operation["tags"]) == (summary, ["deals"])
    assert operation["responses"]["200"]["content"] == {media_type: {"schema": {"type": "string", "format": "binary"}}}
    assert {parameter["name"] for parameter in operation["parameters"]} == DealFilterSet.parameter_names()
    assert {code: list(response["content"]) for code, response in operation["responses"].items() if code != "200"} == {
        code: ["application/json"] for code in ("400", "401", "403", "405", "406", "415", "429")
    }
