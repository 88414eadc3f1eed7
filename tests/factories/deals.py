"""Factories for markets, categories, exchange rates, deals and their line items."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market
from deals.services import convert_to_usd, implied_rate
from tests.factories.delegations import DelegationFactory, EnterpriseFactory
from tests.factories.expo import EditionFactory

# Late-2023 rates, USD per unit: what factory deals and rates in these currencies default to.
USD_PER_UNIT = {"USD": Decimal(1), "CNY": Decimal("0.1371"), "EUR": Decimal("1.0702"), "JPY": Decimal("0.006695")}


class MarketFactory(DjangoModelFactory):
    class Meta:
        model = Market

    name = factory.Sequence(lambda n: f"Market {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class ExchangeRateFactory(DjangoModelFactory):
    """A CNY rate, one day after the previous factory rate."""

    class Meta:
        model = ExchangeRate

    currency = "CNY"
    date = factory.Sequence(lambda n: datetime.date(2018, 1, 1) + datetime.timedelta(days=n))
    rate_to_usd = factory.LazyAttribute(lambda o: USD_PER_UNIT.get(o.currency, Decimal("0.5")))


def _usd_rate(o) -> Decimal | None:
    if o.amount is None:
        return None
    if o.stated_value_usd is not None:
        return implied_rate(amount=o.amount, value_usd=o.stated_value_usd)
    return USD_PER_UNIT.get(o.currency, Decimal("0.5"))


def _value_usd(o) -> Decimal | None:
    if o.amount is None or o.currency == "USD":
        return o.amount
    return o.stated_value_usd or convert_to_usd(amount=o.amount, rate=o.usd_rate)


class DealFactory(DjangoModelFactory):
    """A deal signed on the first day of its edition. In USD by default (value = amount, rate 1,
    no rate date); in another currency the USD value follows ``usd_rate`` as of ``signed_on``, or is
    ``stated_value_usd`` where given; ``amount=None`` is a deal whose value no source gives.
    ``DealFactory(markets=[...])`` links markets."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Procurement agreement {n}")
    buyer = factory.SubFactory(EnterpriseFactory)
    seller = factory.SubFactory(EnterpriseFactory)
    delegation = factory.SubFactory(DelegationFactory)
    edition = factory.SubFactory(EditionFactory)
    amount = Decimal("1000000.00")
    currency = factory.LazyAttribute(lambda o: "" if o.amount is None else "USD")
    stated_value_usd = None
    stage = Deal.Stage.SIGNED
    signed_on = factory.SelfAttribute("edition.start_date")
    usd_rate = factory.LazyAttribute(_usd_rate)
    usd_rate_date = factory.LazyAttribute(
        lambda o: (
            None
            if o.currency in ("", "USD") or o.stated_value_usd is not None
            else o.signed_on or o.edition.end_date or o.edition.start_date
        )
    )
    usd_rate_source = factory.LazyAttribute(
        lambda o: "" if o.currency in ("", "USD") else "table" if o.stated_value_usd is None else "stated"
    )
    value_usd = factory.LazyAttribute(_value_usd)
    is_published = True

    @factory.post_generation
    def markets(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.markets.add(*extracted)


class DealLineItemFactory(DjangoModelFactory):
    """By default the seed's organo-silicon products (HS 391000: silicones in primary forms)."""

    class Meta:
        model = DealLineItem

    deal = factory.SubFactory(DealFactory)
    product = factory.Sequence(lambda n: f"Organo-silicon product {n}")
    category = factory.SubFactory(CategoryFactory)
    hs_code = "391000"
    amount = None
