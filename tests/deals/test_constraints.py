"""The database refuses deals, line items and exchange rates that break the domain's rules
(SPEC §2): amounts and rates that are not positive, a buyer selling to itself, unknown
currencies and stages, a USD deal with a conversion, two first deals of one delegation at one
edition, two rates for one currency on one day."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import Deal
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
)
from tests.factories.integrity import violates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory", [MarketFactory, CategoryFactory, ExchangeRateFactory, DealFactory, DealLineItemFactory]
)
def test_factories_create_valid_rows(factory):
    factory().full_clean()


def test_deal_factory_makes_a_usd_deal_between_two_enterprises():
    deal = DealFactory(amount=Decimal("300000000.00"))

    assert (deal.currency, deal.value_usd, deal.usd_rate, deal.usd_rate_date) == (
        "USD",
        Decimal("300000000.00"),
        Decimal(1),
        None,
    )
    assert deal.buyer != deal.seller


def test_deal_factory_links_markets():
    electronics, packaging = MarketFactory(name="Electronics"), MarketFactory(name="Packaging")

    deal = DealFactory(markets=[electronics, packaging])

    assert list(deal.markets.order_by("name")) == [electronics, packaging]


def test_deal_factory_values_other_currencies_at_the_given_rate():
    deal = DealFactory(currency="CNY", amount=Decimal("1000.05"), usd_rate=Decimal("0.1371000000"))

    assert (deal.value_usd, deal.usd_rate_date) == (Decimal("137.11"), deal.signed_on)


def test_exchange_rate_is_one_per_currency_and_date():
    ExchangeRateFactory(currency="CNY", date=datetime.date(2023, 11, 5))

    with violates(
        "exchangerate_one_per_currency_date",
        unique_columns=("deals_exchangerate.currency", "deals_exchangerate.date"),
    ):
        ExchangeRateFactory(currency="CNY", date=datetime.date(2023, 11, 5))


def test_exchange_rate_must_be_positive():
    with violates("exchangerate_rate_positive"):
        ExchangeRateFactory(rate_to_usd=Decimal(0))


def test_exchange_rate_currency_must_be_iso_4217():
    with violates("exchangerate_currency_iso4217"):
        ExchangeRateFactory(currency="XYZ")


def test_deal_amount_must_be_positive():
    # A CNY deal, so that the USD value can stay positive and only the amount is wrong.
    with violates("deal_amount_positive"):
        DealFactory(currency="CNY", amount=Decimal("-100.00"), value_usd=Decimal("13.71"))


def test_deal_value_usd_must_be_positive():
    with violates("deal_value_usd_positive"):
        DealFactory(currency="CNY", amount=Decimal("100.00"), value_usd=Decimal("0.00"))


def test_deal_usd_rate_must_be_positive():
    with violates("deal_usd_rate_positive"):
        DealFactory(currency="CNY", amount=Decimal("100.00"), usd_rate=Decimal(0), value_usd=Decimal("13.71"))


def test_deal_buyer_is_not_the_seller():
    enterprise = EnterpriseFactory()

    with violates("deal_buyer_not_seller"):
        DealFactory(buyer=enterprise, seller=enterprise)


def test_deal_currency_must_be_iso_4217():
    with violates("deal_currency_iso4217"):
        DealFactory(currency="XYZ")


@pytest.mark.parametrize(
    "conversion",
    [
        pytest.param({"usd_rate": Decimal("0.5"), "value_usd": Decimal("500.00")}, id="rate other than 1"),
        pytest.param({"value_usd": Decimal("999.99")}, id="value other than the amount"),
        pytest.param({"usd_rate_date": datetime.date(2023, 11, 5)}, id="rate date"),
    ],
)
def test_usd_deal_needs_no_rate(conversion):
    with violates("deal_usd_needs_no_rate"):
        DealFactory(currency="USD", amount=Decimal("1000.00"), **conversion)


def test_deal_stage_must_be_known():
    with violates("deal_stage_valid"):
        DealFactory(stage="rumoured")


def test_deal_is_the_first_deal_of_its_delegation_once_per_edition():
    first = DealFactory(first_deal_of=DelegationFactory())

    with violates(
        "deal_one_first_deal_per_delegation_edition",
        unique_columns=("deals_deal.first_deal_of_id", "deals_deal.edition_id"),
    ):
        DealFactory(edition=first.edition, delegation=first.delegation, first_deal_of=first.first_deal_of)


def test_delegation_has_a_first_deal_at_each_edition():
    shanghai = DelegationFactory(name="Shanghai trading delegation")
    DealFactory(delegation=shanghai, edition=EditionFactory(number=5), first_deal_of=shanghai)
    DealFactory(delegation=shanghai, edition=EditionFactory(number=6), first_deal_of=shanghai)

    assert Deal.objects.filter(first_deal_of=shanghai).count() == 2


def test_line_item_amount_must_be_positive():
    with violates("deallineitem_amount_positive"):
        DealLineItemFactory(amount=Decimal("0.00"))


def test_line_item_amount_may_be_unknown():
    item = DealLineItemFactory(amount=None)

    assert item.amount is None


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-1.00")])
def test_full_clean_reports_amount_not_positive(amount):
    deal = DealFactory(currency="CNY")
    deal.amount = amount

    with pytest.raises(ValidationError) as raised:
        deal.full_clean()

    assert raised.value.message_dict == {"__all__": ["A deal's amount must be greater than zero."]}


def test_full_clean_reports_buyer_as_seller():
    deal = DealFactory()
    deal.seller = deal.buyer

    with pytest.raises(ValidationError) as raised:
        deal.full_clean()

    assert raised.value.message_dict == {"__all__": ["A deal's buyer and seller must be different enterprises."]}


def test_full_clean_reports_unknown_currency_as_a_field_error():
    # The field's choices catch the value first; Django then skips constraints on that field.
    deal = DealFactory(currency="CNY")
    deal.currency = "XYZ"

    with pytest.raises(ValidationError) as raised:
        deal.full_clean()

    assert raised.value.message_dict == {"currency": ["Value 'XYZ' is not a valid choice."]}


def test_constraint_validation_reports_unknown_currency():
    deal = DealFactory(currency="CNY")
    deal.currency = "XYZ"

    with pytest.raises(ValidationError) as raised:
        deal.validate_constraints()

    assert raised.value.messages == ["Currency must be an ISO 4217 code, such as USD or CNY."]


def test_debut_region_only_with_a_regional_debut():
    with violates("deal_debut_region_only_with_debut"):
        DealFactory(regional_debut=False, debut_region="Asia Pacific")


def test_regional_debut_with_its_region_is_accepted():
    deal = DealFactory(regional_debut=True, debut_region="Asia Pacific")

    assert (deal.regional_debut, deal.debut_region) == (True, "Asia Pacific")


def test_first_deal_of_a_delegation_above_the_deals_own_is_valid():
    shanghai = DelegationFactory(name="Shanghai")
    qingpu = DelegationFactory(name="Qingpu", parent=shanghai)

    DealFactory.build(delegation=qingpu, first_deal_of=shanghai).clean()


def test_first_deal_of_an_unrelated_delegation_is_refused_by_clean():
    qingpu = DelegationFactory(name="Qingpu", parent=DelegationFactory(name="Shanghai"))
    deal = DealFactory.build(delegation=qingpu, first_deal_of=DelegationFactory(name="Zhejiang"))

    with pytest.raises(ValidationError) as raised:
        deal.clean()

    assert raised.value.message_dict == {
        "first_deal_of": ["Must be the deal's own delegation or a delegation above it."]
    }


# A value no source gives, and the rate a source states


def test_a_deal_with_no_value_has_nothing_in_usd():
    deal = DealFactory(amount=None)

    assert (deal.currency, deal.value_usd, deal.usd_rate, deal.usd_rate_date, deal.usd_rate_source) == (
        "",
        None,
        None,
        None,
        "",
    )
    deal.full_clean()


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"amount": None, "currency": "CNY"}, id="a currency without an amount"),
        pytest.param({"amount": None, "value_usd": Decimal("1.00")}, id="a USD value without an amount"),
        pytest.param({"amount": None, "usd_rate": Decimal("1.0")}, id="a rate without an amount"),
        pytest.param({"currency": "CNY", "value_usd": None, "usd_rate": None}, id="an amount without a USD value"),
    ],
)
def test_a_deal_has_an_amount_a_currency_and_a_usd_value_or_none(values):
    with violates("deal_value_all_or_nothing"):
        DealFactory(**values)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"currency": "CNY", "usd_rate_source": ""}, id="another currency with no rate source"),
        pytest.param({"currency": "CNY", "usd_rate_date": None}, id="a table rate without its date"),
        pytest.param(
            {"currency": "CNY", "stated_value_usd": Decimal("137.00"), "usd_rate_date": datetime.date(2023, 11, 5)},
            id="a stated rate with a date",
        ),
        pytest.param(
            {"currency": "CNY", "stated_value_usd": Decimal("137.00"), "value_usd": Decimal("138.00")},
            id="a USD value other than the stated one",
        ),
        pytest.param(
            {"currency": "CNY", "stated_value_usd": Decimal("137.00"), "usd_rate_source": "table"},
            id="a stated value with a table rate",
        ),
    ],
)
def test_a_deal_in_another_currency_is_valued_with_a_stated_or_a_table_rate(values):
    with violates("deal_usd_rate_source"):
        DealFactory(amount=Decimal("1000.00"), **values)


def test_a_usd_deal_has_no_stated_value_and_no_rate_source():
    with violates("deal_usd_rate_source"):
        DealFactory(currency="USD", stated_value_usd=Decimal("1000000.00"), usd_rate_source="")


def test_a_stated_value_is_positive():
    with violates("deal_stated_value_usd_positive"):
        DealFactory(currency="CNY", stated_value_usd=Decimal("-1.00"), value_usd=Decimal("1.00"), usd_rate=Decimal(1))
