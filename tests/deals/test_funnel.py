"""``/api/stats/funnel/``: per group, the deals that entered each stage, the share that moved on,
the median days to signing and the cancellations by reason, from the stage-change history. Every
deal below is made through the services (created as an intention, then moved), and its record and
moves are dated as in the table (days after the first deal's creation; value in USD):

======= ========== ======== ============= ======= ================ ================ =====================
deal    delegation edition  value (USD)   created signed           then             reason
======= ========== ======== ============= ======= ================ ================ =====================
dow     Qingpu     6th CIIE 300,000,000   0       2                —
basf    Qingpu     6th CIIE 600,000       0       3                executed 10
kao     Qingpu     6th CIIE —             1       1.5              cancelled 4      The buyer withdrew.
sony    Qingpu     6th CIIE 500,000       0       —                cancelled 5      The buyer withdrew.
merck   Qingpu     6th CIIE 1,100,000     0       —                —
lg      Qingpu     6th CIIE 200,000       0       —                cancelled 6      Price not agreed.
later ¹ Qingpu     6th CIIE 50,000        0       —                —
fosun   Shanghai   6th CIIE 300,000       2       —                —
samsung Beijing    5th CIIE 1,000,000     0       1                executed 3
bosch   Beijing    5th CIIE 2,000,000     0       4                —
haier   Beijing    5th CIIE —             0       —                —
hidden² Beijing    5th CIIE 5,000,000     0       10               —
======= ========== ======== ============= ======= ================ ================ =====================

¹ Published, under embargo. ² Unpublished. Qingpu is under Shanghai. Line items: dow two
organo-silicon and a chemicals one, basf chemicals, sony organo-silicon. Markets: dow and samsung
electronics."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import funnel, services
from deals.demo import generate_demo
from deals.funnel import deal_funnel
from deals.models import Deal, DealStageChange
from deals.services import LineItemInput
from tests.factories import (
    CategoryFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    MarketFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
WITHDREW = "The buyer withdrew."
PRICE = "Price not agreed."


def at(days: float) -> datetime.datetime:
    return START + datetime.timedelta(days=days)


def make_deal(
    w: SimpleNamespace,
    title: str,
    *,
    delegation,
    edition,
    value: str | None,
    created: float = 0,
    signed: float | None = None,
    executed: float | None = None,
    cancelled: float | None = None,
    reason: str = "",
    **fields,
) -> Deal:
    """A deal made as the services make it, its record and moves then dated ``created``,
    ``signed``… days after START."""
    amount = None if value is None else Decimal(value)
    deal = services.deal_create(
        title=title,
        buyer=w.buyer,
        seller=w.seller,
        delegation=delegation,
        edition=edition,
        user=None,
        amount=amount,
        currency="" if amount is None else "USD",
        is_published=fields.pop("is_published", True),
        **fields,
    )
    moves = {}
    if signed is not None:
        services.deal_sign(deal=deal, signed_on=edition.start_date, user=None)
        moves[Deal.Stage.SIGNED] = signed
    if executed is not None:
        services.deal_execute(deal=deal, user=None)
        moves[Deal.Stage.EXECUTED] = executed
    if cancelled is not None:
        services.deal_cancel(deal=deal, reason=reason, user=None)
        moves[Deal.Stage.CANCELLED] = cancelled
    Deal.objects.filter(pk=deal.pk).update(created_at=at(created))
    for stage, days in moves.items():
        DealStageChange.objects.filter(deal=deal, to_stage=stage).update(changed_at=at(days))
    return deal


@pytest.fixture
def w() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=w.shanghai)
    w.beijing = DelegationFactory(name="Beijing trading delegation")
    ciie = ExpoFactory(name="China International Import Expo", short_name="CIIE")
    w.ciie6 = EditionFactory(expo=ciie, number=6, start_date=datetime.date(2023, 11, 5))
    w.ciie5 = EditionFactory(expo=ciie, number=5, start_date=datetime.date(2022, 11, 5))
    w.buyer = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    w.seller = EnterpriseFactory(name="Dow", country="US")
    w.silicon = CategoryFactory(name="Organo-silicon products")
    w.chemicals = CategoryFactory(name="Chemicals")
    w.electronics = MarketFactory(name="Electronics")

    qingpu = {"delegation": w.qingpu, "edition": w.ciie6}
    beijing = {"delegation": w.beijing, "edition": w.ciie5}
    silicon, chemicals = LineItemInput("Organo-silicon", w.silicon), LineItemInput("Catalyst", w.chemicals)
    w.dow = make_deal(
        w,
        "dow",
        **qingpu,
        value="300000000.00",
        signed=2,
        line_items=[silicon, silicon, chemicals],
        markets=[w.electronics],
    )
    w.basf = make_deal(w, "basf", **qingpu, value="600000.00", signed=3, executed=10, line_items=[chemicals])
    w.kao = make_deal(w, "kao", **qingpu, value=None, created=1, signed=1.5, cancelled=4, reason=WITHDREW)
    w.sony = make_deal(w, "sony", **qingpu, value="500000.00", cancelled=5, reason=WITHDREW, line_items=[silicon])
    w.merck = make_deal(w, "merck", **qingpu, value="1100000.00")
    w.lg = make_deal(w, "lg", **qingpu, value="200000.00", cancelled=6, reason=PRICE)
    w.later = make_deal(
        w, "later", **qingpu, value="50000.00", embargo_until=timezone.now() + datetime.timedelta(days=30)
    )
    w.fosun = make_deal(w, "fosun", delegation=w.shanghai, edition=w.ciie6, value="300000.00", created=2)
    w.samsung = make_deal(w, "samsung", **beijing, value="1000000.00", signed=1, executed=3, markets=[w.electronics])
    w.bosch = make_deal(w, "bosch", **beijing, value="2000000.00", signed=4)
    w.haier = make_deal(w, "haier", **beijing, value=None)
    w.hidden = make_deal(w, "hidden", **beijing, value="5000000.00", signed=10, is_published=False)
    return w


def entered(count: int, value_usd: str = "0.00", unvalued: int = 0) -> dict:
    return {"deal_count": count, "value_usd": value_usd, "unvalued_count": unvalued}


def shares(signed: str | None, executed: str | None, cancelled: str | None) -> dict:
    return {"signed_of_intention": signed, "executed_of_signed": executed, "cancelled_of_intention": cancelled}


def cancellation(reason: str | None, count: int, value_usd: str, *, unvalued: int = 0, intention=0, signed=0) -> dict:
    return {
        "reason": reason,
        "deal_count": count,
        "value_usd": value_usd,
        "unvalued_count": unvalued,
        "from_stage": {"intention": intention, "signed": signed},
    }


def brief(delegation) -> dict:
    return {"id": delegation.pk, "name": delegation.name, "name_zh": delegation.name_zh}


def get_funnel(client, **params) -> dict:
    response = client.get(reverse("stats-funnel"), params)
    assert response.status_code == 200, response.json()
    return response.json()


QINGPU_FOR_ANALYSTS = {
    "entered": {
        # dow, basf, kao, sony, merck, lg and later; kao has no value.
        "intention": entered(7, "302450000.00", unvalued=1),
        # dow, basf and kao (cancelled after signing).
        "signed": entered(3, "300600000.00", unvalued=1),
        "executed": entered(1, "600000.00"),
        # kao, sony and lg.
        "cancelled": entered(3, "700000.00", unvalued=1),
    },
    # 3/7, 1/3, 3/7.
    "moved_on": shares("0.4286", "0.3333", "0.4286"),
    # kao 0.5 days, dow 2, basf 3.
    "median_days_to_sign": "2.00",
    "cancellations": [
        cancellation(WITHDREW, 2, "500000.00", unvalued=1, intention=1, signed=1),
        cancellation(PRICE, 1, "200000.00", intention=1),
    ],
}
BEIJING_FOR_ANALYSTS = {
    "entered": {
        "intention": entered(4, "8000000.00", unvalued=1),
        "signed": entered(3, "8000000.00"),
        "executed": entered(1, "1000000.00"),
        "cancelled": entered(0),
    },
    "moved_on": shares("0.7500", "0.3333", "0.0000"),
    # samsung 1 day, bosch 4, hidden 10.
    "median_days_to_sign": "4.00",
    "cancellations": [],
}
SHANGHAI_OWN = {
    "entered": {
        "intention": entered(1, "300000.00"),
        "signed": entered(0),
        "executed": entered(0),
        "cancelled": entered(0),
    },
    # Nothing signed: no share of it, and no time to sign.
    "moved_on": shares("0.0000", None, "0.0000"),
    "median_days_to_sign": None,
    "cancellations": [],
}


def test_per_delegation_each_deal_counts_at_every_stage_it_entered(w, analyst_api):
    body = get_funnel(analyst_api, group_by="delegation")
    assert body["group_by"] == ["delegation"]
    assert body["delegation_level"] is None
    assert body["count"] == 3
    assert body["results"] == [
        {"delegation": brief(w.shanghai), **SHANGHAI_OWN},
        {"delegation": brief(w.qingpu), **QINGPU_FOR_ANALYSTS},
        {"delegation": brief(w.beijing), **BEIJING_FOR_ANALYSTS},
    ]


def test_without_group_by_the_one_group_is_every_deal(w, analyst_api):
    body = get_funnel(analyst_api)
    assert body["group_by"] == []
    assert body["results"] == [
        {
            "entered": {
                "intention": entered(12, "310750000.00", unvalued=2),
                "signed": entered(6, "308600000.00", unvalued=1),
                "executed": entered(2, "1600000.00"),
                "cancelled": entered(3, "700000.00", unvalued=1),
            },
            "moved_on": shares("0.5000", "0.3333", "0.2500"),
            # 0.5, 1, 2, 3, 4, 10: between 2 and 3.
            "median_days_to_sign": "2.50",
            "cancellations": QINGPU_FOR_ANALYSTS["cancellations"],
        }
    ]


def test_rolled_up_to_the_top_qingpu_counts_as_shanghai(w, analyst_api):
    body = get_funnel(analyst_api, group_by="delegation", delegation_level="0")
    assert body["delegation_level"] == 0
    assert body["results"] == [
        {
            "delegation": brief(w.shanghai),
            "entered": {
                "intention": entered(8, "302750000.00", unvalued=1),
                "signed": entered(3, "300600000.00", unvalued=1),
                "executed": entered(1, "600000.00"),
                "cancelled": entered(3, "700000.00", unvalued=1),
            },
            "moved_on": shares("0.3750", "0.3333", "0.3750"),
            "median_days_to_sign": "2.00",
            "cancellations": QINGPU_FOR_ANALYSTS["cancellations"],
        },
        {"delegation": brief(w.beijing), **BEIJING_FOR_ANALYSTS},
    ]


def test_the_public_sees_published_deals_past_their_embargo_and_no_reasons(w, anon):
    body = get_funnel(anon, group_by="delegation")
    assert body["results"] == [
        {"delegation": brief(w.shanghai), **SHANGHAI_OWN},
        {
            "delegation": brief(w.qingpu),
            **QINGPU_FOR_ANALYSTS,
            # Without later, under embargo.
            "entered": {**QINGPU_FOR_ANALYSTS["entered"], "intention": entered(6, "302400000.00", unvalued=1)},
            "moved_on": shares("0.5000", "0.3333", "0.5000"),
            # The reasons are in the histories the public does not read: one entry for all.
            "cancellations": [cancellation(None, 3, "700000.00", unvalued=1, intention=2, signed=1)],
        },
        {
            "delegation": brief(w.beijing),
            # Without hidden, unpublished.
            "entered": {
                "intention": entered(3, "3000000.00", unvalued=1),
                "signed": entered(2, "3000000.00"),
                "executed": entered(1, "1000000.00"),
                "cancelled": entered(0),
            },
            "moved_on": shares("0.6667", "0.5000", "0.0000"),
            # samsung 1 day, bosch 4.
            "median_days_to_sign": "2.50",
            "cancellations": [],
        },
    ]


def test_by_category_a_deal_is_in_the_funnel_of_each_of_its_categories_once(w, analyst_api):
    body = get_funnel(analyst_api, group_by="category", delegation=w.qingpu.pk)
    silicon = {"id": w.silicon.pk, "name": "Organo-silicon products", "name_zh": ""}
    chemicals = {"id": w.chemicals.pk, "name": "Chemicals", "name_zh": ""}
    assert body["results"] == [
        {
            # dow (with two organo-silicon line items, once) and sony.
            "category": silicon,
            "entered": {
                "intention": entered(2, "300500000.00"),
                "signed": entered(1, "300000000.00"),
                "executed": entered(0),
                "cancelled": entered(1, "500000.00"),
            },
            "moved_on": shares("0.5000", "0.0000", "0.5000"),
            "median_days_to_sign": "2.00",
            "cancellations": [cancellation(WITHDREW, 1, "500000.00", intention=1)],
        },
        {
            # dow and basf.
            "category": chemicals,
            "entered": {
                "intention": entered(2, "300600000.00"),
                "signed": entered(2, "300600000.00"),
                "executed": entered(1, "600000.00"),
                "cancelled": entered(0),
            },
            "moved_on": shares("1.0000", "0.5000", "0.0000"),
            "median_days_to_sign": "2.50",
            "cancellations": [],
        },
        {
            # kao, merck, lg and later.
            "category": None,
            "entered": {
                "intention": entered(4, "1350000.00", unvalued=1),
                "signed": entered(1, "0.00", unvalued=1),
                "executed": entered(0),
                "cancelled": entered(2, "200000.00", unvalued=1),
            },
            "moved_on": shares("0.2500", "0.0000", "0.5000"),
            "median_days_to_sign": "0.50",
            # As many deals for each reason: in the order of the reasons.
            "cancellations": [
                cancellation(PRICE, 1, "200000.00", intention=1),
                cancellation(WITHDREW, 1, "0.00", unvalued=1, signed=1),
            ],
        },
    ]


def test_by_market_and_edition(w, analyst_api):
    body = get_funnel(analyst_api, group_by="market,edition")
    rows = [
        (
            (row["market"] or {}).get("name"),
            row["edition"]["number"],
            [row["entered"][stage]["deal_count"] for stage in ("intention", "signed", "executed", "cancelled")],
            row["median_days_to_sign"],
        )
        for row in body["results"]
    ]
    assert rows == [
        ("Electronics", 6, [1, 1, 0, 0], "2.00"),
        ("Electronics", 5, [1, 1, 1, 0], "1.00"),
        (None, 6, [7, 2, 1, 3], "1.75"),
        (None, 5, [3, 2, 0, 0], "7.00"),
    ]


def test_filters_narrow_the_deals_followed(w, analyst_api):
    # The deals cancelled by now: where they went before.
    (row,) = get_funnel(analyst_api, stage="cancelled")["results"]
    assert row["entered"] == {
        "intention": entered(3, "700000.00", unvalued=1),
        "signed": entered(1, "0.00", unvalued=1),
        "executed": entered(0),
        "cancelled": entered(3, "700000.00", unvalued=1),
    }
    assert row["moved_on"] == shares("0.3333", "0.0000", "1.0000")
    assert row["median_days_to_sign"] == "0.50"
    # Qingpu's deals with a value of at least a million: dow and merck.
    (row,) = get_funnel(analyst_api, delegation=w.qingpu.pk, value_usd_min="1000000.00")["results"]
    assert row["entered"]["intention"] == entered(2, "301100000.00")
    assert row["entered"]["signed"] == entered(1, "300000000.00")
    assert row["cancellations"] == []
    # Those with no value: kao and haier.
    (row,) = get_funnel(analyst_api, has_value="false")["results"]
    assert row["entered"]["intention"] == entered(2, "0.00", unvalued=2)
    assert row["cancellations"] == [cancellation(WITHDREW, 1, "0.00", unvalued=1, signed=1)]
    # A filter joining line items: the deals counted once all the same.
    (row,) = get_funnel(analyst_api, category=w.silicon.pk, group_by="edition")["results"]
    assert row["entered"]["intention"] == entered(2, "300500000.00")
    # Shanghai takes in Qingpu below it.
    assert get_funnel(analyst_api, delegation=w.shanghai.pk)["results"][0]["entered"]["intention"]["deal_count"] == 8


def test_no_deal_no_group(w, anon):
    body = get_funnel(anon, delegation=999_999, group_by="edition")
    assert (body["count"], body["results"]) == (0, [])
    assert get_funnel(anon, delegation=999_999)["results"] == []


def test_a_deal_signed_as_it_is_recorded_entered_intention_and_signed_at_once(db, analyst_api):
    # As the seed loads a signed deal: created, then signed straight away.
    w = SimpleNamespace(buyer=EnterpriseFactory(), seller=EnterpriseFactory())
    edition = EditionFactory()
    deal = services.deal_create(
        title="ZKH–Dow", buyer=w.buyer, seller=w.seller, delegation=DelegationFactory(), edition=edition, user=None
    )
    services.deal_sign(deal=deal, signed_on=None, user=None)
    (row,) = get_funnel(analyst_api)["results"]
    assert row["entered"] == {
        "intention": entered(1, "0.00", unvalued=1),
        "signed": entered(1, "0.00", unvalued=1),
        "executed": entered(0),
        "cancelled": entered(0),
    }
    assert row["moved_on"] == shares("1.0000", "0.0000", "0.0000")
    assert row["median_days_to_sign"] == "0.00"


def test_postgresqls_percentile_and_the_middle_values_read_give_the_same_medians(w, postgresql_only, monkeypatch):
    deals = Deal.objects.all()
    for group_by in ((), ("delegation",), ("category", "edition"), ("market",)):
        computed = deal_funnel(deals=deals, group_by=group_by).rows
        monkeypatch.setattr(funnel, "median_in_database", lambda: False)
        read = deal_funnel(deals=deals, group_by=group_by).rows
        monkeypatch.undo()
        assert [row["median_days_to_sign"] for row in read] == [row["median_days_to_sign"] for row in computed]
        assert read == computed


def test_the_funnel_of_the_demo_data_follows_its_stages(db):
    """The demo generator writes the stage changes the services would: every deal entered
    intention, the signed and executed ones signed, the executed ones executed."""
    generate_demo(deals=120, seed=3)
    (row,) = deal_funnel(deals=Deal.objects.all()).rows
    stages = {stage: Deal.objects.filter(stage=stage).count() for stage in Deal.Stage.values}
    counts = {stage: row["entered"][stage]["deal_count"] for stage in Deal.Stage.values}
    assert counts == {
        "intention": 120,
        "signed": stages["signed"] + stages["executed"],
        "executed": stages["executed"],
        "cancelled": stages["cancelled"],
    }
    # Moved a microsecond after each deal was recorded.
    assert row["median_days_to_sign"] == Decimal("0.00")


# Parameters


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"group_by": "stage"}, "group_by", "invalid_choice"),
        ({"group_by": "month"}, "group_by", "invalid_choice"),
        ({"group_by": "region"}, "group_by", "invalid_choice"),
        ({"group_by": ""}, "group_by", "invalid_choice"),
        ({"group_by": "edition,expo,edition"}, "group_by", "duplicate"),
        ({"group_by": "edition,expo,market,category"}, "group_by", "max_length"),
        ({"group_by": ["edition", "expo"]}, "group_by", "repeated_parameter"),
        ({"delegation_level": "0"}, "delegation_level", "needs_delegation_group"),
        ({"group_by": "edition", "delegation_level": "1"}, "delegation_level", "needs_delegation_group"),
        ({"group_by": "delegation", "delegation_level": "-1"}, "delegation_level", "min_value"),
        ({"group_by": "delegation", "delegation_level": "top"}, "delegation_level", "invalid"),
        ({"stage": "agreed"}, "stage", "invalid_choice"),
        ({"colour": "red"}, "colour", "unknown_parameter"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(db, anon, params, attr, code):
    response = anon.get(reverse("stats-funnel"), params)
    assert response.status_code == 400
    assert [(error["code"], error["attr"]) for error in response.json()["errors"]] == [(code, attr)]


def test_an_unknown_key_is_named_with_the_keys_to_choose_from(db, anon):
    response = anon.get(reverse("stats-funnel"), {"group_by": "stage"})
    (error,) = response.json()["errors"]
    assert error["detail"] == (
        "Cannot group by 'stage': choose from "
        "edition, expo, delegation, buyer_country, seller_country, category, market."
    )


# Queries: a fixed number, whatever the number of deals.


def add_deals(w, count: int) -> None:
    """``count`` more deals of Shanghai and Qingpu, at every stage, in two categories and a market."""
    line_items = [LineItemInput("Organo-silicon", w.silicon), LineItemInput("Catalyst", w.chemicals)]
    for n in range(count):
        make_deal(
            w,
            f"extra {n}",
            delegation=(w.shanghai, w.qingpu)[n % 2],
            edition=w.ciie6,
            value="1000.00",
            signed=1 if n % 4 else None,
            executed=2 if n % 4 == 1 else None,
            cancelled=3 if n % 4 == 2 else None,
            reason=PRICE,
            line_items=line_items,
            markets=[w.electronics],
        )


def funnel_queries() -> int:
    # The analyst's groups (1), the delegation filter's subtree, one query per level (2), the
    # delegation tree (1), the stages (1), the cancellations (1), the medians where the database
    # takes none (1), and labels for delegations, categories and markets (3).
    return 9 if funnel.median_in_database() else 10


@pytest.mark.parametrize("extra_deals", [0, 40])
def test_the_funnel_takes_a_fixed_number_of_queries(w, analyst_api, extra_deals):
    add_deals(w, extra_deals)
    params = {"group_by": "delegation,category,market", "delegation_level": "0", "delegation": w.shanghai.pk}
    with CaptureQueriesContext(connection) as queries:
        body = get_funnel(analyst_api, **params)
    assert sum(row["entered"]["intention"]["deal_count"] for row in body["results"]) == 9 + 2 * extra_deals
    assert len(queries) == funnel_queries(), [query["sql"] for query in queries]
