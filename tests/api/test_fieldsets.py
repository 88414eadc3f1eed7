"""Sparse fieldsets and expansion on the deal list, where they matter most: what a narrow
``fields`` saves, what each field reads, and how the schema describes them."""

import re

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.api.serializers import DealSerializer
from tests.api.collection import errors
from tests.factories import CategoryFactory, DealFactory, DealLineItemFactory, MarketFactory

pytestmark = pytest.mark.django_db


def deals(count: int) -> list:
    made = DealFactory.create_batch(count, markets=[MarketFactory()])
    for deal in made:
        DealLineItemFactory(deal=deal)
    return made


def columns_read(sql: str) -> list[tuple[str, str]]:
    """The ``(table, column)`` pairs a SELECT reads, sorted."""
    return sorted(re.findall(r'"(\w+)"\."(\w+)"', sql.split(" FROM ")[0]))


def get(client, params: dict) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/deals/", params)
    assert response.status_code == 200, response.json()
    return response.json(), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("count", [5, 50])
def test_fields_id_title_issues_fewer_queries_than_the_full_list(anon, count):
    deals(count)
    full, full_queries = get(anon, {})
    narrow, narrow_queries = get(anon, {"fields": "id,title"})
    # The full list: the count, the page, the markets and the line items; the narrow one: the
    # count and a page of two columns from one table.
    assert (len(full_queries), len(narrow_queries)) == (4, 2)
    assert columns_read(narrow_queries[1]) == [
        ("deals_deal", "id"),
        ("deals_deal", "title"),
    ]
    assert narrow["results"] == [{"id": row["id"], "title": row["title"]} for row in full["results"]]


@pytest.mark.parametrize(
    ("fields", "reads"),
    [
        ("value", [("deals_deal", "id"), ("deals_deal", "amount"), ("deals_deal", "currency")]),
        ("value_usd", [("deals_deal", "id"), ("deals_deal", "value_usd")]),
        ("is_first_deal", [("deals_deal", "id"), ("deals_deal", "first_deal_of_id")]),
        (
            "buyer",
            [
                ("deals_deal", "id"),
                ("deals_deal", "buyer_id"),
                ("delegations_enterprise", "country"),
                ("delegations_enterprise", "name"),
                ("delegations_enterprise", "name_zh"),
            ],
        ),
        (
            "edition",
            [
                ("deals_deal", "id"),
                ("deals_deal", "edition_id"),
                ("expo_edition", "expo_id"),
                ("expo_edition", "name"),
                ("expo_edition", "name_zh"),
                ("expo_edition", "number"),
                ("expo_expo", "name"),
                ("expo_expo", "short_name"),
            ],
        ),
    ],
)
def test_each_field_reads_only_its_columns(anon, fields, reads):
    deals(2)
    _, queries = get(anon, {"fields": fields})
    assert len(queries) == 2
    assert columns_read(queries[1]) == sorted(reads)


def test_expanded_buyer_and_markets_embed_whole_records_in_the_same_number_of_queries(anon):
    (deal,) = deals(1)
    body, queries = get(anon, {"fields": "id,buyer,markets", "expand": "buyer,markets"})
    (row,) = body["results"]
    # The count, the page with its buyers, the markets and the buyers' aliases.
    assert len(queries) == 4
    assert row == {
        "id": deal.pk,
        "buyer": anon.get(f"/api/enterprises/{deal.buyer_id}/").json(),
        "markets": [anon.get(f"/api/markets/{market.pk}/").json() for market in deal.markets.all()],
    }
    assert set(row["buyer"]) > {"id", "name", "country", "uscc", "industry", "city"}


def test_a_narrow_page_of_distinct_deals_sorts_by_what_it_does_not_show(anon):
    """A filter that makes rows distinct and a sort column left out of ``fields``: PostgreSQL
    wants the sort column selected, and gets it."""
    category = CategoryFactory()
    made = deals(3)
    for deal in made:
        DealLineItemFactory.create_batch(2, deal=deal, category=category)
    body, _ = get(anon, {"category": category.pk, "fields": "id", "ordering": "-value_usd"})
    assert [row["id"] for row in body["results"]] == [
        deal.pk for deal in sorted(made, key=lambda deal: (-deal.value_usd, deal.pk))
    ]


def test_writes_take_no_field_selection(admin_api):
    response = admin_api.post("/api/deals/?fields=id", {}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("unknown_parameter", "fields")]


def test_the_schema_lists_the_fields_and_the_expandable_relations():
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text())
    operation = schema["paths"]["/api/deals/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["fields"]["schema"]["items"]["enum"] == list(DealSerializer.Meta.fields)
    assert (parameters["fields"]["style"], parameters["fields"]["explode"]) == ("form", False)
    assert parameters["expand"]["schema"]["items"]["enum"] == [
        "buyer",
        "seller",
        "delegation",
        "edition",
        "first_deal_of",
        "markets",
        "source",
    ]
    deal = schema["components"]["schemas"]["Deal"]["properties"]
    assert deal["buyer"] == {
        "anyOf": [{"$ref": "#/components/schemas/EnterpriseBrief"}, {"$ref": "#/components/schemas/Enterprise"}],
        "description": "The buying enterprise.",
    }
    assert deal["line_items"]["items"] == {"$ref": "#/components/schemas/DealLineItem"}
