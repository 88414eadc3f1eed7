"""Read logic for deals and their reference data: every deal the API returns comes through
:func:`deal_list`, scoped to the caller and with the relations a response renders."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market


def deal_list() -> QuerySet[Deal]:
    """Deals with parties, delegation, edition, markets and line items fetched in three queries
    (the API scopes them to the caller through expo.access)."""
    return Deal.objects.select_related(
        "buyer", "seller", "delegation", "edition__expo", "first_deal_of", "source"
    ).prefetch_related(
        "markets",
        Prefetch("line_items", queryset=DealLineItem.objects.select_related("category")),
    )


def market_list() -> QuerySet[Market]:
    return Market.objects.select_related("source")


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("source")


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.select_related("source")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping columns, not facts: left out of the change lists.
HISTORY_IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at"})


def _field_value(field, record) -> str | None:
    value = getattr(record, field.attname)
    return None if value is None else field.value_to_string(record)


def deal_history(*, deal: Deal) -> list:
    """Every recorded change of ``deal``, newest first, each with its user, time, type
    (created, changed, deleted), reason and the fields it changed (old and new values as text)."""
    records = list(deal.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = [field for field in Deal._meta.concrete_fields if field.name not in HISTORY_IGNORED_FIELDS]
    previous = None
    for record in records:
        record.type = HISTORY_TYPES[record.history_type]
        record.changes = [
            FieldChange(field.name, old, new)
            for field in fields
            if (old := _field_value(field, previous) if previous is not None else None)
            != (new := _field_value(field, record))
        ]
        previous = record
    return records[::-1]
