"""Business rules for deals: creating and changing them, and normalising their value to US dollars."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market
from delegations.models import Delegation, Enterprise
from expo.errors import DomainError
from expo.models import Edition, Source

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


@dataclass(frozen=True)
class LineItemInput:
    """A line item as given to :func:`deal_create` / :func:`deal_update`."""

    product: str
    category: Category
    hs_code: str = ""
    amount: Decimal | None = None


VALUATION_FIELDS = frozenset({"amount", "currency", "signed_on", "edition"})


def _save_deal(*, deal: Deal, markets: Iterable[Market] | None, line_items: Iterable[LineItemInput] | None) -> Deal:
    """Validate ``deal`` against every model rule, save it, and replace its markets and line
    items where given (``None`` leaves them as they are)."""
    deal.full_clean()
    items = None
    if line_items is not None:
        items = [
            DealLineItem(
                deal=deal, product=item.product, category=item.category, hs_code=item.hs_code, amount=item.amount
            )
            for item in line_items
        ]
        for index, item in enumerate(items):
            try:
                item.full_clean(exclude=["deal"])
            except ValidationError as error:
                raise ValidationError(
                    {f"line_items.{index}.{field}": messages for field, messages in error.message_dict.items()}
                ) from error
    deal.save()
    if markets is not None:
        deal.markets.set(markets)
    if items is not None:
        deal.line_items.all().delete()
        DealLineItem.objects.bulk_create(items)
    return deal


@transaction.atomic
def deal_create(
    *,
    title: str,
    buyer: Enterprise,
    seller: Enterprise,
    delegation: Delegation,
    edition: Edition,
    amount: Decimal,
    currency: str,
    stage: str = Deal.Stage.INTENTION,
    signed_on: datetime.date | None = None,
    description: str = "",
    first_deal_of: Delegation | None = None,
    regional_debut: bool = False,
    debut_region: str = "",
    is_published: bool = False,
    embargo_until: datetime.datetime | None = None,
    source: Source | None = None,
    markets: Iterable[Market] = (),
    line_items: Iterable[LineItemInput] = (),
) -> Deal:
    """Create a deal valued in USD at its valuation date, with its markets and line items.
    Raises :class:`ExchangeRateMissing` when no rate applies and ``ValidationError`` when a
    rule of the model is broken; nothing is written then."""
    deal = Deal(
        title=title,
        description=description,
        buyer=buyer,
        seller=seller,
        delegation=delegation,
        edition=edition,
        amount=amount,
        currency=currency,
        stage=stage,
        signed_on=signed_on,
        first_deal_of=first_deal_of,
        regional_debut=regional_debut,
        debut_region=debut_region,
        is_published=is_published,
        embargo_until=embargo_until,
        source=source,
    )
    deal_set_usd_value(deal=deal)
    return _save_deal(deal=deal, markets=markets, line_items=line_items)


@transaction.atomic
def market_delete(*, market: Market) -> None:
    """Delete a market no deal aims at. One still linked to deals is protected like any record
    still referred to (a deal's markets would otherwise change without its history knowing)."""
    linked = list(market.deals.all()[:10])
    if linked:
        raise ProtectedError("The market is still linked to deals.", set(linked))
    market.delete()


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    changes: dict[str, object],
    markets: Iterable[Market] | None = None,
    line_items: Iterable[LineItemInput] | None = None,
) -> Deal:
    """Apply ``changes`` (field name → value) to ``deal``; revalue it in USD when its amount,
    currency, signing date or edition changed; replace markets and line items where given."""
    unknown = set(changes) - DEAL_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(deal, name, value)
    if VALUATION_FIELDS & set(changes):
        deal_set_usd_value(deal=deal)
    return _save_deal(deal=deal, markets=markets, line_items=line_items)


DEAL_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "buyer",
        "seller",
        "delegation",
        "edition",
        "amount",
        "currency",
        "stage",
        "signed_on",
        "first_deal_of",
        "regional_debut",
        "debut_region",
        "is_published",
        "embargo_until",
        "source",
    }
)
