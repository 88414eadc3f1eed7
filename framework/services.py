"""How a record is written, whoever writes it (the API, its bulk endpoint, the admin's forms and
actions, the admin's import): checked against every rule of its model (``full_clean``), then
against the writer's scope (a delegation editor writes only within their delegations), then
saved with its history naming the writer, all or nothing.

Each app writes its collections through typed service functions of its own (e.g.
``delegations.services.enterprise_create``), which call the generic ones here and may add rules
of the app (``rules``); the app registers them with :func:`register_writes`, so that the API, the
admin and the import find them by model."""

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model

from framework import access

M = TypeVar("M", bound=Model)
# What a write sets: field name → value (a many-to-many relation's value: an iterable of records).
Data = Mapping[str, Any]

# A rule of the owning app, beyond the model's own: it raises (a ValidationError naming the
# field, or a DomainError) to refuse the write of the record it is given.
Rule = Callable[[M], None]


def _split(model: type[Model], data: Data) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` as the values of columns and the values of many-to-many relations."""
    many_to_many = {field.name for field in model._meta.many_to_many}
    columns = {name: value for name, value in data.items() if name not in many_to_many}
    related = {name: value for name, value in data.items() if name in many_to_many}
    return columns, related


def _check(record: Model, *, user: access.User, data: Data, before: Model | None, rules: Rule | None) -> None:
    """Refuse the write of ``record`` (``before`` as stored, for a change) when it breaks a rule
    of its model or of its app, or when ``user`` may not write it."""
    many_to_many = [field.name for field in record._meta.many_to_many]
    record.full_clean(exclude=many_to_many)
    if rules is not None:
        rules(record)
    access.check_write(user, type(record), data=data, instance=before)


def _record_user(record: Model, user: access.User) -> None:
    # The history names the writer; without one (a script), whoever the request says.
    if user is not None:
        record._history_user = user  # type: ignore[attr-defined]


def _save(record: M, *, user: access.User, update_fields: list[str] | None, related: Data) -> M:
    """Save ``record`` (only ``update_fields`` when given) and set its many-to-many relations,
    together. The checks come first, so a refused write leaves the caller's transaction usable;
    the save takes no savepoint of its own, so it costs the queries it did when serializers
    saved, and inside a caller's transaction a failure rolls back with it."""
    _record_user(record, user)
    with transaction.atomic(savepoint=False):
        record.save(update_fields=update_fields)
        for name, values in related.items():
            getattr(record, name).set(values)
    return record


def record_create(*, model: type[M], user: access.User, data: Data, rules: Rule[M] | None = None) -> M:
    """A new ``model`` record with ``data``, saved with ``user`` in its history. Raises
    ``ValidationError`` (by field) when a rule of the model or ``rules`` refuses it, and
    :class:`framework.access.OutOfScope` when ``user`` may not write it; nothing is written then."""
    columns, related = _split(model, data)
    record = model(**columns)
    _check(record, user=user, data=data, before=None, rules=rules)
    return _save(record, user=user, update_fields=None, related=related)


def record_update(*, record: M, user: access.User, data: Data, rules: Rule[M] | None = None) -> M:
    """``record`` with the fields in ``data`` changed, and only those written (a field it does
    not name keeps its stored value); refused as :func:`record_create` says, leaving ``record``
    as it was."""
    columns, related = _split(type(record), data)
    # Checked on a copy, so that a refused change leaves the caller's record as it was.
    candidate = copy.copy(record)
    for name, value in columns.items():
        setattr(candidate, name, value)
    _check(candidate, user=user, data=data, before=record, rules=rules)
    for name, value in columns.items():
        setattr(record, name, value)
    return _save(record, user=user, update_fields=[*columns, "updated_at"], related=related)


def record_delete(*, record: Model, user: access.User, rules: Rule | None = None) -> None:
    """Delete ``record``, naming ``user`` in its history (Django deletes it and what cascades
    from it in one transaction). Raises ``ProtectedError`` while other records refer to it,
    :class:`framework.access.OutOfScope` when ``user`` may not write it, and whatever ``rules``
    raises to refuse it; nothing is deleted then."""
    access.check_write(user, type(record), data={}, instance=record)
    if rules is not None:
        rules(record)
    _record_user(record, user)
    record.delete()


def adopt(instance: M, record: M) -> M:
    """``instance`` made the ``record`` a service wrote (its id, values and saved state): for a
    caller that carries on with the object it built, such as the admin (its log entry, its
    redirect and its inlines refer to that object) or the import (its row report)."""
    instance.__dict__.update(record.__dict__)
    return instance


@dataclass(frozen=True)
class Writes(Generic[M]):
    """A collection's service functions: ``create(*, user, data)``, ``update(*, <record>, user,
    data)`` and ``delete(*, <record>, user)``, where ``<record>`` is the keyword ``keyword``
    (e.g. ``enterprise``)."""

    model: type[M]
    keyword: str
    create: Callable[..., M]
    update: Callable[..., M]
    delete: Callable[..., None]

    def create_record(self, *, user: access.User, data: Data) -> M:
        """The new record ``create`` wrote."""
        return self.create(user=user, data=data)

    def update_record(self, *, record: M, user: access.User, data: Data) -> M:
        """``record`` as ``update`` changed it."""
        return self.update(**{self.keyword: record}, user=user, data=data)

    def delete_record(self, *, record: M, user: access.User) -> None:
        """Delete ``record`` through ``delete``."""
        self.delete(**{self.keyword: record}, user=user)


# Each collection's service functions, by "app_label.ModelName": each app registers its own.
WRITES: dict[str, Writes] = {}


def register_writes(writes: Writes) -> None:
    """Make ``writes`` the way every caller (API, admin, import) writes ``writes.model``."""
    WRITES[writes.model._meta.label] = writes


def writes_of(model: type[M]) -> Writes[M] | None:
    """The service functions registered for ``model``, or ``None`` for a model written otherwise."""
    return WRITES.get(model._meta.label)


def required_writes_of(model: type[M]) -> Writes[M]:
    """The service functions registered for ``model``; a model without them is a configuration error."""
    writes = writes_of(model)
    if writes is None:
        raise ImproperlyConfigured(
            f"{model._meta.label} has no registered writes (framework.services.register_writes)."
        )
    return writes
