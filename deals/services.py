"""Business rules for deals: creating and changing them, and normalising their value to US dollars."""

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.contrib.auth import models as auth
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from deals.models import Category, Deal, DealLineItem, DealStageChange, ExchangeRate, Market
from delegations.models import Delegation, Enterprise
from expo.models import Edition, Source
from framework import access, sync
from framework.access import OutOfScope
from framework.errors import DomainError
from framework.history import record_history
from framework.models import checks_in_python
from framework.services import Data, Writes, record_create, record_delete, record_update

CENT = Decimal("0.01")

# Who a write is made for: a user of the API or the admin, or None for the system's own loads
# (the seed, commands), which no role limits and whose history names no one.
User = access.User


class ExchangeRateMissing(DomainError):
    """No rate for the currency on or before the date: the deal's USD value cannot be computed.
    The error names the deal's ``currency``, whose rate the table lacks; the client either adds
    a rate, gives the USD value its source states, or corrects the currency."""

    code = "exchange_rate_missing"

    def __init__(self, *, currency: str, on: datetime.date) -> None:
        super().__init__(
            f"No exchange rate for {currency} on or before {on.isoformat()}: add one to value this deal in USD.",
            field="currency",
            currency=currency,
            date=on.isoformat(),
        )


class ValuationDateMissing(DomainError):
    """A non-USD deal with no signing date at an edition with no dates has no date to take a rate from."""

    code = "valuation_date_missing"

    def __init__(self, *, currency: str) -> None:
        super().__init__(
            f"A {currency} deal needs a signing date (or an edition with dates) to be valued in USD.",
            field="signed_on",
            currency=currency,
        )


class StatedValueRefused(DomainError):
    """A stated USD value that cannot be one: given with no amount, for a USD deal, or implying a
    rate far from any plausible one (a digit too many or too few, say)."""

    code = "stated_value_usd_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="stated_value_usd")


class NotAnIntention(DomainError):
    """A deal is created as an intention; signing, executing and cancelling it are moves its history records."""

    code = "not_an_intention"

    def __init__(self, *, stage: str) -> None:
        super().__init__(
            f"A deal is created as an intention, not {stage}: create it, then sign, execute or cancel it.",
            field="stage",
            stage=stage,
        )


def deal_check_scope(*, user: User, deal: Deal | None = None, delegation: Delegation | None = None) -> None:
    """Raise :class:`OutOfScope` unless ``user`` may write a deal of ``delegation`` (by default
    ``deal``'s own); every deal service checks it first. The system's loads (``user`` None) are
    not limited."""
    if user is None:
        return
    data = {} if delegation is None else {"delegation": delegation}
    if not access.may_write_for(user, Deal, data=data, instance=deal):
        raise OutOfScope(model=Deal)


@dataclass(frozen=True)
class UsdValue:
    """An amount in USD, the rate it was computed with, that rate's date (``None`` for USD and
    stated rates) and where the rate comes from (``rate_source``: "stated", "table", or "" for
    USD). :data:`UNVALUED` is a deal's whose value no source gives: all empty."""

    value: Decimal | None
    rate: Decimal | None
    rate_date: datetime.date | None
    rate_source: str = ""


UNVALUED = UsdValue(value=None, rate=None, rate_date=None)

# USD per unit: a rate is given to ten places, and none is above what the rate fields hold.
RATE_PLACES = Decimal("0.0000000001")
MAX_RATE_TO_USD = Decimal("99999.9999999999")
# A stated USD value whose rate is more than this many times the table's rate for the currency
# (or less than its inverse) is refused as a typo rather than taken as the source's rate.
STATED_RATE_TOLERANCE = Decimal(2)


def convert_to_usd(*, amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` at ``rate`` USD per unit, rounded half up to the cent."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def implied_rate(*, amount: Decimal, value_usd: Decimal) -> Decimal:
    """The rate (USD per unit, to ten places, rounded half up) at which ``amount`` is ``value_usd``."""
    return (value_usd / amount).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def table_rate(*, currency: str, on: datetime.date) -> ExchangeRate | None:
    """The rate table's latest rate of ``currency`` on or before ``on``, or ``None``."""
    return ExchangeRate.objects.filter(currency=currency, date__lte=on).order_by("-date").first()


def earliest_rate(*, currency: str) -> ExchangeRate | None:
    """The rate table's first rate of ``currency``, or ``None``."""
    return ExchangeRate.objects.filter(currency=currency).order_by("date").first()


class Rates:
    """The rate table as valuations read it: a query per rate by default; see :class:`RatesRead`."""

    def latest(self, *, currency: str, on: datetime.date) -> ExchangeRate | None:
        """The latest rate of ``currency`` on or before ``on``, or ``None``."""
        return table_rate(currency=currency, on=on)

    def earliest(self, *, currency: str) -> ExchangeRate | None:
        """The first rate of ``currency``, or ``None``."""
        return earliest_rate(currency=currency)


class RatesRead(Rates):
    """The rate table read once per currency, for valuing many deals: the same answers as
    :class:`Rates` for as long as the table does not change."""

    def __init__(self) -> None:
        self._rates: dict[str, list[ExchangeRate]] = {}
        self._dates: dict[str, list[datetime.date]] = {}

    def _of(self, currency: str) -> tuple[list[ExchangeRate], list[datetime.date]]:
        if currency not in self._rates:
            self._rates[currency] = list(ExchangeRate.objects.filter(currency=currency).order_by("date"))
            self._dates[currency] = [rate.date for rate in self._rates[currency]]
        return self._rates[currency], self._dates[currency]

    def latest(self, *, currency: str, on: datetime.date) -> ExchangeRate | None:
        rates, dates = self._of(currency)
        position = bisect.bisect_right(dates, on)
        return rates[position - 1] if position else None

    def earliest(self, *, currency: str) -> ExchangeRate | None:
        rates, _ = self._of(currency)
        return rates[0] if rates else None


RATE_TABLE = Rates()


def stated_rate(
    *, amount: Decimal, currency: str, stated_value_usd: Decimal, on: datetime.date | None, rates: Rates = RATE_TABLE
) -> Decimal:
    """The rate (USD per unit, to ten places) that a source stating ``stated_value_usd`` for
    ``amount`` of ``currency`` used. Raises :class:`StatedValueRefused` when it is not a rate:
    zero at ten places, above the largest rate a deal holds, or, where the table has a rate of the
    currency on or before ``on`` (else the earliest after it), more than
    ``STATED_RATE_TOLERANCE`` times it or less than its inverse."""
    if stated_value_usd <= 0:
        raise StatedValueRefused("A stated USD value must be greater than zero.")
    rate = implied_rate(amount=amount, value_usd=stated_value_usd)
    if rate <= 0 or rate > MAX_RATE_TO_USD:
        raise StatedValueRefused(
            f"US${stated_value_usd:,} for {currency} {amount:,} is a rate of "
            f"{float(stated_value_usd / amount):.3g} USD per {currency}, which no currency has: check both numbers."
        )
    reference = (rates.latest(currency=currency, on=on) if on else None) or rates.earliest(currency=currency)
    if reference is not None:
        low, high = reference.rate_to_usd / STATED_RATE_TOLERANCE, reference.rate_to_usd * STATED_RATE_TOLERANCE
        if not low <= rate <= high:
            raise StatedValueRefused(
                f"US${stated_value_usd:,} for {currency} {amount:,} is a rate of {rate.normalize()} USD per "
                f"{currency}, more than {STATED_RATE_TOLERANCE} times off the table's "
                f"{reference.rate_to_usd.normalize()} of {reference.date.isoformat()}: check both numbers."
            )
    return rate


def usd_value(
    *,
    amount: Decimal | None,
    currency: str,
    on: datetime.date | None,
    stated_value_usd: Decimal | None = None,
    rates: Rates = RATE_TABLE,
) -> UsdValue:
    """``amount`` of ``currency`` in USD: with the rate its source states where it gives a USD
    value (``stated_value_usd``, which is then the value), else at the rate table's latest rate
    on or before ``on``, rounded half up to the cent. USD needs no rate; no amount is no value
    (:data:`UNVALUED`), never zero. Raises :class:`ExchangeRateMissing` (or
    :class:`ValuationDateMissing` without a date) rather than guess, and
    :class:`StatedValueRefused` for a stated value with no amount, of a USD deal, or implausible."""
    if amount is None:
        if stated_value_usd is not None:
            raise StatedValueRefused(
                "A stated USD value needs the amount it values: give the amount, or no stated USD value."
            )
        return UNVALUED
    if currency == "USD":
        if stated_value_usd is not None:
            raise StatedValueRefused("A USD deal's value is already in US dollars: give no stated USD value.")
        return UsdValue(value=amount, rate=Decimal(1), rate_date=None)
    if stated_value_usd is not None:
        rate = stated_rate(amount=amount, currency=currency, stated_value_usd=stated_value_usd, on=on, rates=rates)
        return UsdValue(value=stated_value_usd, rate=rate, rate_date=None, rate_source=Deal.RateSource.STATED)
    if on is None:
        raise ValuationDateMissing(currency=currency)
    rate = rates.latest(currency=currency, on=on)
    if rate is None:
        raise ExchangeRateMissing(currency=currency, on=on)
    return UsdValue(
        value=convert_to_usd(amount=amount, rate=rate.rate_to_usd),
        rate=rate.rate_to_usd,
        rate_date=rate.date,
        rate_source=Deal.RateSource.TABLE,
    )


def deal_valuation_date(*, deal: Deal) -> datetime.date | None:
    """The date a deal is valued at: its signing date, else the last day of its edition."""
    if deal.signed_on is not None:
        return deal.signed_on
    edition = deal.edition
    return edition.end_date or edition.start_date


def deal_set_usd_value(*, deal: Deal, rates: Rates = RATE_TABLE) -> None:
    """Fill ``deal.value_usd``, ``usd_rate``, ``usd_rate_date`` and ``usd_rate_source`` from its
    amount, currency, stated USD value and valuation date (not saved), with ``rates``; a deal with
    no amount is left with no value. Raises as :func:`usd_value` does."""
    result = usd_value(
        amount=deal.amount,
        currency=deal.currency,
        on=deal_valuation_date(deal=deal),
        stated_value_usd=deal.stated_value_usd,
        rates=rates,
    )
    deal.value_usd = result.value
    deal.usd_rate = result.rate
    deal.usd_rate_date = result.rate_date
    deal.usd_rate_source = result.rate_source


@dataclass(frozen=True)
class LineItemInput:
    """A line item as given to :func:`deal_create` / :func:`deal_update`."""

    product: str
    category: Category
    hs_code: str = ""
    amount: Decimal | None = None

    @classmethod
    def of(cls, item: DealLineItem) -> "LineItemInput":
        """The input that gives ``item`` (saved or not) again."""
        return cls(product=item.product, category=item.category, hs_code=item.hs_code, amount=item.amount)


VALUATION_FIELDS = frozenset({"amount", "currency", "stated_value_usd", "signed_on", "edition"})
USD_FIELDS = ("value_usd", "usd_rate", "usd_rate_date", "usd_rate_source")

# The fields deal_update changes; the stage moves only through deal_sign, deal_execute and deal_cancel.
DEAL_EDITABLE_FIELDS = (
    "title",
    "description",
    "buyer",
    "seller",
    "delegation",
    "edition",
    "amount",
    "currency",
    "stated_value_usd",
    "signed_on",
    "first_deal_of",
    "regional_debut",
    "debut_region",
    "is_published",
    "embargo_until",
    "source",
)


def _line_items_for(*, deal: Deal, line_items: Iterable[LineItemInput]) -> list[DealLineItem]:
    """Validated, unsaved line items of ``deal``; errors name ``line_items.<index>.<field>``."""
    items = [
        DealLineItem(deal=deal, product=item.product, category=item.category, hs_code=item.hs_code, amount=item.amount)
        for item in line_items
    ]
    for index, item in enumerate(items):
        try:
            item.full_clean(exclude=["deal"])
        except ValidationError as error:
            raise ValidationError(
                {f"line_items.{index}.{field}": messages for field, messages in error.message_dict.items()}
            ) from error
    return items


def _save_deal(
    *,
    deal: Deal,
    user: User,
    update_fields: Iterable[str] | None,
    markets: Iterable[Market] | None,
    line_items: Iterable[LineItemInput] | None,
) -> Deal:
    """Validate ``deal`` against every model rule and save it (only ``update_fields`` when
    given), recording ``user`` in its history; replace its markets and line items where given
    (``None`` leaves them as they are)."""
    deal.full_clean()
    items = None if line_items is None else _line_items_for(deal=deal, line_items=line_items)
    # simple_history reads _history_user (and _change_reason) from the instance it saves.
    deal._history_user = user  # type: ignore[attr-defined]
    creating = update_fields is None
    if creating:
        deal.save()
    else:
        deal.save(update_fields=[*cast(Iterable[str], update_fields), "updated_at"])  # not creating: given
    markets = None if markets is None else list(markets)
    if creating and markets:
        deal.markets.add(*markets)
    elif not creating and markets is not None and set(deal.markets.all()) != set(markets):
        deal.markets.set(markets)
    if items is not None:
        for stale in [] if creating else deal.line_items.all():
            stale._history_user = user  # type: ignore[attr-defined]
            stale.delete()
        for item in items:
            item._history_user = user  # type: ignore[attr-defined]
            item.save()
    return deal


def deal_create(
    *,
    title: str,
    buyer: Enterprise,
    seller: Enterprise,
    delegation: Delegation,
    edition: Edition,
    user: User,
    amount: Decimal | None = None,
    currency: str = "",
    stated_value_usd: Decimal | None = None,
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
    batch: "DealBatch | None" = None,
) -> Deal:
    """Create an intention valued in USD (with the rate its source states, where
    ``stated_value_usd`` is given, else at its valuation date's table rate; with no ``amount``
    it has no value), with its markets and line items, recording ``user`` in its history; a
    signed deal is then :func:`deal_sign`-ed. Raises
    :class:`NotAnIntention` for any other ``stage``, :class:`OutOfScope` when ``user`` may not
    write for ``delegation``, :class:`ExchangeRateMissing` when no rate applies and
    ``ValidationError`` when a rule of the model is broken; nothing is written then. With a
    ``batch``, the deal is checked the same way and kept in the batch, written (unsaved until
    then) when the batch is saved."""
    if stage != Deal.Stage.INTENTION:
        raise NotAnIntention(stage=stage)
    deal_check_scope(user=user, delegation=delegation)
    deal = Deal(
        title=title,
        description=description,
        buyer=buyer,
        seller=seller,
        delegation=delegation,
        edition=edition,
        amount=amount,
        currency=currency,
        stated_value_usd=stated_value_usd,
        stage=stage,
        signed_on=signed_on,
        first_deal_of=first_deal_of,
        regional_debut=regional_debut,
        debut_region=debut_region,
        is_published=is_published,
        embargo_until=embargo_until,
        source=source,
    )
    if batch is not None:
        return batch.add(deal=deal, markets=markets, line_items=line_items)
    with transaction.atomic():
        deal_set_usd_value(deal=deal)
        return _save_deal(deal=deal, user=user, update_fields=None, markets=markets, line_items=line_items)


@dataclass(frozen=True)
class _Draft:
    deal: Deal
    markets: list[Market]
    line_items: list[DealLineItem]


class DealBatch:
    """New deals written together, as a bulk write creates them: :func:`deal_create` with the
    batch checks each deal exactly as a single create does, with the rate table read once per
    currency and the model's check constraints evaluated without a query, then keeps it;
    :meth:`save` writes every deal kept, with its markets, line items and history (``user``, and
    the reason of the enclosing ``change_reason``), in a few queries for the whole batch. A deal
    claiming a first deal has the deals before it saved first, so the check sees them."""

    def __init__(self, *, user: User) -> None:
        self.user = user
        self.rates = RatesRead()
        self.pending: list[_Draft] = []

    def add(self, *, deal: Deal, markets: Iterable[Market], line_items: Iterable[LineItemInput]) -> Deal:
        """Check ``deal`` (not saved) with its markets and line items, and keep it; raises as
        :func:`deal_create` does, keeping nothing then."""
        if deal.first_deal_of_id is not None:
            # The rule "one first deal per delegation and edition" is checked against stored deals.
            self.save()
        deal_set_usd_value(deal=deal, rates=self.rates)
        with checks_in_python():
            deal.full_clean()
            items = _line_items_for(deal=deal, line_items=line_items)
        self.pending.append(_Draft(deal=deal, markets=list(markets), line_items=items))
        return deal

    @transaction.atomic
    def save(self) -> None:
        """Write the deals kept, in the order they were added, and empty the batch."""
        drafts, self.pending = self.pending, []
        if not drafts:
            return
        deals = Deal.objects.bulk_create([draft.deal for draft in drafts])
        # As a single create records them: the deal, then (with markets) the deal with them.
        record_history(deals, history_type="+", user=self.user)
        link = Deal.markets.through
        link.objects.bulk_create(
            [
                link(deal_id=draft.deal.pk, market_id=market_id)
                for draft in drafts
                for market_id in dict.fromkeys(market.pk for market in draft.markets)
            ]
        )
        record_history([draft.deal for draft in drafts if draft.markets], history_type="~", user=self.user)
        items = DealLineItem.objects.bulk_create([item for draft in drafts for item in draft.line_items])
        record_history(items, history_type="+", user=self.user)
        # bulk_create sends no post_save: what is cached from the records is made stale here, once.
        sync.data_changed()


@transaction.atomic
def market_delete(*, market: Market, user: User) -> None:
    """Delete a market no deal aims at. One still linked to deals is protected like any record
    still referred to (a deal's markets would otherwise change without its history knowing)."""
    record_delete(record=market, user=user, rules=market_unlinked)


def market_unlinked(market: Market) -> None:
    """Raise ``ProtectedError`` (naming up to ten of them) while deals aim at ``market``."""
    linked = list(market.deals.all()[:10])
    if linked:
        raise ProtectedError("The market is still linked to deals.", set(linked))


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    changes: dict[str, object],
    user: User,
    markets: Iterable[Market] | None = None,
    line_items: Iterable[LineItemInput] | None = None,
) -> Deal:
    """Apply ``changes`` (field name → value) to ``deal`` and write only those fields (plus the
    USD value when its amount, currency, stated USD value, signing date or edition changed);
    replace markets and line items where given. The stage is not among the fields: see :func:`deal_sign`. Raises
    :class:`OutOfScope` when ``user`` may not write for the deal's (new) delegation."""
    unknown = set(changes) - set(DEAL_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    delegation = changes.get("delegation")
    deal_check_scope(user=user, deal=deal, delegation=delegation if isinstance(delegation, Delegation) else None)
    for name, value in changes.items():
        setattr(deal, name, value)
    update_fields = list(changes)
    if VALUATION_FIELDS & set(changes):
        deal_set_usd_value(deal=deal)
        update_fields += USD_FIELDS
    return _save_deal(deal=deal, user=user, update_fields=update_fields, markets=markets, line_items=line_items)


class IllegalStageTransition(DomainError):
    """The deal's stage does not allow the move: e.g. executing a deal that was never signed."""

    code = "illegal_stage_transition"
    status_code = 409

    def __init__(self, *, deal: Deal, to: str) -> None:
        allowed = sorted(target for source, target in TRANSITIONS if source == deal.stage)
        article = "an" if deal.stage[0] in "aeiou" else "a"
        options = f"{article} {deal.stage} deal can only become {' or '.join(allowed)}" if allowed else "it is final"
        super().__init__(
            f"Cannot move this deal from {deal.stage} to {to}: {options}.", from_stage=deal.stage, to_stage=to
        )


Stage = Deal.Stage
TRANSITIONS = frozenset(
    {
        (Stage.INTENTION, Stage.SIGNED),
        (Stage.SIGNED, Stage.EXECUTED),
        (Stage.INTENTION, Stage.CANCELLED),
        (Stage.SIGNED, Stage.CANCELLED),
    }
)


def _move(*, deal: Deal, to: str, user: User, reason: str = "", also_changed: Iterable[str] = ()) -> Deal:
    deal_check_scope(user=user, deal=deal)
    if (deal.stage, to) not in TRANSITIONS:
        raise IllegalStageTransition(deal=deal, to=to)
    # deal_check_scope refused an anonymous user: the user is a signed-in one, or none (the system).
    changed_by = cast(auth.User | None, user)
    DealStageChange.objects.create(deal=deal, from_stage=deal.stage, to_stage=to, changed_by=changed_by, reason=reason)
    deal.stage = to
    deal._history_user = user  # type: ignore[attr-defined]
    deal._change_reason = reason or f"stage: {to}"  # type: ignore[attr-defined]
    deal.save(update_fields=["stage", *also_changed, "updated_at"])
    return deal


@transaction.atomic
def deal_sign(*, deal: Deal, signed_on: datetime.date | None, user: User) -> Deal:
    """Move an intention to signed on ``signed_on`` (None where the day is not known), revaluing
    it in USD at its valuation date."""
    if deal.stage != Stage.INTENTION:
        raise IllegalStageTransition(deal=deal, to=Stage.SIGNED)
    deal.signed_on = signed_on
    deal_set_usd_value(deal=deal)
    return _move(deal=deal, to=Stage.SIGNED, user=user, also_changed=("signed_on", *USD_FIELDS))


@transaction.atomic
def deal_execute(*, deal: Deal, user: User) -> Deal:
    """Move a signed deal to executed."""
    return _move(deal=deal, to=Stage.EXECUTED, user=user)


@transaction.atomic
def deal_cancel(*, deal: Deal, reason: str, user: User) -> Deal:
    """Cancel an intention or a signed deal, giving the reason."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the deal is cancelled."})
    return _move(deal=deal, to=Stage.CANCELLED, user=user, reason=reason.strip())


# Markets, categories and exchange rates: each checked against every rule of its model and saved
# with its writer in the history (framework.services).


def market_create(*, user: User, data: Data) -> Market:
    """A new market with ``data`` (field name → value)."""
    return record_create(model=Market, user=user, data=data)


def market_update(*, market: Market, user: User, data: Data) -> Market:
    """``market`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=market, user=user, data=data)


def category_create(*, user: User, data: Data) -> Category:
    """A new category with ``data`` (field name → value)."""
    return record_create(model=Category, user=user, data=data)


def category_update(*, category: Category, user: User, data: Data) -> Category:
    """``category`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=category, user=user, data=data)


def category_delete(*, category: Category, user: User) -> None:
    """Delete ``category``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=category, user=user)


def exchange_rate_create(*, user: User, data: Data) -> ExchangeRate:
    """A new exchange rate with ``data`` (field name → value)."""
    return record_create(model=ExchangeRate, user=user, data=data)


def exchange_rate_update(*, exchange_rate: ExchangeRate, user: User, data: Data) -> ExchangeRate:
    """``exchange_rate`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=exchange_rate, user=user, data=data)


def exchange_rate_delete(*, exchange_rate: ExchangeRate, user: User) -> None:
    """Delete ``exchange_rate``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=exchange_rate, user=user)


MARKET_WRITES = Writes(model=Market, keyword="market", create=market_create, update=market_update, delete=market_delete)
CATEGORY_WRITES = Writes(
    model=Category, keyword="category", create=category_create, update=category_update, delete=category_delete
)
EXCHANGE_RATE_WRITES = Writes(
    model=ExchangeRate,
    keyword="exchange_rate",
    create=exchange_rate_create,
    update=exchange_rate_update,
    delete=exchange_rate_delete,
)
