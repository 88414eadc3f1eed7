"""The reason a change history records, for every change made in a block of code.

Changes record their user through the request (or ``_history_user``) and their reason through
``_change_reason`` on the record saved. Where the records are saved by code that does not take a
reason (a serializer's ``save()``, a service), ``with change_reason("bulk"):`` gives every history
row written inside the block that reason, unless the record set one of its own."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    post_create_historical_record,
    pre_create_historical_m2m_records,
    pre_create_historical_record,
)
from simple_history.utils import get_change_reason_from_object

_reason: ContextVar[str | None] = ContextVar("history_change_reason", default=None)


@contextmanager
def change_reason(reason: str) -> Iterator[None]:
    """Record ``reason`` with every history row written in the block (in this thread or task only)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def fill_change_reason(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Give a history row about to be written the reason of the enclosing :func:`change_reason`."""
    reason = _reason.get()
    if reason is not None and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


def record_history(records: Sequence[Model], *, history_type: str, user: Any) -> list[Model]:
    """Write the history rows of ``records`` (saved, all of one model) as a save of each one by
    one writes them (``history_type`` "+" for a creation, "~" for a change): every tracked
    column, ``user`` as the writer, the record's own reason or the enclosing
    :func:`change_reason`'s, the related records of each many-to-many field the history keeps,
    and the same signals; in one insert per table (and one read of the many-to-many rows)."""
    if not records:
        return []
    historical = type(records[0]).history.model  # type: ignore[attr-defined]  # set by HistoricalRecords
    rows = []
    for record in records:
        row = historical(
            history_date=getattr(record, "_history_date", None) or timezone.now(),
            history_type=history_type,
            history_user=user,
            history_change_reason=get_change_reason_from_object(record),
            **{field.attname: getattr(record, field.attname) for field in historical.tracked_fields},
        )
        pre_create_historical_record.send(
            sender=historical,
            instance=record,
            history_date=row.history_date,
            history_user=user,
            history_change_reason=row.history_change_reason,
            history_instance=row,
            using=None,
        )
        rows.append(row)
    historical.objects.bulk_create(rows)
    for field in historical._history_m2m_fields:
        _record_m2m_history(field, records, rows)
    for record, row in zip(records, rows, strict=True):
        post_create_historical_record.send(
            sender=historical,
            instance=record,
            history_instance=row,
            history_date=row.history_date,
            history_user=user,
            history_change_reason=row.history_change_reason,
            using=None,
        )
    return rows


def _record_m2m_history(field: Any, records: Sequence[Model], rows: list[Model]) -> None:
    """The rows of many-to-many ``field`` of each record, kept with the record's history row."""
    m2m_history = HistoricalRecords.m2m_models[field]
    through = field.remote_field.through
    own = next(f for f in through._meta.fields if f.is_relation and f.related_model is field.model)
    linked: dict[Any, list[Model]] = defaultdict(list)
    for link in through.objects.filter(**{f"{own.name}__in": [record.pk for record in records]}).order_by("pk"):
        linked[getattr(link, own.attname)].append(link)
    names = [f.attname for f in through._meta.fields]
    kept = []
    for record, row in zip(records, rows, strict=True):
        links = [
            m2m_history(history=row, **{name: getattr(link, name) for name in names}) for link in linked[record.pk]
        ]
        pre_create_historical_m2m_records.send(
            sender=m2m_history, rows=links, history_instance=row, instance=record, field=field
        )
        kept.append(links)
    m2m_history.objects.bulk_create([link for links in kept for link in links])
    for record, row, links in zip(records, rows, kept, strict=True):
        post_create_historical_m2m_records.send(
            sender=m2m_history, created_rows=links, history_instance=row, instance=record, field=field
        )
