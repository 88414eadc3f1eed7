"""Normalising deal values to USD: the rate of the date or the latest before it; never a guess."""

import datetime
from decimal import Decimal

import pytest

from deals.models import Deal, ExchangeRate
from deals.services import (
    ExchangeRateMissing,
    StatedValueRefused,
    UsdValue,
    ValuationDateMissing,
    deal_set_usd_value,
    deal_valuation_date,
    usd_value,
)
from expo.models import Edition, Expo

pytestmark = pytest.mark.django_db

NOV_1 = datetime.date(2023, 11, 1)
NOV_5 = datetime.date(2023, 11, 5)
NOV_10 = datetime.date(2023, 11, 10)


@pytest.fixture
def eur_rates():
    ExchangeRate.objects.create(currency="EUR", date=NOV_1, rate_to_usd=Decimal("1.0600000000"))
    ExchangeRate.objects.create(currency="EUR", date=NOV_5, rate_to_usd=Decimal("1.0700000000"))


def test_usd_needs_no_rate():
    assert usd_value(amount=Decimal("300000000.00"), currency="USD", on=None) == UsdValue(
        value=Decimal("300000000.00"), rate=Decimal(1), rate_date=None
    )


def test_rate_of_the_date_itself(eur_rates):
    assert usd_value(amount=Decimal("1000.00"), currency="EUR", on=NOV_5) == UsdValue(
        value=Decimal("1070.00"), rate=Decimal("1.0700000000"), rate_date=NOV_5, rate_source="table"
    )


def test_latest_rate_before_the_date(eur_rates):
    result = usd_value(amount=Decimal("1000.00"), currency="EUR", on=datetime.date(2023, 11, 4))
    assert (result.value, result.rate_date) == (Decimal("1060.00"), NOV_1)


def test_rounds_half_up_to_the_cent():
    ExchangeRate.objects.create(currency="CNY", date=NOV_1, rate_to_usd=Decimal("0.1250000000"))
    # 1.00 × 0.125 = 0.125: half up gives 0.13 where banker's rounding would give 0.12.
    assert usd_value(amount=Decimal("1.00"), currency="CNY", on=NOV_1).value == Decimal("0.13")
    assert usd_value(amount=Decimal("12345.67"), currency="CNY", on=NOV_1).value == Decimal("1543.21")


def test_no_rate_on_or_before_the_date_is_an_error_naming_currency_and_date(eur_rates):
    with pytest.raises(ExchangeRateMissing) as caught:
        usd_value(amount=Decimal("1.00"), currency="EUR", on=datetime.date(2023, 10, 31))
    assert caught.value.message == (
        "No exchange rate for EUR on or before 2023-10-31: add one to value this deal in USD."
    )
    assert caught.value.details == {"field": "currency", "currency": "EUR", "date": "2023-10-31"}


def test_a_rate_of_another_currency_does_not_count(eur_rates):
    with pytest.raises(ExchangeRateMissing):
        usd_value(amount=Decimal("1.00"), currency="JPY", on=NOV_10)


def test_no_date_for_a_foreign_currency_is_an_error():
    with pytest.raises(ValuationDateMissing) as caught:
        usd_value(amount=Decimal("1.00"), currency="EUR", on=None)
    assert caught.value.message == "A EUR deal needs a signing date (or an edition with dates) to be valued in USD."
    assert caught.value.details == {"field": "signed_on", "currency": "EUR"}


def edition(**dates) -> Edition:
    return Edition.objects.create(expo=Expo.objects.create(name="Test expo"), number=1, **dates)


def test_deal_is_valued_at_its_signing_date(eur_rates):
    deal = Deal(edition=edition(start_date=NOV_1, end_date=NOV_10), signed_on=NOV_1, amount=Decimal(10), currency="EUR")
    deal_set_usd_value(deal=deal)
    assert (deal.value_usd, deal.usd_rate, deal.usd_rate_date) == (Decimal("10.60"), Decimal("1.0600000000"), NOV_1)


def test_unsigned_deal_is_valued_at_the_end_of_its_edition(eur_rates):
    deal = Deal(edition=edition(start_date=NOV_1, end_date=NOV_10), amount=Decimal(10), currency="EUR")
    assert deal_valuation_date(deal=deal) == NOV_10
    deal_set_usd_value(deal=deal)
    assert (deal.value_usd, deal.usd_rate_date) == (Decimal("10.70"), NOV_5)


def test_unsigned_deal_at_an_undated_edition_cannot_be_valued_in_euros():
    deal = Deal(edition=edition(), amount=Decimal(10), currency="EUR")
    assert deal_valuation_date(deal=deal) is None
    with pytest.raises(ValuationDateMissing):
        deal_set_usd_value(deal=deal)


# A value no source gives, and the rate a source states


def test_no_amount_is_no_value_never_zero():
    assert usd_value(amount=None, currency="", on=NOV_5) == UsdValue(value=None, rate=None, rate_date=None)


def test_a_stated_usd_value_is_the_value_and_gives_the_rate():
    # "1.7 million yuan (US$261,538)": no rate in the table is needed.
    assert usd_value(
        amount=Decimal("1700000.00"), currency="CNY", on=None, stated_value_usd=Decimal("261538.00")
    ) == UsdValue(value=Decimal("261538.00"), rate=Decimal("0.1538458824"), rate_date=None, rate_source="stated")


def test_a_stated_usd_value_wins_over_the_table(eur_rates):
    result = usd_value(amount=Decimal("1000.00"), currency="EUR", on=NOV_5, stated_value_usd=Decimal("1080.00"))
    assert (result.value, result.rate, result.rate_date, result.rate_source) == (
        Decimal("1080.00"),
        Decimal("1.0800000000"),
        None,
        "stated",
    )


def test_a_stated_rate_more_than_twice_the_tables_is_refused(eur_rates):
    with pytest.raises(StatedValueRefused) as caught:
        usd_value(amount=Decimal("1000.00"), currency="EUR", on=NOV_5, stated_value_usd=Decimal("10700.00"))
    assert (caught.value.code, caught.value.details, caught.value.message) == (
        "stated_value_usd_invalid",
        {"field": "stated_value_usd"},
        "US$10,700.00 for EUR 1,000.00 is a rate of 10.7 USD per EUR, more than 2 times off the table's 1.07 "
        "of 2023-11-05: check both numbers.",
    )


def test_a_stated_rate_less_than_half_the_tables_is_refused(eur_rates):
    with pytest.raises(StatedValueRefused):
        usd_value(amount=Decimal("1000.00"), currency="EUR", on=NOV_5, stated_value_usd=Decimal("534.00"))
    # Just within: half of 1.07 is 0.535.
    assert usd_value(
        amount=Decimal("1000.00"), currency="EUR", on=NOV_5, stated_value_usd=Decimal("535.00")
    ).rate == Decimal("0.5350000000")


def test_a_stated_rate_is_checked_against_the_tables_first_rate_when_none_is_before_the_date(eur_rates):
    with pytest.raises(StatedValueRefused):
        usd_value(
            amount=Decimal("1000.00"),
            currency="EUR",
            on=datetime.date(2023, 10, 1),
            stated_value_usd=Decimal("100.00"),
        )


def test_a_stated_rate_no_currency_has_is_refused():
    with pytest.raises(StatedValueRefused) as caught:
        usd_value(amount=Decimal("0.01"), currency="CNY", on=None, stated_value_usd=Decimal("9999999.00"))
    assert caught.value.message == (
        "US$9,999,999.00 for CNY 0.01 is a rate of 1e+09 USD per CNY, which no currency has: check both numbers."
    )
    with pytest.raises(StatedValueRefused):
        usd_value(amount=Decimal("9999999999999.99"), currency="CNY", on=None, stated_value_usd=Decimal("0.01"))


def test_a_stated_value_needs_an_amount_in_another_currency():
    with pytest.raises(StatedValueRefused) as caught:
        usd_value(amount=None, currency="", on=None, stated_value_usd=Decimal("1.00"))
    assert caught.value.message == (
        "A stated USD value needs the amount it values: give the amount, or no stated USD value."
    )
    with pytest.raises(StatedValueRefused) as caught:
        usd_value(amount=Decimal("1.00"), currency="USD", on=None, stated_value_usd=Decimal("1.00"))
    assert caught.value.message == "A USD deal's value is already in US dollars: give no stated USD value."


def test_a_deal_with_no_amount_is_left_with_no_value(eur_rates):
    deal = Deal(edition=edition(start_date=NOV_1, end_date=NOV_10), amount=Decimal(10), currency="EUR")
    deal_set_usd_value(deal=deal)
    deal.amount, deal.currency = None, ""
    deal_set_usd_value(deal=deal)
    assert (deal.value_usd, deal.usd_rate, deal.usd_rate_date, deal.usd_rate_source) == (None, None, None, "")
