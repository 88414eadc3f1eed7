"""The deal list's common filters and its orderings can be answered from an index (PostgreSQL).

Each case runs ``EXPLAIN (FORMAT JSON)`` of the query the deal list issues for a filter, built
by ``DealFilterSet`` itself, and names the index the plan must use. The test database holds a
handful of deals, and on so small a table the planner rightly prefers reading it whole; so each
test first turns sequential scans off for its own transaction (``SET LOCAL enable_seqscan =
off``, and ``enable_sort`` and ``enable_incremental_sort`` for the orderings). What the tests
show is that the index fits the query: that the planner can use it, not that it will at every
size.

Filter cases explain the filtered rows unordered (as the list counts them); ordering cases
explain a page (``LIMIT``/``OFFSET``) and check that no sort is needed for it."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import QueryDict

from deals.filtersets import DealFilterSet
from deals.models import Deal, DealLineItem
from delegations.models import Enterprise
from framework import access
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    MarketFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgresql_only")]


@pytest.fixture
def w() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=w.shanghai)
    w.edition = EditionFactory(start_date=datetime.date(2023, 11, 5))
    w.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    w.dow = EnterpriseFactory(name="Dow", country="US")
    w.silicon = CategoryFactory(name="Organo-silicon products")
    w.electronics = MarketFactory(name="Electronics")
    deal = DealFactory(
        buyer=w.zkh,
        seller=w.dow,
        delegation=w.qingpu,
        edition=w.edition,
        amount=Decimal("300000000.00"),
        first_deal_of=w.shanghai,
        regional_debut=True,
        debut_region="Asia Pacific",
        markets=[w.electronics],
    )
    DealLineItemFactory(deal=deal, category=w.silicon)
    DealFactory(buyer=w.dow, seller=w.zkh, delegation=w.shanghai, edition=w.edition, stage=Deal.Stage.INTENTION)
    DealFactory(
        buyer=w.zkh,
        seller=w.dow,
        delegation=w.qingpu,
        edition=w.edition,
        currency="CNY",
        amount=Decimal("10000000.00"),
        embargo_until=datetime.datetime(2023, 11, 10, tzinfo=datetime.UTC),
    )
    return w


def indexes_on(model: type[Model], *fields: str) -> set[str]:
    """The names of the indexes on exactly these fields of ``model``, for those Django names itself
    (a foreign key's; on PostgreSQL a text column's has a twin for ``LIKE`` patterns)."""
    columns = [model._meta.get_field(name).column for name in fields]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name
        for name, constraint in constraints.items()
        if constraint["index"] and not constraint["unique"] and constraint["columns"] == columns
    }


def filtered(params: dict, *, user=None) -> QuerySet[Deal]:
    """The deals the list returns for ``params``, scoped as for ``user`` (default: an analyst, who reads all)."""
    deals = Deal.objects.all() if user is None else access.scope_for_read(Deal.objects.all(), user)
    query = QueryDict(mutable=True)
    for name, value in params.items():
        query.setlist(name, value if isinstance(value, list) else [value])
    filterset = DealFilterSet(query, queryset=deals)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def plan_of(queryset: QuerySet, *, settings: tuple[str, ...] = ("enable_seqscan",)) -> dict:
    """The JSON plan of ``queryset``, with the planner ``settings`` turned off for this transaction."""
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
    return json.loads(queryset.explain(format="json"))[0]["Plan"]


def nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", ()) for node in nodes(child))]


def indexes_used(plan: dict) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


# Per filter, the indexes its plan must use: each entry is an index name, or a model's field
# whose own indexes (any one of them) are meant.
FILTER_CASES = {
    "delegation (with its sub-delegations)": (lambda w: {"delegation": w.shanghai.pk}, [(Deal, "delegation")]),
    # The foreign key's index, or the statistics index that leads with the edition.
    "edition": (lambda w: {"edition": w.edition.pk}, [{"deal_edition_delegation_idx", (Deal, "edition")}]),
    "buyer": (lambda w: {"buyer": w.zkh.pk}, [(Deal, "buyer")]),
    # Either direction's index holds the stages.
    "stage": (lambda w: {"stage": ["signed", "executed"]}, [{"deal_stage_id_idx", "deal_stage_desc_id_idx"}]),
    "currency": (lambda w: {"currency": ["CNY"]}, ["deal_currency_idx"]),
    "value_usd range": (
        lambda w: {"value_usd_min": "1000000.00", "value_usd_max": "5000000.00"},
        # Either direction's index holds the range (the descending one puts deals with no value last).
        [{"deal_value_usd_id_idx", "deal_value_usd_desc_id_idx"}],
    ),
    "signed_on range": (
        lambda w: {"signed_after": "2023-11-01", "signed_before": "2023-11-30"},
        # Either direction's index holds the range.
        [{"deal_signed_on_id_idx", "deal_signed_on_desc_id_idx"}],
    ),
    "seller_country": (lambda w: {"seller_country": ["US"]}, [(Enterprise, "country")]),
    "category": (lambda w: {"category": w.silicon.pk}, [(DealLineItem, "category")]),
    "market": (lambda w: {"market": w.electronics.pk}, [(Deal.markets.through, "market")]),
    "regional_debut": (lambda w: {"regional_debut": "true"}, ["deal_regional_debut_idx"]),
    # Changed since, or embargoed until a time since then: both arms from an index.
    "updated_since": (
        lambda w: {"updated_since": "2023-11-08T00:00:00Z"},
        [(Deal, "updated_at"), "deal_embargo_until_idx"],
    ),
}


def names_of(expected) -> set[str]:
    """The index names an entry of FILTER_CASES stands for."""
    if isinstance(expected, str):
        return {expected}
    if isinstance(expected, tuple):
        return indexes_on(*expected)
    return set().union(*(names_of(alternative) for alternative in expected))


@pytest.mark.parametrize("case", FILTER_CASES)
def test_a_deal_filter_reads_its_index(w, case):
    params, expected = FILTER_CASES[case]
    used = indexes_used(plan_of(filtered(params(w)).order_by()))
    for entry in expected:
        assert names_of(entry) & used, (case, entry, used)


ORDERING_CASES = {
    # The default ordering (-signed_on, -id), on the first page and on a deep one.
    "default, first page": ({}, slice(0, 50), None, "deal_signed_on_id_idx"),
    "default, deep page": ({}, slice(49_900, 49_950), None, "deal_signed_on_id_idx"),
    "default, as the public sees it": ({}, slice(0, 50), AnonymousUser(), "deal_signed_on_id_idx"),
    "value_usd": ({"ordering": "value_usd"}, slice(0, 50), None, "deal_value_usd_id_idx"),
    # The biggest first, deals with no value still last.
    "-value_usd": ({"ordering": "-value_usd"}, slice(0, 50), None, "deal_value_usd_desc_id_idx"),
    "stage": ({"ordering": "stage"}, slice(0, 50), None, "deal_stage_id_idx"),
    "title": ({"ordering": "title"}, slice(0, 50), None, "deal_title_id_idx"),
    # Descending, ties still by ascending id. (Titles, nearly all distinct, are read backwards
    # from their ascending index, each run of equal titles sorted by id.)
    "-signed_on": ({"ordering": "-signed_on"}, slice(0, 50), None, "deal_signed_on_desc_id_idx"),
    "-stage": ({"ordering": "-stage"}, slice(0, 50), None, "deal_stage_desc_id_idx"),
    "created_at": ({"ordering": "created_at"}, slice(0, 50), None, "deal_created_at_id_idx"),
    "regional debuts, default ordering": (
        {"regional_debut": "true"},
        slice(0, 50),
        None,
        "deal_regional_debut_idx",
    ),
}


@pytest.mark.parametrize("case", ORDERING_CASES)
def test_a_page_is_read_in_order_from_an_index(w, case):
    params, page, user, index = ORDERING_CASES[case]
    # An incremental sort too: an index in the other direction would otherwise do, sorting each run.
    plan = plan_of(
        filtered(params, user=user)[page], settings=("enable_seqscan", "enable_sort", "enable_incremental_sort")
    )
    assert index in indexes_used(plan), case
    assert not [node for node in nodes(plan) if node["Node Type"] in ("Sort", "Incremental Sort")], case
