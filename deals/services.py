"""Business rules for deals: normalising their value to US dollars."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from deals.models import Deal, ExchangeRate
from expo.errors import DomainError

CENT = Decimal("0.01")


class ExchangeRateMissing(DomainError):
    """No rate for the currency on or before the date: the deal's USD value cannot be computed."""

    code = "exchange_rate_missing"

    def __init__(self, *, currency: str, on: datetime.date) -> None:
        super().__init__(
            f"No exchange rate for {currency} on or before {on.isoformat()}: add one to value this deal in USD.",
            currency=currency,
            date=on.isoformat(),
        )


class ValuationDateMissing(DomainError):
    """A non-USD deal with no signing date at an edition with no dates has no date to take a rate from."""

    code = "valuation_date_missing"

    def __init__(self, *, currency: str) -> None:
        super().__init__(
            f"A {currency} deal needs a signing date (or an edition with dates) to be valued in USD.",
            currency=currency,
        )


@dataclass(frozen=True)
class UsdValue:
    """An amount in USD, the rate it was computed with, and that rate's date (``None`` for USD)."""

    value: Decimal
    rate: Decimal
    rate_date: datetime.date | None


def convert_to_usd(*, amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` at ``rate`` USD per unit, rounded half up to the cent."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def usd_value(*, amount: Decimal, currency: str, on: datetime.date | None) -> UsdValue:
    """``amount`` of ``currency`` in USD at the latest rate on or before ``on``, rounded half up
    to the cent. USD needs no rate; any other currency raises :class:`ExchangeRateMissing`
    (or :class:`ValuationDateMissing` without a date) rather than guess."""
    if currency == "USD":
        return UsdValue(value=amount, rate=Decimal(1), rate_date=None)
    if on is None:
        raise ValuationDateMissing(currency=currency)
    rate = ExchangeRate.objects.filter(currency=currency, date__lte=on).order_by("-date").first()
    if rate is None:
        raise ExchangeRateMissing(currency=currency, on=on)
    return UsdValue(
        value=convert_to_usd(amount=amount, rate=rate.rate_to_usd), rate=rate.rate_to_usd, rate_date=rate.date
    )


def deal_valuation_date(*, deal: Deal) -> datetime.date | None:
    """The date a deal is valued at: its signing date, else the last day of its edition."""
    if deal.signed_on is not None:
        return deal.signed_on
    edition = deal.edition
    return edition.end_date or edition.start_date


def deal_set_usd_value(*, deal: Deal) -> None:
    """Fill ``deal.value_usd``, ``usd_rate`` and ``usd_rate_date`` from its amount, currency and
    valuation date (not saved). Raises :class:`ExchangeRateMissing` when no rate applies."""
    result = usd_value(amount=deal.amount, currency=deal.currency, on=deal_valuation_date(deal=deal))
    deal.value_usd = result.value
    deal.usd_rate = result.rate
    deal.usd_rate_date = result.rate_date
