"""DealFilterSet: every filter of SPEC §3, on ``.qs`` and through ``/api/deals/``, with the ids it
must select. Four deals, each told apart by something:

====== ============================== ========== ========== ============= ======= ============
deal   parties (buyer → seller)       delegation edition    value (USD)   stage   signed on
====== ============================== ========== ========== ============= ======= ============
dow    ZKH (CN) → Dow (US)            Qingpu     6th CIIE   300,000,000   signed  2023-11-05
basf   ZKH (CN) → BASF (DE)           Zhujiajiao 6th CIIE   1,070,200     intent. 2023-11-07
sony   BASF (DE) → Sony (JP)          Beijing    5th CIIE   1,004,250     exec.   2022-11-06
canton Sony (JP) → ZKH (CN)           Shanghai   134th Cant 685,500       cancel. 2023-10-16
====== ============================== ========== ========== ============= ======= ============

Zhujiajiao is under Qingpu, which is under Shanghai; Beijing is a root of its own."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from deals.models import Deal
from tests.api.filtering import ROUTES, Finder
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


@pytest.fixture
def world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.shanghai = DelegationFactory(name="Shanghai trading delegation")
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=w.shanghai)
    w.zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=w.qingpu)
    w.beijing = DelegationFactory(name="Beijing trading delegation")

    w.ciie = ExpoFactory(name="China International Import Expo", short_name="CIIE")
    w.ciie6 = EditionFactory(expo=w.ciie, number=6, start_date=datetime.date(2023, 11, 5))
    w.ciie5 = EditionFactory(expo=w.ciie, number=5, start_date=datetime.date(2022, 11, 5))
    w.canton = ExpoFactory(name="China Import and Export Fair", short_name="Canton Fair")
    w.canton134 = EditionFactory(expo=w.canton, number=134, start_date=datetime.date(2023, 10, 15))

    w.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行", country="CN")
    w.dow = EnterpriseFactory(name="Dow", country="US")
    w.basf = EnterpriseFactory(name="BASF", country="DE")
    w.sony = EnterpriseFactory(name="Sony", country="JP")

    w.electronics, w.packaging, w.new_energy = (
        MarketFactory(name=name) for name in ("Electronics", "Packaging", "New energy")
    )
    w.silicon, w.chemicals = (CategoryFactory(name=name) for name in ("Organo-silicon products", "Chemicals"))

    w.dow_deal = DealFactory(
        title="Organo-silicon products procurement order",
        buyer=w.zkh,
        seller=w.dow,
        delegation=w.qingpu,
        edition=w.ciie6,
        amount=Decimal("300000000.00"),
        currency="USD",
        stage=Deal.Stage.SIGNED,
        signed_on=datetime.date(2023, 11, 5),
        first_deal_of=w.shanghai,
        regional_debut=True,
        debut_region="Asia Pacific",
        markets=[w.electronics, w.packaging],
    )
    DealLineItemFactory(deal=w.dow_deal, category=w.silicon)
    w.basf_deal = DealFactory(
        title="Catalyst supply agreement",
        buyer=w.zkh,
        seller=w.basf,
        delegation=w.zhujiajiao,
        edition=w.ciie6,
        amount=Decimal("1000000.00"),
        currency="EUR",
        stage=Deal.Stage.INTENTION,
        signed_on=datetime.date(2023, 11, 7),
        markets=[w.new_energy],
    )
    # Two line items in one category: the category filter must still list the deal once.
    DealLineItemFactory.create_batch(2, deal=w.basf_deal, category=w.chemicals)
    DealLineItemFactory(deal=w.basf_deal, category=w.silicon)
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
        signed_on=datetime.date(2023, 10, 16),
    )
    return w


@pytest.fixture(params=ROUTES)
def find(request, world, anon) -> Finder:
    return Finder(route=request.param, basename="deal", queryset=Deal.objects.all(), client=anon)


def ids(*deals: Deal) -> list[int]:
    return sorted(deal.pk for deal in deals)


def test_the_world_is_valued_as_the_table_says(world):
    values = [world.dow_deal, world.basf_deal, world.sony_deal, world.canton_deal]
    assert [deal.value_usd for deal in values] == [
        Decimal("300000000.00"),
        Decimal("1070200.00"),
        Decimal("1004250.00"),
        Decimal("685500.00"),
    ]


def test_no_filter_selects_every_deal(find, world):
    assert find() == ids(world.dow_deal, world.basf_deal, world.sony_deal, world.canton_deal)


# Delegations: a delegation's deals include those of every delegation below it.


def test_delegation_includes_sub_delegations_at_any_depth(find, world):
    assert find(delegation=world.shanghai.pk) == ids(world.dow_deal, world.basf_deal, world.canton_deal)


def test_delegation_of_a_sub_delegation_leaves_out_its_parent(find, world):
    assert find(delegation=world.qingpu.pk) == ids(world.dow_deal, world.basf_deal)


def test_delegation_at_the_bottom_of_the_tree(find, world):
    assert find(delegation=world.zhujiajiao.pk) == ids(world.basf_deal)


def test_delegation_that_does_not_exist_selects_nothing(find, world):
    assert find(delegation=999_999) == []


# Ranges


def test_value_usd_min_is_inclusive(find, world):
    assert find(value_usd_min="1004250.00") == ids(world.dow_deal, world.basf_deal, world.sony_deal)


def test_value_usd_max_is_inclusive(find, world):
    assert find(value_usd_max="1004250") == ids(world.sony_deal, world.canton_deal)


def test_value_usd_min_and_max_together(find, world):
    assert find(value_usd_min="1000000", value_usd_max="1070200.00") == ids(world.basf_deal, world.sony_deal)


def test_signed_after_is_inclusive(find, world):
    assert find(signed_after="2023-11-05") == ids(world.dow_deal, world.basf_deal)


def test_signed_before_is_inclusive(find, world):
    assert find(signed_before="2023-10-16") == ids(world.sony_deal, world.canton_deal)


def test_signed_after_and_before_together(find, world):
    assert find(signed_after="2023-01-01", signed_before="2023-11-06") == ids(world.dow_deal, world.canton_deal)


# Exact and multi-value


def test_stage_takes_several_values(find, world):
    assert find(stage=["signed", "intention"]) == ids(world.dow_deal, world.basf_deal)


def test_stage_with_one_value(find, world):
    assert find(stage="executed") == ids(world.sony_deal)


def test_currency_takes_several_values(find, world):
    assert find(currency=["EUR", "JPY"]) == ids(world.basf_deal, world.sony_deal)


def test_buyer(find, world):
    assert find(buyer=world.zkh.pk) == ids(world.dow_deal, world.basf_deal)


def test_seller(find, world):
    assert find(seller=world.zkh.pk) == ids(world.canton_deal)


def test_buyer_country(find, world):
    assert find(buyer_country="CN") == ids(world.dow_deal, world.basf_deal)


def test_buyer_country_takes_several_values(find, world):
    assert find(buyer_country=["DE", "JP"]) == ids(world.sony_deal, world.canton_deal)


def test_seller_country(find, world):
    assert find(seller_country="US") == ids(world.dow_deal)


def test_edition(find, world):
    assert find(edition=world.ciie6.pk) == ids(world.dow_deal, world.basf_deal)


def test_expo_covers_all_its_editions(find, world):
    assert find(expo=world.ciie.pk) == ids(world.dow_deal, world.basf_deal, world.sony_deal)


def test_category_lists_each_deal_once(find, world):
    assert find(category=world.chemicals.pk) == ids(world.basf_deal, world.sony_deal)


def test_category_of_another_line_item(find, world):
    assert find(category=world.silicon.pk) == ids(world.dow_deal, world.basf_deal)


def test_market(find, world):
    assert find(market=world.electronics.pk) == ids(world.dow_deal, world.sony_deal)


def test_market_and_category_together(find, world):
    assert find(market=world.electronics.pk, category=world.chemicals.pk) == ids(world.sony_deal)


def test_is_first_deal_true(find, world):
    assert find(is_first_deal="true") == ids(world.dow_deal, world.sony_deal)


def test_is_first_deal_false(find, world):
    assert find(is_first_deal="false") == ids(world.basf_deal, world.canton_deal)


def test_regional_debut_true(find, world):
    assert find(regional_debut="true") == ids(world.dow_deal)


def test_regional_debut_false(find, world):
    assert find(regional_debut="false") == ids(world.basf_deal, world.sony_deal, world.canton_deal)


def test_filters_combine_with_and(find, world):
    assert find(delegation=world.shanghai.pk, stage=["signed", "cancelled"], buyer_country="JP") == ids(
        world.canton_deal
    )


# Search


def test_search_matches_the_title_in_any_case(find, world):
    assert find(search="PROCUREMENT Order") == ids(world.dow_deal)


def test_search_matches_buyer_and_seller_names(find, world):
    assert find(search="zkh") == ids(world.dow_deal, world.basf_deal, world.canton_deal)


def test_search_matches_chinese_names(find, world):
    assert find(search="震坤行") == ids(world.dow_deal, world.basf_deal, world.canton_deal)


def test_search_words_may_match_different_fields(find, world):
    assert find(search="catalyst BASF") == ids(world.basf_deal)


def test_search_needs_every_word(find, world):
    assert find(search="zkh sony") == ids(world.canton_deal)


def test_search_for_nothing_known_selects_nothing(find, world):
    assert find(search="nonexistent") == []


# Ordering


def test_default_order_is_latest_signed_first(find, world):
    assert find.ordered() == [world.basf_deal.pk, world.dow_deal.pk, world.canton_deal.pk, world.sony_deal.pk]


def test_ordering_by_value_usd(find, world):
    assert find.ordered(ordering="value_usd") == [
        world.canton_deal.pk,
        world.sony_deal.pk,
        world.basf_deal.pk,
        world.dow_deal.pk,
    ]


def test_ordering_descending(find, world):
    assert find.ordered(ordering="-value_usd") == [
        world.dow_deal.pk,
        world.basf_deal.pk,
        world.sony_deal.pk,
        world.canton_deal.pk,
    ]


def test_ordering_by_title(find, world):
    assert find.ordered(ordering="title") == [
        world.basf_deal.pk,
        world.sony_deal.pk,
        world.dow_deal.pk,
        world.canton_deal.pk,
    ]


def test_ordering_by_several_fields(find, world):
    DealFactory(title="Catalyst supply agreement", amount=Decimal("1.00"), signed_on=datetime.date(2020, 1, 1))
    cheap = Deal.objects.get(amount=Decimal("1.00"))
    assert find.ordered(ordering="title,-signed_on")[:2] == [world.basf_deal.pk, cheap.pk]


def test_ties_are_broken_by_id(find, world):
    twins = [DealFactory(title="Twin order", signed_on=datetime.date(2020, 1, 1)) for _ in range(3)]
    assert find.ordered(ordering="-signed_on")[-3:] == [twin.pk for twin in twins]


@pytest.mark.parametrize("field", ["buyer", "description", "buyer__name", "markets", "value_usd_min"])
def test_ordering_by_an_unlisted_field_is_refused(find, field):
    assert find.refused(ordering=field) == {"ordering"}


def test_ordering_with_one_unlisted_field_among_listed_ones_is_refused(find):
    assert find.refused(ordering="title,buyer") == {"ordering"}
