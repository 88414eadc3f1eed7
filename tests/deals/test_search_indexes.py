"""Searches are read from trigram indexes (PostgreSQL): the count and the page of a deal search,
in English, in two words and in Chinese, and an enterprise search.

As in tests.deals.test_indexes, each case turns sequential scans off for its own transaction and
explains the query the view issued: the plan shows that the indexes fit the query (every table
is read by one), not that the planner picks them at every size. A search word is one semi-join
on the deals' keys: the union of the deals found by their own columns' trigram index, and of
those each related table's trigram index finds, reached by the foreign key's index."""

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.models import Deal
from tests.deals.test_indexes import indexes_on, nodes
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseAliasFactory,
    EnterpriseFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgresql_only")]

# The trigram indexes a deal search reads, one per table that grows with the deals. The few
# delegations and editions may be read by their keys instead, from the deals' side: no table is
# read whole either way.
DEAL_SEARCH_INDEXES = {
    "deal_search_trgm_idx",
    "deallineitem_search_trgm_idx",
    "enterprise_search_trgm_idx",
    "enterprisealias_search_trgm_idx",
}


@pytest.fixture
def w() -> SimpleNamespace:
    w = SimpleNamespace()
    silicon = CategoryFactory(name="Organo-silicon products")
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行工业超市（上海）有限公司", country="CN")
    EnterpriseAliasFactory(enterprise=zkh, name="震坤行")
    dow = EnterpriseFactory(name="Dow", name_zh="陶氏", country="US")
    basf, sony = EnterpriseFactory(name="BASF", country="DE"), EnterpriseFactory(name="Sony", country="JP")
    qingpu = DelegationFactory(name="Qingpu District trading delegation", name_zh="青浦区交易分团")
    ciie6 = EditionFactory(name="6th China International Import Expo")
    w.dow_deal = DealFactory(title="Procurement order", buyer=zkh, seller=dow, delegation=qingpu, edition=ciie6)
    DealLineItemFactory(deal=w.dow_deal, product="Silicone resin", category=silicon)
    w.dow_sells = DealFactory(title="Coatings", buyer=basf, seller=dow, delegation=qingpu, edition=ciie6)
    w.sony_deal = DealFactory(title="Image sensor purchase", buyer=basf, seller=sony)
    return w


def issued(client, name: str, term: str) -> tuple[dict, dict[str, str]]:
    """The answer of the list ``name`` searched for ``term``, and the SQL of its count and its page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), {"search": term})
    assert response.status_code == 200
    table = f'FROM "{Deal._meta.db_table}"' if name == "deal-list" else 'FROM "delegations_enterprise"'
    statements = [query["sql"] for query in queries.captured_queries if table in query["sql"]]
    count = next(sql for sql in statements if sql.startswith("SELECT COUNT(*)"))
    page = next(sql for sql in statements if sql.endswith("LIMIT 50"))
    return response.json(), {"count": count, "page": page}


# What each query is explained with turned off. A page may also be read in its order along an
# index, filtered as it goes (the planner's choice when most deals match, which then stops after a
# page): plain index scans are turned off for it, to show that the trigram indexes fit it too.
PLANNER_OFF = {"count": ("enable_seqscan",), "page": ("enable_seqscan", "enable_indexscan")}


def plan_of(sql: str, query: str) -> dict:
    """The plan of ``sql``, the ``query`` ("count" or "page") of a list, with what PLANNER_OFF says
    turned off for this transaction."""
    with connection.cursor() as cursor:
        for setting in PLANNER_OFF[query]:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        explained = cursor.fetchone()[0]
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


def scans(plan: dict) -> tuple[set[str], set[str]]:
    """The indexes ``plan`` reads, and the tables it reads whole."""
    indexes = {node["Index Name"] for node in nodes(plan) if "Index Name" in node}
    return indexes, {node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"}


def foreign_key_indexes(*fields: str) -> set[str]:
    return set().union(*(indexes_on(Deal, field) for field in fields))


DEAL_CASES = {
    "one word": ("Dow", "dow_deal dow_sells"),
    "two words": ("Dow silicone", "dow_deal"),
    "Chinese": ("震坤行", "dow_deal"),
}


@pytest.mark.parametrize("query", ["count", "page"])
@pytest.mark.parametrize("case", DEAL_CASES)
def test_a_deal_search_reads_the_trigram_indexes(w, analyst_api, case, query):
    term, expected = DEAL_CASES[case]
    answer, statements = issued(analyst_api, "deal-list", term)
    found = [getattr(w, name).pk for name in expected.split()]
    assert (answer["count"], sorted(row["id"] for row in answer["results"])) == (len(found), sorted(found))
    indexes, whole = scans(plan_of(statements[query], query))
    assert whole == set()
    assert indexes >= DEAL_SEARCH_INDEXES
    # The deals of the matching parties, delegations, editions and line items, by key.
    for field in ("buyer", "seller", "delegation"):
        assert indexes_on(Deal, field) & indexes or (field == "delegation" and "deal_edition_delegation_idx" in indexes)


@pytest.mark.parametrize("query", ["count", "page"])
def test_the_publics_deal_search_reads_no_table_whole(w, anon, query):
    w.sony_deal.is_published = False
    w.sony_deal.save()
    answer, statements = issued(anon, "deal-list", "Dow")
    assert answer["count"] == 2
    indexes, whole = scans(plan_of(statements[query], query))
    assert whole == set()
    assert DEAL_SEARCH_INDEXES - {"deal_search_trgm_idx"} <= indexes


@pytest.mark.parametrize("query", ["count", "page"])
def test_an_enterprise_search_reads_the_trigram_indexes(w, analyst_api, query):
    answer, statements = issued(analyst_api, "enterprise-list", "震坤行")
    assert [row["name"] for row in answer["results"]] == ["ZKH Industrial Supply Co"]
    indexes, whole = scans(plan_of(statements[query], query))
    assert whole == set()
    assert {"enterprise_search_trgm_idx", "enterprisealias_search_trgm_idx"} <= indexes
