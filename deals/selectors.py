"""Read logic for deals beyond what a collection response renders: a deal's history."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Field

from deals.models import Deal


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping columns, not facts: left out of the change lists.
HISTORY_IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at"})


def _field_value(field: Field, record: Any) -> str | None:
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
