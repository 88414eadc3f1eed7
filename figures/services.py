"""Writes of reported figures and their statements, each checked against every rule of its model
(a statement's quote against its source's text among them) and saved with its writer in the
history (framework.services). A statement in money is valued in US dollars here: with the
source's own conversion where the quote gives one ("1.7 million yuan (US$261,538)"), else the
rate table (``deals.ExchangeRate``) at the statement's date, else not at all."""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from deals.models import ExchangeRate
from deals.services import convert_to_usd
from figures.models import FigureStatement, ReportedFigure
from figures.quotes import stated_number
from framework.access import User
from framework.services import Data, Writes, record_create, record_delete, record_update

RATE_PLACES = Decimal("0.0000000001")
RateSource = FigureStatement.RateSource


def reported_figure_create(*, user: User, data: Data) -> ReportedFigure:
    """A new reported figure with ``data`` (field name → value)."""
    return record_create(model=ReportedFigure, user=user, data=data)


def reported_figure_update(*, reported_figure: ReportedFigure, user: User, data: Data) -> ReportedFigure:
    """``reported_figure`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=reported_figure, user=user, data=data)


def reported_figure_delete(*, reported_figure: ReportedFigure, user: User) -> None:
    """Delete ``reported_figure`` and its statements; ``ProtectedError`` while other records refer to it."""
    record_delete(record=reported_figure, user=user)


@dataclass(frozen=True)
class Valuation:
    """A statement's value in US dollars, the rate (USD per unit) and where the rate came from."""

    value_usd: Decimal | None
    usd_rate: Decimal | None
    usd_rate_source: str


NO_VALUATION = Valuation(None, None, RateSource.NONE)


def statement_valuation_date(*, statement: FigureStatement) -> datetime.date | None:
    """The date a statement is valued at: its ``as_of``, else its source's publication date,
    else the last day of its figure's edition."""
    if statement.as_of is not None:
        return statement.as_of
    if statement.source is not None and statement.source.published_on is not None:
        return statement.source.published_on
    edition = statement.figure.edition
    return edition.end_date or edition.start_date


def statement_valuation(*, statement: FigureStatement) -> Valuation:
    """``statement``'s value in USD (see the module's description); none for a count, or for
    money in a currency with neither a conversion in the quote nor a rate on or before its date."""
    if not statement.currency:
        return NO_VALUATION
    if statement.currency == "USD":
        return Valuation(statement.value, Decimal(1), RateSource.USD)
    number = stated_number(
        quote=statement.quote, value=statement.value, qualifier=statement.qualifier, currency=statement.currency
    )
    if number is not None and number.usd is not None and statement.value:
        rate = (number.usd / statement.value).quantize(RATE_PLACES)
        return Valuation(number.usd, rate, RateSource.STATED)
    on = statement_valuation_date(statement=statement)
    found = None
    if on is not None:
        found = ExchangeRate.objects.filter(currency=statement.currency, date__lte=on).order_by("-date").first()
    if found is None:
        return NO_VALUATION
    return Valuation(
        convert_to_usd(amount=statement.value, rate=found.rate_to_usd), found.rate_to_usd, RateSource.RATE_TABLE
    )


def _without_valuation(data: Data) -> dict:
    # The valuation is computed, whatever a caller sends.
    return {name: value for name, value in data.items() if name not in FigureStatement.VALUATION}


def _valued(statement: FigureStatement) -> dict:
    valuation = statement_valuation(statement=statement)
    return {
        "value_usd": valuation.value_usd,
        "usd_rate": valuation.usd_rate,
        "usd_rate_source": valuation.usd_rate_source,
    }


def _figure_changed(figure_id: int) -> None:
    # The figure shows its statements: a client syncing figures by updated_since sees the change.
    # Figures keep no history, so a plain update records all there is.
    ReportedFigure.objects.filter(pk=figure_id).update(updated_at=timezone.now())


def figure_statement_create(*, user: User, data: Data) -> FigureStatement:
    """A new statement of a figure with ``data``, valued in USD where it is money. Refused
    (``ValidationError`` naming ``quote`` or ``value``) when its source's stored text does not
    contain the quote, or the quote does not state the value with the qualifier."""
    data = _without_valuation(data)
    with transaction.atomic():
        statement = FigureStatement(**data)
        statement = record_create(model=FigureStatement, user=user, data={**data, **_valued(statement)})
        _figure_changed(statement.figure_id)
    return statement


def figure_statement_update(*, figure_statement: FigureStatement, user: User, data: Data) -> FigureStatement:
    """``figure_statement`` with the fields in ``data`` changed, valued again; refused as
    :func:`figure_statement_create` says."""
    data = _without_valuation(data)
    candidate = copy.copy(figure_statement)
    for name, value in data.items():
        setattr(candidate, name, value)
    valued = {name: value for name, value in _valued(candidate).items() if getattr(figure_statement, name) != value}
    before = figure_statement.figure_id
    with transaction.atomic():
        statement = record_update(record=figure_statement, user=user, data={**data, **valued})
        _figure_changed(statement.figure_id)
        if before != statement.figure_id:
            _figure_changed(before)
    return statement


def figure_statement_delete(*, figure_statement: FigureStatement, user: User) -> None:
    """Delete ``figure_statement``."""
    with transaction.atomic():
        record_delete(record=figure_statement, user=user)
        _figure_changed(figure_statement.figure_id)


REPORTED_FIGURE_WRITES = Writes(
    model=ReportedFigure,
    keyword="reported_figure",
    create=reported_figure_create,
    update=reported_figure_update,
    delete=reported_figure_delete,
)
FIGURE_STATEMENT_WRITES = Writes(
    model=FigureStatement,
    keyword="figure_statement",
    create=figure_statement_create,
    update=figure_statement_update,
    delete=figure_statement_delete,
)
