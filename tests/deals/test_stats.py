"""``/api/stats/deals/``: deal measures per group and in total, over exactly the deals the caller
reads through the deal list's own filters. Six deals (values in USD):

============ ============================ =========== ========= ============= ========= ==========
deal         parties (buyer → seller)     delegation  edition   value (USD)   stage     signed on
============ ============================ =========== ========= ============= ========= ==========
dow          ZKH (CN) → Dow (US)          Qingpu      6th CIIE  300,000,000   signed    2023-11-05
basf         ZKH (CN) → BASF (DE)         Zhujiajiao  6th CIIE  1,371,000 ¹   intention —
sony         BASF (DE) → Sony (JP)        Beijing     5th CIIE  1,500,000     executed  2022-11-06
canton       Sony (JP) → ZKH (CN)         Shanghai    134th CF  700,000       cancelled 2023-10-16
hidden ²     Dow (US) → ZKH (CN)          Qingpu      6th CIIE  4,000,000     signed    2023-11-07
kunshan      ZKH (CN) → Kunshan (—)       Zhujiajiao  6th CIIE  1,000,000     executed  2023-11-08
============ ============================ =========== ========= ============= ========= ==========

¹ CNY 10,000,000 at 0.1371. ² Unpublished. Zhujiajiao is under Qingpu, under Shanghai (three
levels); Beijing is a root. Categories: dow has two organo-silicon line items and a chemicals one;
basf chemicals; canton and hidden organo-silicon. Markets: dow electronics and packaging; basf
electronics; hidden packaging."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deals.api.stats import DealStatisticsView
from deals.api.views import DealViewSet
from deals.filtersets import DealFilterSet
from deals.models import Deal
from deals.stats import GROUP_KEYS
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    MarketFactory,
)

pytestmark = pytest.mark.django_db

STAGES = ("intention", "signed", "executed", "cancelled")
MULTI_VALUED_KEYS = {"category", "market"}


@pytest.fixture
def w() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=w.shanghai)
    w.zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=w.qingpu)
    w.beijing = DelegationFactory(name="Beijing trading delegation")

    w.ciie = ExpoFactory(name="China International Import Expo", short_name="CIIE")
    w.ciie6 = EditionFactory(
        expo=w.ciie, number=6, name="6th China International Import Expo", start_date=datetime.date(2023, 11, 5)
    )
    w.ciie5 = EditionFactory(expo=w.ciie, number=5, start_date=datetime.date(2022, 11, 5))
    w.canton = ExpoFactory(name="China Import and Export Fair", short_name="Canton Fair")
    w.canton134 = EditionFactory(expo=w.canton, number=134, start_date=datetime.date(2023, 10, 15))

    w.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    w.dow = EnterpriseFactory(name="Dow", country="US")
    w.basf = EnterpriseFactory(name="BASF", country="DE")
    w.sony = EnterpriseFactory(name="Sony", country="JP")
    w.kunshan = EnterpriseFactory(name="Kunshan Trading", country="")

    w.silicon = CategoryFactory(name="Organo-silicon products")
    w.chemicals = CategoryFactory(name="Chemicals")
    w.electronics = MarketFactory(name="Electronics")
    w.packaging = MarketFactory(name="Packaging")

    def deal(**fields) -> Deal:
        return DealFactory(**{"currency": "USD", "is_published": True, **fields})

    w.dow_deal = deal(
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
        markets=[w.electronics, w.packaging],
    )
    DealLineItemFactory.create_batch(2, deal=w.dow_deal, category=w.silicon)
    DealLineItemFactory(deal=w.dow_deal, category=w.chemicals)
    w.basf_deal = deal(
        title="Catalyst supply agreement",
        buyer=w.zkh,
        seller=w.basf,
        delegation=w.zhujiajiao,
        edition=w.ciie6,
        amount=Decimal("10000000.00"),
        currency="CNY",
        stage=Deal.Stage.INTENTION,
        signed_on=None,
        markets=[w.electronics],
    )
    DealLineItemFactory(deal=w.basf_deal, category=w.chemicals)
    w.sony_deal = deal(
        title="Image sensor purchase",
        buyer=w.basf,
        seller=w.sony,
        delegation=w.beijing,
        edition=w.ciie5,
        amount=Decimal("1500000.00"),
        stage=Deal.Stage.EXECUTED,
        signed_on=datetime.date(2022, 11, 6),
    )
    w.canton_deal = deal(
        title="Packaging film order",
        buyer=w.sony,
        seller=w.zkh,
        delegation=w.shanghai,
        edition=w.canton134,
        amount=Decimal("700000.00"),
        stage=Deal.Stage.CANCELLED,
        signed_on=datetime.date(2023, 10, 16),
    )
    DealLineItemFactory(deal=w.canton_deal, category=w.silicon)
    w.hidden_deal = deal(
        title="Silicone resin order",
        buyer=w.dow,
        seller=w.zkh,
        delegation=w.qingpu,
        edition=w.ciie6,
        amount=Decimal("4000000.00"),
        stage=Deal.Stage.SIGNED,
        signed_on=datetime.date(2023, 11, 7),
        is_published=False,
        markets=[w.packaging],
    )
    DealLineItemFactory(deal=w.hidden_deal, category=w.silicon)
    w.kunshan_deal = deal(
        title="Industrial supplies order",
        buyer=w.zkh,
        seller=w.kunshan,
        delegation=w.zhujiajiao,
        edition=w.ciie6,
        amount=Decimal("1000000.00"),
        stage=Deal.Stage.EXECUTED,
        signed_on=datetime.date(2023, 11, 8),
    )
    return w


def measures(count: int, *, buyers: int = 1, sellers: int = 1, unvalued: int = 0, **values: str) -> dict:
    """A group's measures as the API gives them: stages not named are "0.00"."""
    return {
        "deal_count": count,
        "value_usd": {stage: values.get(stage, "0.00") for stage in STAGES},
        "unvalued_count": unvalued,
        "buyers": buyers,
        "sellers": sellers,
    }


def stats(client: APIClient, **params) -> dict:
    response = client.get(reverse("stats-deals"), params)
    assert response.status_code == 200, response.json()
    return response.json()


def brief(delegation) -> dict:
    return {"id": delegation.pk, "name": delegation.name, "name_zh": delegation.name_zh}


def test_the_basf_deal_is_valued_in_usd(w):
    assert w.basf_deal.value_usd == Decimal("1371000.00")


def test_totals_count_every_deal_the_analyst_reads(w, analyst_api):
    body = stats(analyst_api, group_by="stage")
    assert body["totals"] == measures(
        6,
        intention="1371000.00",
        signed="304000000.00",
        executed="2500000.00",
        cancelled="700000.00",
        buyers=4,
        sellers=5,
    )


def test_anonymous_totals_leave_out_unpublished_deals(w, anon):
    body = stats(anon, group_by="stage")
    assert body["totals"] == measures(
        5,
        intention="1371000.00",
        signed="300000000.00",
        executed="2500000.00",
        cancelled="700000.00",
        buyers=3,
        sellers=5,
    )
    assert [(row["stage"], row["deal_count"]) for row in body["results"]] == [
        ("intention", 1),
        ("signed", 1),
        ("executed", 2),
        ("cancelled", 1),
    ]


def test_grouped_by_delegation_and_edition_each_key_reads_as_a_brief(w, analyst_api):
    body = stats(analyst_api, group_by="delegation,edition")
    ciie6 = {"id": w.ciie6.pk, "name": "6th China International Import Expo", "name_zh": "", "number": 6}
    assert body["group_by"] == ["delegation", "edition"]
    assert body["delegation_level"] is None
    assert body["count"] == 4
    assert body["results"] == [
        {
            "delegation": brief(w.shanghai),
            "edition": {"id": w.canton134.pk, "name": str(w.canton134), "name_zh": "", "number": 134},
            **measures(1, cancelled="700000.00"),
        },
        {"delegation": brief(w.qingpu), "edition": ciie6, **measures(2, signed="304000000.00", buyers=2, sellers=2)},
        {
            "delegation": brief(w.zhujiajiao),
            "edition": ciie6,
            **measures(2, intention="1371000.00", executed="1000000.00", sellers=2),
        },
        {
            "delegation": brief(w.beijing),
            "edition": {"id": w.ciie5.pk, "name": str(w.ciie5), "name_zh": "", "number": 5},
            **measures(1, executed="1500000.00"),
        },
    ]


def test_three_keys_edition_stage_and_buyer_country(w, analyst_api):
    body = stats(analyst_api, group_by="edition,stage,buyer_country")
    rows = [(row["edition"]["id"], row["stage"], row["buyer_country"], row["deal_count"]) for row in body["results"]]
    china = {"code": "CN", "name": "China"}
    assert rows == [
        (w.ciie6.pk, "intention", china, 1),
        (w.ciie6.pk, "signed", china, 1),
        (w.ciie6.pk, "signed", {"code": "US", "name": "United States"}, 1),
        (w.ciie6.pk, "executed", china, 1),
        (w.ciie5.pk, "executed", {"code": "DE", "name": "Germany"}, 1),
        (w.canton134.pk, "cancelled", {"code": "JP", "name": "Japan"}, 1),
    ]
    assert [row["value_usd"] for row in body["results"]][2] == measures(1, signed="4000000.00")["value_usd"]


def test_three_keys_with_the_delegations_rolled_up_to_the_top(w, analyst_api):
    body = stats(analyst_api, group_by="expo,delegation,stage", delegation_level="0")
    ciie = {"id": w.ciie.pk, "name": "China International Import Expo", "name_zh": "", "short_name": "CIIE"}
    canton = {"id": w.canton.pk, "name": "China Import and Export Fair", "name_zh": "", "short_name": "Canton Fair"}
    assert body["delegation_level"] == 0
    assert body["results"] == [
        {"expo": ciie, "delegation": brief(w.shanghai), "stage": "intention", **measures(1, intention="1371000.00")},
        {
            "expo": ciie,
            "delegation": brief(w.shanghai),
            "stage": "signed",
            **measures(2, signed="304000000.00", buyers=2, sellers=2),
        },
        {"expo": ciie, "delegation": brief(w.shanghai), "stage": "executed", **measures(1, executed="1000000.00")},
        {"expo": ciie, "delegation": brief(w.beijing), "stage": "executed", **measures(1, executed="1500000.00")},
        {"expo": canton, "delegation": brief(w.shanghai), "stage": "cancelled", **measures(1, cancelled="700000.00")},
    ]


def test_rolled_up_to_level_0_everything_under_shanghai_is_shanghais(w, analyst_api):
    body = stats(analyst_api, group_by="delegation", delegation_level="0")
    # Distinct across the group: added per delegation, buyers would be 2 + 1 + 1 and sellers 2 + 2 + 1.
    assert body["results"] == [
        {
            "delegation": brief(w.shanghai),
            **measures(
                5,
                intention="1371000.00",
                signed="304000000.00",
                executed="1000000.00",
                cancelled="700000.00",
                buyers=3,
                sellers=4,
            ),
        },
        {"delegation": brief(w.beijing), **measures(1, executed="1500000.00")},
    ]


def test_rolled_up_to_level_1_zhujiajiao_counts_as_qingpu_and_shanghai_keeps_its_own(w, analyst_api):
    body = stats(analyst_api, group_by="delegation", delegation_level="1")
    assert body["results"] == [
        {"delegation": brief(w.shanghai), **measures(1, cancelled="700000.00")},
        {
            "delegation": brief(w.qingpu),
            **measures(4, intention="1371000.00", signed="304000000.00", executed="1000000.00", buyers=2, sellers=4),
        },
        {"delegation": brief(w.beijing), **measures(1, executed="1500000.00")},
    ]


def test_rolled_up_below_the_deepest_level_every_delegation_keeps_its_own(w, analyst_api):
    rolled = stats(analyst_api, group_by="delegation", delegation_level="5")
    assert rolled["results"] == stats(analyst_api, group_by="delegation")["results"]
    assert [row["delegation"]["id"] for row in rolled["results"]] == [
        w.shanghai.pk,
        w.qingpu.pk,
        w.zhujiajiao.pk,
        w.beijing.pk,
    ]


def test_roll_up_within_a_delegation_filter(w, analyst_api):
    body = stats(analyst_api, group_by="delegation", delegation_level="1", delegation=w.qingpu.pk)
    assert body["results"] == [
        {
            "delegation": brief(w.qingpu),
            **measures(4, intention="1371000.00", signed="304000000.00", executed="1000000.00", buyers=2, sellers=4),
        },
    ]


def test_a_deal_counts_once_in_each_of_its_categories_and_deals_without_one_form_the_null_group(w, analyst_api):
    body = stats(analyst_api, group_by="category")
    assert body["results"] == [
        {
            "category": {"id": w.silicon.pk, "name": "Organo-silicon products", "name_zh": ""},
            **measures(3, signed="304000000.00", cancelled="700000.00", buyers=3, sellers=2),
        },
        {
            "category": {"id": w.chemicals.pk, "name": "Chemicals", "name_zh": ""},
            **measures(2, intention="1371000.00", signed="300000000.00", sellers=2),
        },
        {"category": None, **measures(2, executed="2500000.00", buyers=2, sellers=2)},
    ]
    assert body["totals"]["deal_count"] == 6


def test_category_and_market_together_count_each_deal_once_per_pair(w, analyst_api):
    body = stats(analyst_api, group_by="category,market")
    rows = [
        ((row["category"] or {}).get("name"), (row["market"] or {}).get("name"), row["deal_count"], row["value_usd"])
        for row in body["results"]
    ]
    assert rows == [
        ("Organo-silicon products", "Electronics", 1, measures(1, signed="300000000.00")["value_usd"]),
        ("Organo-silicon products", "Packaging", 2, measures(2, signed="304000000.00")["value_usd"]),
        ("Organo-silicon products", None, 1, measures(1, cancelled="700000.00")["value_usd"]),
        ("Chemicals", "Electronics", 2, measures(2, intention="1371000.00", signed="300000000.00")["value_usd"]),
        ("Chemicals", "Packaging", 1, measures(1, signed="300000000.00")["value_usd"]),
        (None, None, 2, measures(2, executed="2500000.00")["value_usd"]),
    ]


def test_grouped_by_market(w, anon):
    body = stats(anon, group_by="market")
    assert body["results"] == [
        {
            "market": {"id": w.electronics.pk, "name": "Electronics", "name_zh": ""},
            **measures(2, intention="1371000.00", signed="300000000.00", sellers=2),
        },
        {"market": {"id": w.packaging.pk, "name": "Packaging", "name_zh": ""}, **measures(1, signed="300000000.00")},
        {"market": None, **measures(3, executed="2500000.00", cancelled="700000.00", buyers=3, sellers=3)},
    ]


def test_grouped_by_month_unsigned_deals_last(w, analyst_api):
    body = stats(analyst_api, group_by="month")
    assert body["results"] == [
        {"month": "2022-11", **measures(1, executed="1500000.00")},
        {"month": "2023-10", **measures(1, cancelled="700000.00")},
        {"month": "2023-11", **measures(3, signed="304000000.00", executed="1000000.00", buyers=2, sellers=3)},
        {"month": None, **measures(1, intention="1371000.00")},
    ]


def test_grouped_by_seller_country_an_unknown_country_is_the_null_group(w, analyst_api):
    body = stats(analyst_api, group_by="seller_country")
    assert [(row["seller_country"], row["deal_count"]) for row in body["results"]] == [
        ({"code": "CN", "name": "China"}, 2),
        ({"code": "DE", "name": "Germany"}, 1),
        ({"code": "JP", "name": "Japan"}, 1),
        ({"code": "US", "name": "United States"}, 1),
        (None, 1),
    ]
    assert body["results"][0] == {
        "seller_country": {"code": "CN", "name": "China"},
        **measures(2, signed="4000000.00", cancelled="700000.00", buyers=2),
    }


def test_without_group_by_the_one_group_is_every_deal(w, anon):
    body = stats(anon)
    assert body["group_by"] == []
    assert body["results"] == [body["totals"]]


def test_a_deal_whose_value_no_source_gives_is_counted_but_never_summed_as_zero(w, analyst_api):
    DealFactory(
        title="Centralized signing with Kao Corp Shanghai",
        buyer=w.zkh,
        seller=w.dow,
        delegation=w.qingpu,
        edition=w.ciie6,
        amount=None,
        stage=Deal.Stage.SIGNED,
        signed_on=datetime.date(2023, 11, 6),
    )
    body = stats(analyst_api, group_by="delegation", delegation=w.qingpu.pk)
    qingpu = next(row for row in body["results"] if row["delegation"] == brief(w.qingpu))
    assert {key: qingpu[key] for key in ("deal_count", "value_usd", "unvalued_count")} == {
        "deal_count": 3,
        "value_usd": {"intention": "0.00", "signed": "304000000.00", "executed": "0.00", "cancelled": "0.00"},
        "unvalued_count": 1,
    }
    assert (body["totals"]["deal_count"], body["totals"]["unvalued_count"]) == (5, 1)
    # The same, counted once per market and category, and without groups.
    assert stats(analyst_api, group_by="market")["totals"]["unvalued_count"] == 1
    assert stats(analyst_api)["totals"]["unvalued_count"] == 1
    (row,) = stats(analyst_api, group_by="stage", stage="signed", has_value="false")["results"]
    assert row == {"stage": "signed", **measures(1, unvalued=1)}


def test_no_deal_no_group(w, anon):
    body = stats(anon, group_by="delegation", delegation=999_999)
    assert body["results"] == []
    assert body["totals"] == measures(0, buyers=0, sellers=0)


def test_filters_select_the_deals_counted(w, analyst_api):
    body = stats(analyst_api, group_by="stage", stage=["signed", "executed"], value_usd_min="1000000.00")
    assert body["totals"] == measures(4, signed="304000000.00", executed="2500000.00", buyers=3, sellers=4)


# One FilterSet serves the deal list and the statistics.


def test_the_statistics_take_the_deal_lists_filterset():
    assert DealStatisticsView.filterset_class is DealViewSet.filterset_class is DealFilterSet


def test_every_deal_list_filter_answers_the_statistics_as_it_answers_the_list(w, anon):
    for name in sorted(DealFilterSet.base_filters):
        for value in ("", "1", "signed", "true", "§"):
            listed = anon.get(reverse("deal-list"), {name: value})
            counted = anon.get(reverse("stats-deals"), {name: value})
            assert counted.status_code == listed.status_code, (name, value)
            if listed.status_code == 400:
                assert counted.json() == listed.json(), (name, value)
            else:
                assert counted.json()["totals"]["deal_count"] == listed.json()["count"], (name, value)


def test_a_filter_added_to_the_deal_filterset_filters_the_statistics_too(w, anon, monkeypatch):
    monkeypatch.setitem(DealFilterSet.base_filters, "title", django_filters.CharFilter(field_name="title"))
    params = {"title": "Image sensor purchase"}
    assert anon.get(reverse("deal-list"), params).json()["count"] == 1
    assert stats(anon, **params)["totals"] == measures(1, executed="1500000.00")


# Random filter combinations: the totals are what the deal list shows for the same filters.


def filter_values(w) -> dict[str, list]:
    """Values that occur in the data set, for each filter."""
    enterprises = [w.zkh.pk, w.dow.pk, w.basf.pk, w.sony.pk, w.kunshan.pk]
    countries = ["CN", "US", "DE", "JP"]
    return {
        "delegation": [w.shanghai.pk, w.qingpu.pk, w.zhujiajiao.pk, w.beijing.pk],
        "edition": [w.ciie6.pk, w.ciie5.pk, w.canton134.pk],
        "expo": [w.ciie.pk, w.canton.pk],
        "buyer": enterprises,
        "seller": enterprises,
        "buyer_country": countries,
        "seller_country": countries,
        "stage": list(STAGES),
        "currency": ["USD", "CNY"],
        "value_usd_min": ["700000.00", "1000000.00", "1371000.00", "4000000.00"],
        "value_usd_max": ["700000.00", "1000000.00", "1371000.00", "4000000.00"],
        "signed_after": ["2022-11-06", "2023-10-16", "2023-11-05", "2023-11-07"],
        "signed_before": ["2022-11-06", "2023-10-16", "2023-11-05", "2023-11-07"],
        "category": [w.silicon.pk, w.chemicals.pk],
        "market": [w.electronics.pk, w.packaging.pk],
        "is_first_deal": ["true", "false"],
        "regional_debut": ["true", "false"],
        "has_value": ["true", "false"],
        "search": ["order", "ZKH", "Sony", "supply"],
        # Every deal here was changed just now: the first takes them all, the second none.
        "updated_since": ["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"],
    }


def totals_of_listed(deals: list[dict]) -> dict:
    """What the statistics' totals must say about these deals, as the deal list shows them."""
    values = defaultdict(Decimal)
    for deal in deals:
        if deal["value_usd"] is not None:
            values[deal["stage"]] += Decimal(deal["value_usd"]["amount"])
    return {
        "deal_count": len(deals),
        "value_usd": {stage: f"{values[stage]:.2f}" for stage in STAGES},
        "unvalued_count": sum(deal["value_usd"] is None for deal in deals),
        "buyers": len({deal["buyer"]["id"] for deal in deals}),
        "sellers": len({deal["seller"]["id"] for deal in deals}),
    }


def test_totals_equal_the_filtered_deal_list_for_random_filter_combinations(w, anon, analyst_api):
    rng = random.Random(20231110)
    values = filter_values(w)
    multi_valued = DealFilterSet.multi_value_parameters()
    assert set(values) == DealFilterSet.parameter_names() - {"ordering"}
    nonempty = 0
    for _ in range(30):
        params = {}
        for name in rng.sample(sorted(values), rng.randint(1, 3)):
            chosen = rng.sample(values[name], rng.randint(1, 2)) if name in multi_valued else rng.choice(values[name])
            params[name] = chosen
        client = rng.choice([anon, analyst_api])
        group_by = rng.choice(GROUP_KEYS)

        listed = client.get(reverse("deal-list"), {**params, "limit": 1000})
        assert listed.status_code == 200, (params, listed.json())
        body = stats(client, **params, group_by=group_by)

        expected = totals_of_listed(listed.json()["results"])
        assert body["totals"] == expected, params
        nonempty += expected["deal_count"] > 0
        if group_by not in MULTI_VALUED_KEYS:
            # Each deal is in exactly one group.
            assert sum(row["deal_count"] for row in body["results"]) == expected["deal_count"], params
            for stage in STAGES:
                assert sum(Decimal(row["value_usd"][stage]) for row in body["results"]) == Decimal(
                    expected["value_usd"][stage]
                ), params
    assert nonempty >= 10


# Strict parameters


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"colour": "red"}, "colour", "unknown_parameter"),
        ({"limit": "10"}, "limit", "unknown_parameter"),
        ({"group_by": ["stage", "edition"]}, "group_by", "repeated_parameter"),
        ({"delegation": ["1", "2"]}, "delegation", "repeated_parameter"),
        ({"delegation": "abc"}, "delegation", "invalid"),
        ({"value_usd_min": "lots"}, "value_usd_min", "invalid"),
        ({"stage": "agreed"}, "stage", "invalid_choice"),
        ({"group_by": "region"}, "group_by", "invalid_choice"),
        ({"group_by": ""}, "group_by", "invalid_choice"),
        ({"group_by": "stage,edition,stage"}, "group_by", "duplicate"),
        ({"group_by": "stage,edition,expo,month"}, "group_by", "max_length"),
        ({"delegation_level": "0"}, "delegation_level", "needs_delegation_group"),
        ({"group_by": "edition", "delegation_level": "1"}, "delegation_level", "needs_delegation_group"),
        ({"group_by": "delegation", "delegation_level": "-1"}, "delegation_level", "min_value"),
        ({"group_by": "delegation", "delegation_level": "32768"}, "delegation_level", "max_value"),
        ({"group_by": "delegation", "delegation_level": "top"}, "delegation_level", "invalid"),
        ({"group_by": "delegation", "delegation_level": ""}, "delegation_level", "invalid"),
    ],
)
def test_a_wrong_parameter_is_a_400_naming_it(w, anon, params, attr, code):
    response = anon.get(reverse("stats-deals"), params)
    assert response.status_code == 400
    assert [(error["code"], error["attr"]) for error in response.json()["errors"]] == [(code, attr)]


# Queries: a fixed number, whatever the number of deals.


def add_deals(w, count: int) -> None:
    """``count`` more deals across the tree, each in two categories and a market."""
    delegations = [w.shanghai, w.qingpu, w.zhujiajiao, w.beijing]
    for n in range(count):
        deal = DealFactory(delegation=delegations[n % 4], edition=w.ciie6, stage=STAGES[n % 4], markets=[w.packaging])
        DealLineItemFactory(deal=deal, category=w.silicon)
        DealLineItemFactory(deal=deal, category=w.chemicals)


STATISTICS_QUERIES = (
    # The analyst's groups (1), the delegation filter's subtree, one query per level (3), the
    # delegation tree (1), totals (1), groups (1), and labels for delegations, categories, markets (3).
    10
)


@pytest.mark.parametrize("extra_deals", [0, 40])
def test_the_statistics_take_a_fixed_number_of_queries(w, analyst_api, extra_deals):
    add_deals(w, extra_deals)
    params = {
        "group_by": "delegation,category,market",
        "delegation_level": "1",
        "delegation": w.shanghai.pk,
        "stage": ["signed", "intention"],
    }
    with CaptureQueriesContext(connection) as queries:
        body = stats(analyst_api, **params)
    # Of the extra deals, those of Shanghai or Qingpu are at the intention or signed stage.
    assert body["totals"]["deal_count"] == 3 + extra_deals // 2
    assert len(queries) == STATISTICS_QUERIES
