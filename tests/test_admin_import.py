"""Admin import of enterprises and deals from CSV and XLSX (a dry run first, errors by row, a file
with a bad row writes nothing, history names the importing admin) and export of the filtered
change list, with text cells escaped against formula injection."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from import_export.formats.base_formats import CSV, XLSX

from deals.models import Deal, ExchangeRate
from delegations.models import Enterprise
from tests.factories import (
    DealFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
    SourceFactory,
    UserFactory,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

ENTERPRISE_HEADERS = ["id", "name", "name_zh", "kind", "country", "city", "district", "industry", "uscc"]
DEAL_HEADERS = [
    "id",
    "title",
    "buyer",
    "seller",
    "delegation",
    "edition",
    "amount",
    "currency",
    "signed_on",
    "markets",
    "is_published",
]
ENTERPRISE_EXPORT_HEADERS = [
    *ENTERPRISE_HEADERS[:3],
    "name_pinyin",
    "name_zh_source",
    *ENTERPRISE_HEADERS[3:],
    "registry_id",
    "description",
    "source",
]
FORMATS = {"csv": CSV, "xlsx": XLSX}
each_format = pytest.mark.parametrize("file_format", list(FORMATS))


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def upload(file_format: str, rows: list[list], *, name: str) -> SimpleUploadedFile:
    """``rows`` (the header first) as a CSV file or an XLSX workbook built in memory."""
    if file_format == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return SimpleUploadedFile(f"{name}.csv", text.getvalue().encode(), content_type="text/csv")
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile(f"{name}.xlsx", content.getvalue(), content_type=XLSX.CONTENT_TYPE)


def format_choice(model, file_format: str) -> str:
    """The value of ``file_format`` in the import and export forms' format menu."""
    return str(admin.site.get_model_admin(model).get_import_formats().index(FORMATS[file_format]))


def preview(client, model, file_format: str, rows: list[list], *, name: str = "import"):
    """The dry run: upload ``rows`` on the model's import page."""
    file = upload(file_format, rows, name=name)
    return client.post(admin_url(model, "import"), {"import_file": file, "format": format_choice(model, file_format)})


def confirm(client, model, previewed):
    """Confirm the import that ``previewed`` showed."""
    return client.post(admin_url(model, "process_import"), previewed.context["confirm_form"].initial)


def row_errors(response) -> list[tuple[int, dict[str, list[str]]]]:
    """The preview's invalid rows: their numbers (the first row under the header is 1) and errors."""
    return [(row.number, row.error_dict) for row in response.context["result"].invalid_rows]


def enterprise_rows(*rows: list) -> list[list]:
    return [ENTERPRISE_HEADERS, *rows]


ZKH = ["", "ZKH Industrial Supply Co", "震坤行工业超市", "company", "CN", "Shanghai", "Qingpu District", "MRO", ""]
DOW = ["", "Dow", "", "company", "US", "Midland", "", "Materials science", ""]


# Enterprises


@each_format
def test_enterprise_import_dry_run_previews_the_rows_and_writes_nothing(admin_client, file_format):
    response = preview(admin_client, Enterprise, file_format, enterprise_rows(ZKH, DOW))

    assert response.status_code == 200
    result = response.context["result"]
    assert [(row.import_type, row.object_repr) for row in result.rows] == [
        ("new", "ZKH Industrial Supply Co (CN)"),
        ("new", "Dow (US)"),
    ]
    assert "confirm_form" in response.context
    assert "ZKH Industrial Supply Co" in response.content.decode()
    assert not Enterprise.objects.exists()
    assert not Enterprise.history.exists()


@each_format
def test_confirmed_enterprise_import_creates_exactly_those_rows(admin_client, admin_user, file_format):
    uscc = valid_uscc(7)
    previewed = preview(admin_client, Enterprise, file_format, enterprise_rows([*ZKH[:-1], uscc], DOW))

    response = confirm(admin_client, Enterprise, previewed)

    assert response.status_code == 302
    assert response["Location"] == admin_url(Enterprise, "changelist")
    assert list(
        Enterprise.objects.order_by("name").values_list(
            "name", "name_zh", "kind", "country", "city", "district", "industry", "uscc", "registry_id", "description"
        )
    ) == [
        ("Dow", "", "company", "US", "Midland", "", "Materials science", "", "", ""),
        (
            "ZKH Industrial Supply Co",
            "震坤行工业超市",
            "company",
            "CN",
            "Shanghai",
            "Qingpu District",
            "MRO",
            uscc,
            "",
            "",
        ),
    ]
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped enterprises."
    ]
    assert {(record.history_type, record.history_user) for record in Enterprise.history.all()} == {("+", admin_user)}


@pytest.mark.parametrize(
    ("bad_row", "errors"),
    [
        (
            ["", "Nowhere Trading", "", "company", "ZZ", "", "", "", ""],
            {"country": ["Value 'ZZ' is not a valid choice."]},
        ),
        (
            # O is not in the alphabet (a check character that fails is only a warning).
            ["", "Qingpu Logistics", "", "company", "CN", "", "", "", valid_uscc(1)[:17] + "O"],
            {
                "uscc": [
                    "A Unified Social Credit Code has 18 characters: digits and capital letters other than I, O, S, "
                    "V, Z."
                ]
            },
        ),
        (
            ["", "", "", "corporation", "CN", "", "", "", ""],
            {"name": ["This field cannot be blank."], "kind": ["Value 'corporation' is not a valid choice."]},
        ),
        (
            ["12345", "Ghost Co", "", "company", "CN", "", "", "", ""],
            {"id": ["There is no enterprise with id 12345: leave id empty to add a new one."]},
        ),
    ],
    ids=["unknown country", "malformed USCC", "no name, unknown kind", "unknown id"],
)
@each_format
def test_enterprise_import_with_a_bad_row_reports_it_and_writes_nothing(admin_client, file_format, bad_row, errors):
    response = preview(admin_client, Enterprise, file_format, enterprise_rows(ZKH, bad_row, DOW))

    assert response.status_code == 200
    assert row_errors(response) == [(2, errors)]
    assert "confirm_form" not in response.context
    assert "Some rows failed to validate" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_enterprise_import_refuses_a_uscc_used_twice_in_the_file(admin_client):
    uscc = valid_uscc(3)

    response = preview(admin_client, Enterprise, "csv", enterprise_rows([*ZKH[:-1], uscc], [*DOW[:-1], uscc]))

    assert row_errors(response) == [(2, {"__all__": ["Another enterprise has this Unified Social Credit Code."]})]
    assert not Enterprise.objects.exists()


@each_format
def test_updating_an_enterprise_by_id_records_the_importing_admin_in_its_history(admin_client, admin_user, file_format):
    enterprise = EnterpriseFactory(name="ZKH Industrial", country="CN", industry="")
    other = EnterpriseFactory(name="Dow", country="US")
    rows = [["id", "name", "industry"], [enterprise.pk, "ZKH Industrial Supply Co", "MRO procurement"]]
    previewed = preview(admin_client, Enterprise, file_format, rows, name="zkh")
    assert [row.import_type for row in previewed.context["result"].rows] == ["update"]

    confirm(admin_client, Enterprise, previewed)

    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.industry, enterprise.country) == (
        "ZKH Industrial Supply Co",
        "MRO procurement",
        "CN",
    )
    latest = enterprise.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        admin_user,
        f"Imported from zkh.{file_format}",
    )
    assert latest.name == "ZKH Industrial Supply Co"
    assert other.history.count() == 1
    assert Enterprise.objects.count() == 2


def test_an_imported_change_can_be_reverted_from_the_history_page(admin_client):
    enterprise = EnterpriseFactory(name="ZKH Industrial", country="CN")
    first = enterprise.history.earliest()
    confirm(
        admin_client,
        Enterprise,
        preview(admin_client, Enterprise, "csv", [["id", "name"], [enterprise.pk, "ZKH Industrial Supply Co"]]),
    )

    history = admin_client.get(admin_url(Enterprise, "history", enterprise.pk))
    revert = admin_client.post(
        reverse("admin:delegations_enterprise_simple_history", args=[enterprise.pk, first.history_id]),
        {"name": "ZKH Industrial", "kind": "company", "country": "CN"},
    )

    assert history.status_code == 200
    assert [record.history_change_reason for record in history.context["page_obj"].object_list] == [
        "Imported from import.csv",
        None,
    ]
    assert revert.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == "ZKH Industrial"


def test_an_unchanged_row_is_skipped(admin_client):
    enterprise = EnterpriseFactory(name="Dow", country="US")

    response = preview(admin_client, Enterprise, "csv", [["id", "name", "country"], [enterprise.pk, "Dow", "US"]])

    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_enterprise_import_page_lists_the_fields_it_reads(admin_client):
    response = admin_client.get(admin_url(Enterprise, "import"))

    assert response.status_code == 200
    assert response.context["fields_list"] == [("EnterpriseResource", ENTERPRISE_EXPORT_HEADERS)]
    assert [label for _, label in response.context["form"].fields["format"].choices] == ["---", "csv", "xlsx"]


# Exports


def export(client, model, file_format: str, query: str = ""):
    """Export the model's change list as filtered by ``query``, with every field of the export form."""
    url = admin_url(model, "export") + query
    form = client.get(url).context["form"]
    selected = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return client.post(url, {"format": format_choice(model, file_format), "resource": "0", **selected})


def exported_rows(response, file_format: str) -> list[list]:
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.content.decode())))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in workbook.active.rows]


def test_enterprise_export_contains_exactly_the_filtered_rows(admin_client):
    source = SourceFactory()
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN", industry="MRO", source=source)
    qingpu = EnterpriseFactory(name="Qingpu Logistics", country="CN", industry="Logistics", uscc=valid_uscc(5))
    EnterpriseFactory(name="Dow", country="US")

    response = export(admin_client, Enterprise, "csv", "?country=CN")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = exported_rows(response, "csv")
    assert rows[0] == ENTERPRISE_EXPORT_HEADERS
    common = {"name_zh": "", "name_pinyin": "", "name_zh_source": ""}
    common |= {"kind": "company", "country": "CN", "city": "Shanghai", "district": "Qingpu District"}
    assert [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] == [
        common
        | {"id": str(qingpu.pk), "name": "Qingpu Logistics", "industry": "Logistics", "uscc": valid_uscc(5)}
        | {"registry_id": "", "description": "", "source": ""},
        common
        | {"id": str(zkh.pk), "name": "ZKH Industrial Supply Co", "industry": "MRO", "uscc": ""}
        | {"registry_id": "", "description": "", "source": str(source.pk)},
    ]


def test_the_change_list_export_link_keeps_its_filters(admin_client):
    response = admin_client.get(admin_url(Enterprise, "changelist"), {"country": "CN", "q": "zkh"})

    assert f'href="{admin_url(Enterprise, "export")}?country=CN&amp;q=zkh"' in response.content.decode()


def test_enterprise_export_of_a_search_contains_exactly_the_rows_found(admin_client):
    dow = EnterpriseFactory(name="Dow", country="US")
    EnterpriseFactory(name="ZKH Industrial Supply Co")

    response = export(admin_client, Enterprise, "xlsx", "?q=dow")

    assert response["Content-Type"] == XLSX.CONTENT_TYPE
    assert [row[:7] for row in exported_rows(response, "xlsx")] == [
        ["id", "name", "name_zh", "name_pinyin", "name_zh_source", "kind", "country"],
        [dow.pk, "Dow", None, None, None, "company", "US"],
    ]


@pytest.mark.parametrize(
    ("name", "exported"),
    [
        ('=HYPERLINK("http://example.com","Dow")', '\'=HYPERLINK("http://example.com","Dow")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Dow = materials", "Dow = materials"),
    ],
)
@each_format
def test_exported_text_cells_are_escaped_against_formula_injection(admin_client, file_format, name, exported):
    EnterpriseFactory(name=name, country="US", district="")

    rows = exported_rows(export(admin_client, Enterprise, file_format), file_format)

    assert rows[1][1] == exported


def test_an_escaped_xlsx_cell_is_text_not_a_formula(admin_client):
    EnterpriseFactory(name="=1+2", country="US")

    response = export(admin_client, Enterprise, "xlsx")

    cell = openpyxl.load_workbook(io.BytesIO(response.content)).active["B2"]
    assert (cell.value, cell.data_type) == ("'=1+2", "s")


def test_a_control_character_does_not_break_the_xlsx_export_nor_start_a_formula(admin_client):
    EnterpriseFactory(name="\x01=1+2", country="US")

    response = export(admin_client, Enterprise, "xlsx")

    cell = openpyxl.load_workbook(io.BytesIO(response.content)).active["B2"]
    assert (cell.value, cell.data_type) == ("\ufffd=1+2", "s")


# Deals


@pytest.fixture
def parties():
    """A buyer, a seller, a delegation and the 6th CIIE (5–10 November 2023), with a EUR rate."""
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0850000000"))
    return {
        "buyer": EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN"),
        "seller": EnterpriseFactory(name="Dow", country="US"),
        "delegation": DelegationFactory(name="Shanghai trading delegation"),
        "edition": EditionFactory(start_date=datetime.date(2023, 11, 5), end_date=datetime.date(2023, 11, 10)),
        "markets": [MarketFactory(name="Electronics"), MarketFactory(name="New energy")],
    }


def deal_row(parties, **values) -> list:
    """A deal row under DEAL_HEADERS: by default 1000.00 EUR between the parties, signed 2023-11-06."""
    row = {
        "id": "",
        "title": "Organo-silicon products",
        "buyer": parties["buyer"].pk,
        "seller": parties["seller"].pk,
        "delegation": parties["delegation"].pk,
        "edition": parties["edition"].pk,
        "amount": "1000.00",
        "currency": "EUR",
        "signed_on": "2023-11-06",
        "markets": ",".join(str(market.pk) for market in parties["markets"]),
        "is_published": "1",
    } | values
    return [row[header] for header in DEAL_HEADERS]


@each_format
def test_deal_import_dry_run_previews_the_rows_and_writes_nothing(admin_client, parties, file_format):
    rows = [DEAL_HEADERS, deal_row(parties), deal_row(parties, title="Silicone elastomers", currency="USD")]

    response = preview(admin_client, Deal, file_format, rows)

    assert response.status_code == 200
    result = response.context["result"]
    assert [(row.import_type, row.object_repr) for row in result.rows] == [
        ("new", "Organo-silicon products (EUR 1,000.00)"),
        ("new", "Silicone elastomers (USD 1,000.00)"),
    ]
    # The preview shows the stage a new deal starts in and its USD value.
    stage, value_usd = result.diff_headers.index("stage"), result.diff_headers.index("value_usd")
    assert [(strip_tags(row.diff[stage]), strip_tags(row.diff[value_usd])) for row in result.rows] == [
        ("intention", "1085.00"),
        ("intention", "1000.00"),
    ]
    assert "confirm_form" in response.context
    assert not Deal.objects.exists()
    assert not Deal.history.exists()


@each_format
def test_confirmed_deal_import_creates_the_deals_valued_in_usd(admin_client, admin_user, parties, file_format):
    rows = [
        DEAL_HEADERS,
        deal_row(parties),
        deal_row(parties, title="Silicone elastomers", amount="300000000.00", currency="USD", markets=""),
    ]

    response = confirm(admin_client, Deal, preview(admin_client, Deal, file_format, rows))

    assert response.status_code == 302
    eur, usd = Deal.objects.order_by("currency")
    assert (eur.title, eur.buyer, eur.seller, eur.delegation, eur.edition) == (
        "Organo-silicon products",
        parties["buyer"],
        parties["seller"],
        parties["delegation"],
        parties["edition"],
    )
    assert (eur.amount, eur.currency, eur.value_usd, eur.usd_rate, eur.usd_rate_date) == (
        Decimal("1000.00"),
        "EUR",
        Decimal("1085.00"),
        Decimal("1.0850000000"),
        datetime.date(2023, 11, 1),
    )
    assert (eur.stage, eur.signed_on, eur.is_published) == ("intention", datetime.date(2023, 11, 6), True)
    assert set(eur.markets.all()) == set(parties["markets"])
    assert (usd.amount, usd.value_usd, usd.usd_rate, usd.usd_rate_date) == (
        Decimal("300000000.00"),
        Decimal("300000000.00"),
        Decimal(1),
        None,
    )
    assert (usd.stage, list(usd.markets.all())) == ("intention", [])
    assert {record.history_user for record in Deal.history.all()} == {admin_user}


@pytest.mark.parametrize(
    ("bad_values", "errors"),
    [
        ({"seller": "buyer"}, {"__all__": ["A deal's buyer and seller must be different enterprises."]}),
        (
            {"signed_on": "2023-10-06"},
            {"__all__": ["No exchange rate for EUR on or before 2023-10-06: add one to value this deal in USD."]},
        ),
        ({"currency": "XYZ"}, {"currency": ["Value 'XYZ' is not a valid choice."]}),
        ({"amount": "0"}, {"__all__": ["A deal's amount must be greater than zero."]}),
        ({"amount": "a lot"}, {"amount": ["“a lot” is not a number."]}),
        ({"buyer": 999999}, {"buyer": ["There is no enterprise with id 999999."]}),
        ({"markets": "999999"}, {"markets": ["There is no market with id 999999."]}),
        ({"signed_on": "6 Nov"}, {"signed_on": ["“6 Nov” is not a date (YYYY-MM-DD)."]}),
        ({"is_published": "yes"}, {"is_published": ["“yes” is neither true nor false: use 1 or 0, true or false."]}),
    ],
    ids=[
        "buyer is seller",
        "no exchange rate",
        "unknown currency",
        "zero amount",
        "amount not a number",
        "unknown buyer",
        "unknown market",
        "date not a date",
        "flag not a boolean",
    ],
)
@each_format
def test_deal_import_with_a_bad_row_reports_it_and_writes_nothing(
    admin_client, parties, file_format, bad_values, errors
):
    if bad_values.get("seller") == "buyer":
        bad_values = {"seller": parties["buyer"].pk}
    rows = [DEAL_HEADERS, deal_row(parties), deal_row(parties, title="Bad", **bad_values), deal_row(parties)]

    response = preview(admin_client, Deal, file_format, rows)

    assert response.status_code == 200
    assert row_errors(response) == [(2, errors)]
    assert "confirm_form" not in response.context
    assert not Deal.objects.exists()


def test_xlsx_cells_typed_as_numbers_dates_and_booleans_are_read(admin_client, parties):
    market = parties["markets"][0]
    typed = {"amount": 1000, "signed_on": datetime.date(2023, 11, 6), "markets": market.pk, "is_published": False}

    confirm(admin_client, Deal, preview(admin_client, Deal, "xlsx", [DEAL_HEADERS, deal_row(parties, **typed)]))

    deal = Deal.objects.get()
    assert (deal.amount, deal.signed_on, deal.value_usd, deal.is_published, list(deal.markets.all())) == (
        Decimal("1000.00"),
        datetime.date(2023, 11, 6),
        Decimal("1085.00"),
        False,
        [market],
    )


def test_a_missing_rate_names_the_day_of_an_xlsx_date_cell(admin_client, parties):
    row = deal_row(parties, amount=250.5, signed_on=datetime.date(2023, 10, 6))

    response = preview(admin_client, Deal, "xlsx", [DEAL_HEADERS, row])

    assert row_errors(response) == [
        (1, {"__all__": ["No exchange rate for EUR on or before 2023-10-06: add one to value this deal in USD."]})
    ]


def test_an_import_that_no_longer_passes_at_confirmation_writes_nothing(admin_client, parties):
    rows = [DEAL_HEADERS, deal_row(parties, currency="USD"), deal_row(parties, title="In euros")]
    previewed = preview(admin_client, Deal, "csv", rows)
    # The rate the preview used is gone by the time the import is confirmed.
    ExchangeRate.objects.filter(currency="EUR").delete()

    response = confirm(admin_client, Deal, previewed)

    assert response.status_code == 302
    assert response["Location"] == admin_url(Deal, "import")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Nothing was imported: the file no longer passes the checks it passed in the preview.",
        "Row 2: No exchange rate for EUR on or before 2023-11-06: add one to value this deal in USD.",
    ]
    assert not Deal.objects.exists()
    assert not Deal.history.exists()


def test_the_stage_in_an_import_file_is_ignored(admin_client, parties):
    existing = DealFactory(title="Signed before", stage=Deal.Stage.INTENTION, currency="USD", amount=Decimal("5.00"))
    headers = [*DEAL_HEADERS, "stage"]
    rows = [
        headers,
        [*deal_row(parties), "executed"],
        [*deal_row(parties, id=existing.pk, title="Updated", currency="USD", amount="5.00"), "signed"],
    ]

    confirm(admin_client, Deal, preview(admin_client, Deal, "csv", rows))

    assert list(Deal.objects.order_by("title").values_list("title", "stage")) == [
        ("Organo-silicon products", "intention"),
        ("Updated", "intention"),
    ]


def test_updating_a_deal_values_it_again(admin_client, parties):
    deal = DealFactory(buyer=parties["buyer"], seller=parties["seller"], edition=parties["edition"], currency="USD")

    confirm(
        admin_client,
        Deal,
        preview(admin_client, Deal, "xlsx", [["id", "amount", "currency"], [deal.pk, "2000.00", "EUR"]]),
    )

    deal.refresh_from_db()
    assert (deal.amount, deal.currency, deal.value_usd, deal.usd_rate) == (
        Decimal("2000.00"),
        "EUR",
        Decimal("2170.00"),
        Decimal("1.0850000000"),
    )


def test_deal_import_page_lists_the_fields_it_reads_and_not_the_computed_ones(admin_client):
    response = admin_client.get(admin_url(Deal, "import"))

    [(_, fields)] = response.context["fields_list"]
    assert fields == [
        "id",
        "title",
        "description",
        "buyer",
        "seller",
        "delegation",
        "edition",
        "amount",
        "currency",
        "stated_value_usd",
        "signed_on",
        "first_deal_of",
        "regional_debut",
        "debut_region",
        "is_published",
        "embargo_until",
        "source",
        "markets",
    ]


@each_format
def test_deal_export_contains_exactly_the_filtered_deals_with_stage_and_usd_value(admin_client, file_format):
    market = MarketFactory()
    deal = DealFactory(
        title="Organo-silicon products",
        currency="EUR",
        amount=Decimal("1000.00"),
        usd_rate=Decimal("1.0850000000"),
        stage=Deal.Stage.SIGNED,
        markets=[market],
    )
    DealFactory(title="Only an intention", stage=Deal.Stage.INTENTION)

    rows = exported_rows(export(admin_client, Deal, file_format, "?stage__exact=signed"), file_format)

    assert rows[0] == [
        "id",
        "title",
        "description",
        "buyer",
        "seller",
        "delegation",
        "edition",
        "amount",
        "currency",
        "stated_value_usd",
        "signed_on",
        "first_deal_of",
        "regional_debut",
        "debut_region",
        "is_published",
        "embargo_until",
        "source",
        "markets",
        "stage",
        "value_usd",
        "usd_rate",
        "usd_rate_date",
        "usd_rate_source",
    ]
    assert len(rows) == 2
    exported = dict(zip(rows[0], rows[1], strict=True))
    expected = {
        "id": deal.pk,
        "title": "Organo-silicon products",
        "buyer": deal.buyer_id,
        "amount": Decimal("1000.00"),
        "currency": "EUR",
        "markets": str(market.pk),
        "stage": "signed",
        "value_usd": Decimal("1085.00"),
        "usd_rate": Decimal("1.0850000000"),
        "usd_rate_date": deal.signed_on,
        "usd_rate_source": "table",
    }
    if file_format == "csv":
        expected |= {
            "id": str(deal.pk),
            "buyer": str(deal.buyer_id),
            "amount": "1000.00",
            "value_usd": "1085.00",
            "usd_rate": "1.0850000000",
            "usd_rate_date": deal.signed_on.isoformat(),
        }
    else:
        exported |= {name: Decimal(str(exported[name])) for name in ("amount", "value_usd", "usd_rate")}
        exported["usd_rate_date"] = exported["usd_rate_date"].date()
    assert {name: exported[name] for name in expected} == expected


def test_reimporting_an_exported_file_changes_nothing(admin_client):
    DealFactory(
        markets=[MarketFactory(), MarketFactory()],
        embargo_until=datetime.datetime(2023, 11, 5, 9, 30, tzinfo=datetime.UTC),
        first_deal_of=DelegationFactory(),
    )
    DealFactory(currency="CNY", amount=Decimal("2000000.00"), source=SourceFactory())
    exported = export(admin_client, Deal, "csv")

    file = SimpleUploadedFile("deals.csv", exported.content, content_type="text/csv")
    response = admin_client.post(admin_url(Deal, "import"), {"import_file": file, "format": format_choice(Deal, "csv")})

    assert [row.import_type for row in response.context["result"].rows] == ["skip", "skip"]


def test_deal_export_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    DealFactory(markets=[MarketFactory()])
    with django_assert_max_num_queries(100) as one_deal:
        export(admin_client, Deal, "csv")
    for _ in range(4):
        DealFactory(markets=[MarketFactory()])

    with django_assert_max_num_queries(len(one_deal)):
        response = export(admin_client, Deal, "csv")

    assert len(exported_rows(response, "csv")) == 6


# Permissions


def staff_with(*codenames: str) -> Client:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("codenames", "can_import", "can_export"),
    [
        (("view_enterprise",), False, True),
        (("view_enterprise", "change_enterprise"), False, True),
        (("view_enterprise", "add_enterprise", "change_enterprise"), True, True),
        (("change_enterprise", "add_enterprise"), True, False),
    ],
    ids=["view", "view+change", "view+add+change", "add+change"],
)
def test_importing_needs_add_and_change_and_exporting_needs_view(codenames, can_import, can_export):
    client = staff_with(*codenames)

    assert client.get(admin_url(Enterprise, "import")).status_code == (200 if can_import else 403)
    denied = client.post(admin_url(Enterprise, "process_import"), {})
    assert (denied.status_code == 403) is not can_import
    assert client.get(admin_url(Enterprise, "export")).status_code == (200 if can_export else 403)
