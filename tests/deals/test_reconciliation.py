"""``/api/stats/reconciliation/``: each reported figure, its statements (the preferred one first)
and whether they disagree, beside the value computed from the records the caller may read, for
the figure's subject at its run of editions."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from config.seed import load_seed_facts
from deals.models import Deal
from delegations.models import Delegation, Settlement
from expo.models import ordinal
from figures.models import FigureStatement, ReportedFigure
from figures.reconciliation import qualifier_holds, statements_disagree
from tests.access.matrix import DEALS, QINGPU, ROLES, SHANGHAI, World, readable
from tests.factories import (
    DealFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    FigureStatementFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    ReportedFigureFactory,
    SettlementFactory,
)

pytestmark = pytest.mark.django_db

Metric = ReportedFigure.Metric
Qualifier = FigureStatement.Qualifier


def reconcile(client: APIClient, **params) -> dict:
    response = client.get(reverse("stats-reconciliation"), params)
    assert response.status_code == 200, response.json()
    return response.json()


def by_figure(body: dict) -> dict[int, dict]:
    return {row["figure"]["id"]: row for row in body["results"]}


def outcome(row: dict) -> tuple:
    return (row["computed"], row["declared"], row["difference"], row["holds"])


# The seed facts: the nine figures of the article about Qingpu at the 6th CIIE.


@pytest.fixture
def seeded() -> None:
    load_seed_facts(only=())


def test_the_article_figures_beside_the_records(seeded, anon):
    body = reconcile(anon)
    rows = {
        (row["figure"]["metric"], row["figure"]["consecutive_editions"]): (
            row["figure"]["qualifier"],
            row["figure"]["value"],
            *outcome(row),
        )
        for row in body["results"]
    }
    assert body["count"] == 9
    assert rows == {
        ("trading_volume", 1): ("more_than", "1000000000.00", "300000000.00", None, "-700000000.00", False),
        ("registered_organisations", 1): ("exact", "3014.00", "0", "3014", "-3014", False),
        ("professional_audience", 1): ("exact", "18773.00", "18773", "18773", "0", True),
        ("settlements_confirmed", 1): ("exact", "8.00", "0", None, "-8", False),
        ("settlements_intended", 1): ("exact", "85.00", "0", None, "-85", False),
        ("promotional_activities", 1): ("exact", "10.00", "0", None, "-10", False),
        ("first_orders_of_parent", 6): ("exact", "6.00", "1", None, "-5", False),
        ("trading_volume", 6): ("more_than", "2130000000.00", "300000000.00", None, "-1830000000.00", False),
        ("intention_order_volume", 6): ("more_than", "5150000000.00", "0.00", None, "-5150000000.00", False),
    }


def test_each_article_figure_comes_with_its_delegation_edition_and_quote(seeded, anon):
    (row,) = [
        row for row in reconcile(anon, metric="trading_volume")["results"] if row["figure"]["consecutive_editions"] == 1
    ]
    qingpu = Delegation.objects.get(name="Qingpu District trading delegation")
    figure = row["figure"]
    assert (figure["delegation"], figure["edition"]["name"], figure["currency"], figure["unit"]) == (
        {"id": qingpu.pk, "name": "Qingpu District trading delegation", "name_zh": qingpu.name_zh},
        "6th China International Import Expo",
        "USD",
        "",
    )
    (statement,) = figure["statements"]
    assert statement["quote"].startswith("The trading volume of Qingpu's delegation hit more than US$1 billion")
    assert (statement["rank"], statement["value_usd"], statement["source"]["title"]) == (
        "preferred",
        "1000000000.00",
        "Procurement, cultural exchanges and opening-up thanks to CIIE",
    )
    assert [(each["source_title"], each["value"], each["rank"], each["preferred"]) for each in row["statements"]] == [
        ("Procurement, cultural exchanges and opening-up thanks to CIIE", "1000000000.00", "preferred", True)
    ]
    assert (row["disagreement"], row["unvalued_deals"], row["first_orders"]) == (False, 0, [])
    assert row["basis"] == (
        "USD value of the signed and executed deals (those you may read) of Qingpu District trading delegation "
        "at the 6th China International Import Expo."
    )


def test_the_bases_say_what_was_counted(seeded, anon):
    bases = {
        (row["figure"]["metric"], row["figure"]["consecutive_editions"]): row["basis"]
        for row in reconcile(anon)["results"]
    }
    assert bases[("registered_organisations", 1)] == (
        "Enterprises registered by name with the participations of Qingpu District trading delegation at the "
        "6th China International Import Expo; the participations declare 3,014 in all."
    )
    assert bases[("first_orders_of_parent", 6)] == (
        "Editions at which a deal (one you may read) of Qingpu District trading delegation at the 6 editions of "
        "CIIE up to the 6th China International Import Expo (1 of them on record: 6th China International Import "
        "Expo) was the first deal of the Shanghai trading delegation."
    )


def test_the_seed_figures_are_found_by_the_delegation_above_and_by_edition(seeded, anon):
    shanghai = Delegation.objects.get(name="Shanghai trading delegation")
    edition = ReportedFigure.objects.first().edition
    assert reconcile(anon, delegation=shanghai.pk)["count"] == 9
    assert reconcile(anon, edition=edition.pk)["count"] == 9
    assert reconcile(anon, edition=EditionFactory().pk)["count"] == 0
    assert reconcile(anon, delegation=DelegationFactory().pk)["count"] == 0


def test_reconciliation_is_paginated(seeded, anon):
    body = reconcile(anon, limit=2, offset=8)
    assert (body["count"], len(body["results"]), body["next"]) == (9, 1, None)
    assert "limit=2" in body["previous"]


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"group_by": "stage"}, "group_by", "unknown_parameter"),
        ({"delegation": "Qingpu"}, "delegation", "invalid"),
        ({"edition": ["1", "2"]}, "edition", "repeated_parameter"),
        ({"limit": "many"}, "limit", "invalid"),
        ({"offset": "-1"}, "offset", "invalid"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(anon, params, attr, code):
    response = anon.get(reverse("stats-reconciliation"), params)
    assert response.status_code == 400
    assert [(error["code"], error["attr"]) for error in response.json()["errors"]] == [(code, attr)]


# Every metric on a factory data set: Qingpu (under Shanghai, above Zhujiajiao) at editions 2–6 of
# an expo, figures about editions 3–5 or edition 5.


@pytest.fixture
def w() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=w.shanghai)
    w.zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=w.qingpu)
    w.expo = ExpoFactory(name="China International Import Expo", short_name="CIIE")
    w.editions = {n: EditionFactory(expo=w.expo, number=n, name=f"{ordinal(n)} CIIE") for n in range(2, 7)}
    w.other_expo_edition = EditionFactory(number=5)

    def deal(delegation, number, stage, value, **fields) -> Deal:
        edition = fields.pop("edition", None) or w.editions[number]
        return DealFactory(delegation=delegation, edition=edition, stage=stage, amount=Decimal(value), **fields)

    signed, executed, intention, cancelled = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED, Deal.Stage.INTENTION, "cancelled")
    deal(w.qingpu, 3, signed, "1000000.00", first_deal_of=w.shanghai)
    deal(w.zhujiajiao, 4, executed, "2000000.00", first_deal_of=w.shanghai)
    deal(w.qingpu, 5, intention, "4000000.00", first_deal_of=w.qingpu)
    deal(w.qingpu, 5, cancelled, "8000000.00")
    deal(w.qingpu, 2, signed, "16000000.00", first_deal_of=w.shanghai)
    deal(w.qingpu, 6, signed, "32000000.00", first_deal_of=w.shanghai)
    deal(w.qingpu, 5, signed, "64000000.00", edition=w.other_expo_edition, first_deal_of=w.shanghai)
    deal(w.shanghai, 5, signed, "128000000.00", first_deal_of=w.shanghai)
    deal(w.qingpu, 4, signed, "256000000.00", is_published=False)

    a, b, c = EnterpriseFactory.create_batch(3)
    w.qingpu5 = ParticipationFactory(
        delegation=w.qingpu,
        edition=w.editions[5],
        registered_organisations=100,
        professional_audience=1000,
        enterprises=[a, b],
    )
    w.zhujiajiao5 = ParticipationFactory(
        delegation=w.zhujiajiao,
        edition=w.editions[5],
        registered_organisations=50,
        professional_audience=500,
        enterprises=[b, c],
    )
    qingpu2 = ParticipationFactory(
        delegation=w.qingpu, edition=w.editions[2], registered_organisations=7, enterprises=[EnterpriseFactory()]
    )
    shanghai5 = ParticipationFactory(delegation=w.shanghai, edition=w.editions[5], registered_organisations=9)
    SettlementFactory.create_batch(2, participation=w.qingpu5, status=Settlement.Status.CONFIRMED)
    SettlementFactory(participation=w.qingpu5, status=Settlement.Status.INTENDED)
    SettlementFactory(participation=w.zhujiajiao5, status=Settlement.Status.CONFIRMED)
    SettlementFactory(participation=qingpu2, status=Settlement.Status.CONFIRMED)
    SettlementFactory(participation=shanghai5, status=Settlement.Status.INTENDED)
    PromotionalActivityFactory.create_batch(2, participation=w.qingpu5)
    PromotionalActivityFactory(participation=w.zhujiajiao5)
    PromotionalActivityFactory(participation=qingpu2)
    PromotionalActivityFactory(participation=shanghai5)
    return w


def figure(w, metric: str, value: str, qualifier: str = Qualifier.EXACT, *, run: int = 1, **fields) -> ReportedFigure:
    money = metric in ReportedFigure.MONEY_METRICS
    return ReportedFigureFactory(
        **{
            "delegation": w.qingpu,
            "edition": w.editions[5],
            "consecutive_editions": run,
            "metric": metric,
            "qualifier": qualifier,
            "value": Decimal(value),
            "currency": "USD" if money else "",
            "unit": "" if money else "things",
            **fields,
        }
    )


def test_trading_volume_sums_signed_and_executed_deals_of_the_subtree_at_the_run(w, anon, analyst_api):
    volume = figure(w, Metric.TRADING_VOLUME, "3000000", Qualifier.AT_LEAST, run=3)
    assert outcome(by_figure(reconcile(anon))[volume.pk]) == ("3000000.00", None, "0.00", True)
    # The analyst also reads the unpublished deal.
    assert outcome(by_figure(reconcile(analyst_api))[volume.pk]) == ("259000000.00", None, "256000000.00", True)


def test_intention_orders_sum_the_deals_at_the_intention_stage(w, anon):
    orders = figure(w, Metric.INTENTION_ORDER_VOLUME, "4100000", Qualifier.ABOUT, run=3)
    assert outcome(by_figure(reconcile(anon))[orders.pk]) == ("4000000.00", None, "-100000.00", True)


def test_first_orders_count_the_editions_where_the_subtree_signed_the_parents_first_deal(w, anon):
    first = figure(w, Metric.FIRST_ORDERS_OF_PARENT, "3", Qualifier.EXACT, run=3)
    row = by_figure(reconcile(anon))[first.pk]
    assert outcome(row) == ("2", None, "-1", False)
    assert row["basis"] == (
        "Editions at which a deal (one you may read) of Qingpu District trading delegation and the 1 delegation "
        "below it at the 3 editions of CIIE up to the 5th CIIE (3 of them on record: 3rd CIIE, 4th CIIE, 5th CIIE) "
        "was the first deal of the Shanghai trading delegation."
    )


def test_registered_organisations_count_distinct_enterprises_known_by_name_beside_the_declared(w, anon):
    registered = figure(w, Metric.REGISTERED_ORGANISATIONS, "150")
    row = by_figure(reconcile(anon))[registered.pk]
    assert outcome(row) == ("3", "150", "-147", False)
    assert row["basis"].endswith("the participations declare 150 in all.")


def test_professional_audience_is_what_the_participations_declare(w, anon):
    audience = figure(w, Metric.PROFESSIONAL_AUDIENCE, "1550", Qualifier.ABOUT)
    assert outcome(by_figure(reconcile(anon))[audience.pk]) == ("1500", "1500", "-50", True)


def test_settlements_are_counted_by_status(w, anon):
    confirmed = figure(w, Metric.SETTLEMENTS_CONFIRMED, "3")
    intended = figure(w, Metric.SETTLEMENTS_INTENDED, "0", Qualifier.MORE_THAN)
    rows = by_figure(reconcile(anon))
    assert outcome(rows[confirmed.pk]) == ("3", None, "0", True)
    assert outcome(rows[intended.pk]) == ("1", None, "1", True)


def test_promotional_activities_are_counted(w, anon):
    activities = figure(w, Metric.PROMOTIONAL_ACTIVITIES, "4", Qualifier.AT_LEAST)
    assert outcome(by_figure(reconcile(anon))[activities.pk]) == ("3", None, "-1", False)


def test_a_run_longer_than_the_editions_on_record_counts_those_there_are(w, anon):
    volume = figure(w, Metric.TRADING_VOLUME, "1", Qualifier.MORE_THAN, run=10)
    row = by_figure(reconcile(anon))[volume.pk]
    # Editions 2 to 5 of the expo: not edition 6, nor the other expo's edition 5.
    assert row["computed"] == "19000000.00"
    assert (
        "at the 10 editions of CIIE up to the 5th CIIE (4 of them on record: 2nd CIIE, 3rd CIIE, 4th CIIE, 5th CIIE)"
        in row["basis"]
    )


def test_an_expo_wide_figure_counts_every_delegation_at_the_edition(w, anon):
    volume = figure(w, Metric.TRADING_VOLUME, "1", Qualifier.MORE_THAN, delegation=None, run=3)
    row = by_figure(reconcile(anon))[volume.pk]
    # Editions 3 to 5 of the expo, whichever delegation signed: not the unpublished deal.
    assert outcome(row) == ("131000000.00", None, "130999999.00", True)
    assert row["basis"].startswith(
        "USD value of the signed and executed deals (those you may read) of every delegation"
    )


def test_an_enterprises_figure_counts_its_deals_as_buyer_or_seller(w, anon):
    buyer = EnterpriseFactory()
    DealFactory(delegation=w.qingpu, edition=w.editions[5], stage=Deal.Stage.SIGNED, amount=Decimal(5), buyer=buyer)
    DealFactory(delegation=w.shanghai, edition=w.editions[5], stage=Deal.Stage.SIGNED, amount=Decimal(7), seller=buyer)
    orders = figure(w, Metric.TRADING_VOLUME, "12", delegation=None, enterprise=buyer)
    row = by_figure(reconcile(anon))[orders.pk]
    assert outcome(row) == ("12.00", None, "0.00", True)


@pytest.mark.parametrize(
    ("metric", "fields", "basis"),
    [
        (
            Metric.TRADING_VOLUME,
            {"currency": "CNY", "quote": "It reached 1,000 yuan."},
            "Deals are summed in USD; the preferred statement is in CNY with no USD value.",
        ),
        (
            Metric.SETTLEMENTS_CONFIRMED,
            {"delegation": None, "enterprise": "buyer"},
            "The figure is about an enterprise: only the values of its deals are on record.",
        ),
        (
            Metric.FIRST_ORDERS_OF_PARENT,
            {"delegation": None},
            "The figure names no delegation: there is no delegation above it to compute it from.",
        ),
        (Metric.DEALERS_REGISTERED, {}, "Nothing on record measures this metric."),
        (
            Metric.SETTLEMENTS_INTENDED,
            {"rank": "deprecated"},
            "The figure has no statement to compare (none, or every one deprecated).",
        ),
    ],
)
def test_a_figure_the_records_cannot_give_has_no_computed_value(w, anon, metric, fields, basis):
    if fields.get("enterprise") == "buyer":
        fields = {**fields, "enterprise": EnterpriseFactory()}
    unknown = figure(w, metric, "1000", **fields)
    row = by_figure(reconcile(anon))[unknown.pk]
    assert (*outcome(row), row["basis"]) == (None, None, None, None, basis)


def test_first_orders_of_the_parent_of_a_delegation_at_the_top_has_no_computed_value(w, anon):
    first = figure(w, Metric.FIRST_ORDERS_OF_PARENT, "1", delegation=w.shanghai)
    row = by_figure(reconcile(anon))[first.pk]
    assert (*outcome(row), row["basis"]) == (
        None,
        None,
        None,
        None,
        "The Shanghai trading delegation has no delegation above it.",
    )


def test_an_audience_nobody_declares_has_no_computed_value(w, anon):
    audience = figure(w, Metric.PROFESSIONAL_AUDIENCE, "10", edition=w.editions[6])
    row = by_figure(reconcile(anon))[audience.pk]
    assert outcome(row) == (None, None, None, None)
    assert row["basis"].endswith("declare. No participation declares it.")


@pytest.mark.parametrize(
    ("qualifier", "computed", "holds"),
    [
        (Qualifier.EXACT, "100", True),
        (Qualifier.EXACT, "100.01", False),
        (Qualifier.MORE_THAN, "100", False),
        (Qualifier.MORE_THAN, "100.01", True),
        (Qualifier.AT_LEAST, "100", True),
        (Qualifier.AT_LEAST, "99.99", False),
        (Qualifier.ABOUT, "95", True),
        (Qualifier.ABOUT, "105", True),
        (Qualifier.ABOUT, "94.99", False),
        (Qualifier.ABOUT, "105.01", False),
    ],
)
def test_qualifiers(qualifier, computed, holds):
    assert qualifier_holds(qualifier=qualifier, computed=Decimal(computed), reported=Decimal(100)) is holds


# Scope: each role's computed values count only the deals it may read.


@pytest.mark.parametrize("role", ROLES)
def test_each_role_computes_from_the_deals_it_reads(db, role):
    world = World()
    DEALS.populate(world)
    volume = ReportedFigureFactory(
        delegation=world.delegation(SHANGHAI), edition=world.edition, metric=Metric.TRADING_VOLUME
    )
    counted = [
        deal
        for deal in Deal.objects.select_related("delegation")
        if deal.delegation.name in (SHANGHAI, QINGPU) and readable(role, DEALS, deal)
    ]
    response = world.client(role).get(reverse("stats-reconciliation"))
    assert response.status_code == 200
    assert by_figure(response.json())[volume.pk]["computed"] == f"{sum(deal.value_usd for deal in counted):.2f}"


# Queries: a fixed number per page, whatever the number of figures.


RECONCILIATION_QUERIES = (
    # The analyst's groups, the count and the page (3); the statements and their sources (2); the
    # delegation tree, the editions and the parents (3); deals, registrations, declared numbers,
    # settlements, activities (5); the recorded first orders (1).
    14
)


@pytest.mark.parametrize("copies", [1, 6])
def test_a_page_takes_a_fixed_number_of_queries(w, analyst_api, copies):
    for copy in range(copies):
        for metric in Metric.values:
            figure(w, metric, "1", run=2, description=f"copy {copy}")
    with CaptureQueriesContext(connection) as queries:
        body = reconcile(analyst_api, limit=1000)
    assert body["count"] == copies * len(Metric.values)
    assert len(queries) == RECONCILIATION_QUERIES


def test_a_figure_about_a_sub_delegation_leaves_out_the_delegation_above(w, anon):
    volume = figure(w, Metric.TRADING_VOLUME, "1", delegation=w.zhujiajiao, run=3)
    assert by_figure(reconcile(anon))[volume.pk]["computed"] == "2000000.00"


# Several statements of a figure: the preferred one beside the others, and disagreement.


def test_the_preferred_statement_comes_first_beside_the_others(w, anon):
    audience = figure(w, Metric.PROFESSIONAL_AUDIENCE, "1500", rank="normal")
    earlier = audience.statements.get()
    later = FigureStatementFactory(
        figure=audience, value=Decimal(1400), qualifier=Qualifier.MORE_THAN, rank="normal", as_of="2023-11-12"
    )
    wrong = FigureStatementFactory(figure=audience, value=Decimal(900), qualifier=Qualifier.EXACT, rank="deprecated")

    row = by_figure(reconcile(anon))[audience.pk]

    # No statement is ranked preferred: the latest normal one is the figure's value.
    assert (row["figure"]["preferred_statement"], row["figure"]["value"], row["figure"]["qualifier"]) == (
        later.pk,
        "1400.00",
        "more_than",
    )
    assert [
        (each["id"], each["value"], each["rank"], each["preferred"], each["holds"]) for each in row["statements"]
    ] == [
        (later.pk, "1400.00", "normal", True, True),
        (earlier.pk, "1500.00", "normal", False, True),
        (wrong.pk, "900.00", "deprecated", False, False),
    ]
    # More than 1,400 and exactly 1,500 can both be true; the deprecated 900 is not weighed.
    assert (row["disagreement"], row["computed"], row["difference"], row["holds"]) == (False, "1500", "100", True)


def test_sources_that_cannot_all_be_right_are_flagged(w, anon):
    confirmed = figure(w, Metric.SETTLEMENTS_CONFIRMED, "3")
    FigureStatementFactory(figure=confirmed, value=Decimal(5), qualifier=Qualifier.AT_LEAST, rank="normal")

    row = by_figure(reconcile(anon))[confirmed.pk]

    assert [(each["value"], each["qualifier"], each["preferred"]) for each in row["statements"]] == [
        ("3.00", "exact", True),
        ("5.00", "at_least", False),
    ]
    assert (row["disagreement"], row["computed"], row["holds"]) == (True, "3", True)


@pytest.mark.parametrize(
    ("statements", "disagree"),
    [
        ([("exact", "4"), ("exact", "4")], False),
        ([("exact", "4"), ("exact", "6")], True),
        ([("more_than", "4"), ("exact", "6")], False),
        ([("more_than", "6"), ("exact", "6")], True),
        ([("at_least", "6"), ("exact", "6")], False),
        ([("about", "100"), ("more_than", "105")], True),
        ([("about", "100"), ("at_least", "105")], False),
        ([("about", "100"), ("exact", "94")], True),
        ([("more_than", "1"), ("at_least", "1000")], False),
        ([], False),
    ],
)
def test_which_statements_disagree(statements, disagree):
    assert statements_disagree([(qualifier, Decimal(value)) for qualifier, value in statements]) is disagree


def test_first_orders_of_a_run_list_the_recorded_first_orders(w, anon):
    run_of_three = figure(w, Metric.FIRST_ORDERS_OF_PARENT, "3", run=3)
    run_of_one = figure(w, Metric.FIRST_ORDERS_OF_PARENT, "1", edition=w.editions[3])

    rows = by_figure(reconcile(anon))

    orders = [(order["edition_name"], order["value_usd"]) for order in rows[run_of_three.pk]["first_orders"]]
    assert orders == [("3rd CIIE", "1000000.00"), ("4th CIIE", "2000000.00")]
    assert [order["edition_name"] for order in rows[run_of_one.pk]["first_orders"]] == ["3rd CIIE"]
    assert outcome(rows[run_of_one.pk]) == ("1", None, "0", True)


def test_the_seed_run_of_six_sets_the_recorded_first_order_beside_six_years(seeded, anon):
    (row,) = reconcile(anon, metric="first_orders_of_parent")["results"]
    assert (row["figure"]["value"], row["computed"]) == ("6.00", "1")
    assert [(order["title"], order["edition_name"]) for order in row["first_orders"]] == [
        ("Organo-silicon products procurement order", "6th China International Import Expo")
    ]


@pytest.mark.skipif(not Deal._meta.get_field("value_usd").null, reason="Every deal has a USD value here.")
def test_deals_without_a_usd_value_are_left_out_and_counted_never_summed_as_zero(w, anon):
    DealFactory(delegation=w.qingpu, edition=w.editions[5], stage=Deal.Stage.SIGNED, amount=None, value_usd=None)
    # Expo-wide at the 5th: Shanghai's signed deal is summed beside the one with no value.
    volume = figure(w, Metric.TRADING_VOLUME, "1", Qualifier.MORE_THAN, delegation=None)
    row = by_figure(reconcile(anon))[volume.pk]
    assert (row["computed"], row["unvalued_deals"]) == ("128000000.00", 1)
    assert row["basis"].endswith(" 1 deal with no USD value left out.")
