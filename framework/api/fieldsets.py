"""Sparse fieldsets and expansion (``?fields=``, ``?omit=``, ``?expand=``), and the query that
fetches exactly what a response renders.

A response's shape is its serializer's fields after the request's selection; :func:`plan_of`
reads those fields and :func:`apply_plan` turns them into ``select_related`` for the records
embedded one each, ``prefetch_related`` for lists, ``only()`` for the columns read and the
annotations the serializer declares. A narrow ``fields`` therefore fetches less: no join, no
prefetch and no column for what it leaves out.

What a field reads is found from its ``source`` where that names a model field or relation. A
field that reads something else declares it: a field object's ``reads`` attribute, or the
serializer's ``Meta.reads`` (field name → ``__`` paths). ``Meta.annotations`` maps a field to a
function giving the expression to annotate. Where nothing says what a field reads, its model's
columns are all fetched: never a deferred column loaded row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.utils.serializer_helpers import BindingDict

SELECTION_PARAMETERS = ("fields", "omit", "expand")

# Serializers that render a whole record of a model, by model: what ``?expand=`` embeds.
FULL_SERIALIZERS: dict[type[models.Model], type[serializers.ModelSerializer]] = {}


def expandable(serializer_class: type[serializers.ModelSerializer]) -> type[serializers.ModelSerializer]:
    """Make ``serializer_class`` (a collection's serializer) the one ``?expand=`` embeds for its
    model, wherever another record refers to one."""
    FULL_SERIALIZERS[serializer_class.Meta.model] = serializer_class
    return serializer_class


# Choosing fields


@dataclass(frozen=True)
class Selection:
    """The fields a request asks for: ``fields`` (``None``: all), less ``omit``, with ``expand``
    embedded whole."""

    fields: tuple[str, ...] | None = None
    omit: frozenset[str] = frozenset()
    expand: frozenset[str] = frozenset()


EVERYTHING = Selection()


def _names(query_params: QueryDict, name: str) -> list[str] | None:
    raw = query_params.get(name)
    if raw is None:
        return None
    names = [part.strip() for part in raw.split(",")]
    if not raw.strip() or any(not part for part in names):
        raise _error(name, "Give field names separated by commas, e.g. id,title.", "invalid_field_list")
    return list(dict.fromkeys(names))


def _error(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: [ErrorDetail(message, code=code)]})


def _unknown(name: str, given: Iterable[str], allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    unknown = [value for value in given if value not in allowed]
    if unknown:
        shown = ", ".join(repr(value[:40]) for value in unknown[:5])
        raise _error(
            name,
            f"Not a field that can be chosen here: {shown}. Choose from: {', '.join(allowed) or 'none'}.",
            f"unknown_{name}",
        )


def expandable_fields(serializer_fields: Mapping[str, serializers.Field]) -> list[str]:
    """The names of the related records a response may embed whole instead of as a brief."""
    return [name for name, field in serializer_fields.items() if expanded_serializer(field) is not None]


def parse_selection(query_params: QueryDict, serializer_fields: Mapping[str, serializers.Field]) -> Selection:
    """The request's ``fields``, ``omit`` and ``expand``, each a comma-separated list of names;
    a name the response does not have (or cannot expand) is a 400 naming the parameter."""
    readable = [name for name, field in serializer_fields.items() if not field.write_only]
    fields = _names(query_params, "fields")
    omit = _names(query_params, "omit") or []
    expand = _names(query_params, "expand") or []
    if fields is not None:
        _unknown("fields", fields, readable)
    _unknown("omit", omit, readable)
    _unknown("expand", expand, expandable_fields(serializer_fields))
    shown = [name for name in (fields or readable) if name not in omit]
    if not shown:
        raise _error("omit", "This leaves no field to show.", "no_fields_left")
    hidden = [name for name in expand if name not in shown]
    if hidden:
        raise _error("expand", f"Not among the fields asked for: {', '.join(hidden)}.", "expand_not_shown")
    return Selection(fields=None if fields is None else tuple(fields), omit=frozenset(omit), expand=frozenset(expand))


def expanded_serializer(field: serializers.Field) -> type[serializers.ModelSerializer] | None:
    """The serializer that embeds ``field``'s record whole, if it can be expanded."""
    # A field embeds a brief when it has one: known by the attribute, not by its class.
    relation: Any = field.child_relation if isinstance(field, ManyRelatedField) else field
    if getattr(relation, "brief", None) is None or relation.queryset is None:
        return None
    full = FULL_SERIALIZERS.get(relation.queryset.model)
    # A record whose rendering needs annotations cannot be embedded through a join.
    if full is None or getattr(full.Meta, "annotations", None):
        return None
    return full


def apply_selection(serializer: serializers.BaseSerializer, selection: Selection) -> None:
    """Narrow ``serializer`` (or, for a list, its child) to the selection and expand what it names."""
    if selection == EVERYTHING:
        return
    target: Any = serializer.child if isinstance(serializer, serializers.ListSerializer) else serializer
    fields = target.fields
    for name in list(fields):
        if (selection.fields is not None and name not in selection.fields) or name in selection.omit:
            fields.pop(name)
    for name in selection.expand:
        field_ = fields[name]
        relation: Any = field_.child_relation if isinstance(field_, ManyRelatedField) else field_
        relation.brief = expanded_serializer(field_)


# Planning the query


@dataclass
class Plan:
    """What a response reads of one model: its columns (``None``: all of them), the records it
    embeds one each (``select``) or as lists (``prefetch``), and its annotations."""

    model: type[models.Model]
    columns: set[str] | None = field(default_factory=set)
    select: dict[str, Plan] = field(default_factory=dict)
    prefetch: dict[str, Plan] = field(default_factory=dict)
    annotations: dict[str, Callable[[], Any]] = field(default_factory=dict)

    def read_all_columns(self) -> None:
        self.columns = None

    def add_column(self, name: str) -> None:
        if self.columns is not None:
            self.columns.add(name)

    def related(self, name: str) -> Plan:
        """The plan of the record embedded through the forward relation ``name``."""
        model_field = self.model._meta.get_field(name)
        self.add_column(model_field.name)
        if name not in self.select:
            # A forward relation: its related model is known.
            self.select[name] = Plan(cast(type[models.Model], model_field.related_model))
        return self.select[name]

    def add_path(self, path: str) -> None:
        """Read ``a__b__c``: the relations on the way are joined, the last part is a column
        (for a relation, its key only)."""
        head, _, rest = path.partition("__")
        try:
            model_field = self.model._meta.get_field(head)
        except FieldDoesNotExist:
            self.read_all_columns()
            return
        if rest and model_field.is_relation and (model_field.many_to_one or model_field.one_to_one):
            self.related(head).add_path(rest)
        elif model_field.concrete and not model_field.many_to_many and not rest:
            self.add_column(model_field.name)
        else:
            self.read_all_columns()


# Any: a forward field or a reverse relation, told apart by the relation flags (many_to_one,
# one_to_many, ...) on which the stubs cannot narrow.
def model_field_of(model: type[models.Model], source: str) -> Any:
    """The model field a serializer field's ``source`` names, if it names one (else ``None``)."""
    if "." in source:
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


def plan_of(serializer_fields: Mapping[str, serializers.Field], model: type[models.Model], meta: Any = None) -> Plan:
    """The plan for rendering ``serializer_fields`` of a ``model`` record."""
    plan = Plan(model)
    reads = getattr(meta, "reads", {}) or {}
    annotations = getattr(meta, "annotations", {}) or {}
    for name, serializer_field in serializer_fields.items():
        if serializer_field.write_only:
            continue
        if name in annotations:
            plan.annotations[name] = annotations[name]
            continue
        declared = reads.get(name, getattr(serializer_field, "reads", None))
        if declared is not None:
            for path in declared:
                plan.add_path(path)
            continue
        _plan_field(plan, serializer_field)
    return plan


def _serializer_plan(serializer: Any, model: type[models.Model]) -> Plan:
    return plan_of(serializer.fields, model, getattr(serializer, "Meta", None))


def _plan_field(plan: Plan, serializer_field: serializers.Field) -> None:
    source = cast(str, serializer_field.source)  # set when the field is bound
    model_field = model_field_of(plan.model, source)
    if model_field is None:
        plan.read_all_columns()
        return
    if isinstance(serializer_field, ManyRelatedField | serializers.ListSerializer):
        if not (model_field.many_to_many or model_field.one_to_many):
            plan.read_all_columns()
            return
        child = serializer_field.child_relation if isinstance(serializer_field, ManyRelatedField) else None
        related_model = model_field.related_model
        if child is not None:
            nested = _relation_plan(child, related_model)
        else:
            nested = _serializer_plan(cast(serializers.ListSerializer, serializer_field).child, related_model)
            if model_field.one_to_many:
                # The key back to the record, so the prefetched rows find their way to it.
                nested.add_column(model_field.field.name)
        plan.prefetch[model_field.name] = nested
        return
    if model_field.many_to_one or model_field.one_to_one:
        if isinstance(serializer_field, RelatedField) and getattr(serializer_field, "brief", None) is None:
            plan.add_column(model_field.name)
            return
        nested = plan.related(model_field.name)
        if isinstance(serializer_field, RelatedField):
            _merge(nested, _relation_plan(serializer_field, model_field.related_model))
        else:
            _merge(nested, _serializer_plan(serializer_field, model_field.related_model))
        return
    if model_field.concrete and not model_field.many_to_many:
        plan.add_column(model_field.name)
        return
    plan.read_all_columns()


def _relation_plan(relation: RelatedField, model: type[models.Model]) -> Plan:
    """The plan of a related record rendered by ``relation``: its brief (or expanded) serializer,
    or only its key."""
    brief = getattr(relation, "brief", None)
    if brief is None:
        return Plan(model, columns={"id"})
    return _serializer_plan(brief(), model)


def _merge(into: Plan, other: Plan) -> None:
    if into.columns is not None:
        if other.columns is None:
            into.columns = None
        else:
            into.columns |= other.columns
    for name, nested in other.select.items():
        if name in into.select:
            _merge(into.select[name], nested)
        else:
            into.select[name] = nested
    into.prefetch.update(other.prefetch)
    into.annotations.update(other.annotations)


def _only(plan: Plan, prefix: str = "") -> list[str]:
    """``only()`` arguments for ``plan``: its columns, or all of them, and those of the records
    it joins."""
    names = (
        [f.name for f in plan.model._meta.concrete_fields]
        if plan.columns is None
        else [plan.model._meta.pk.name, *sorted(plan.columns)]
    )
    found = [prefix + name for name in names]
    for name, nested in plan.select.items():
        found.extend(_only(nested, f"{prefix}{name}__"))
    return found


def _select_paths(plan: Plan, prefix: str = "") -> list[str]:
    paths = []
    for name, nested in plan.select.items():
        paths.append(prefix + name)
        paths.extend(_select_paths(nested, f"{prefix}{name}__"))
    return paths


def _prefetches(plan: Plan, prefix: str = "") -> list[Prefetch]:
    found = []
    for name, nested in plan.prefetch.items():
        found.append(Prefetch(prefix + name, queryset=apply_plan(nested.model._default_manager.all(), nested)))
    for name, nested in plan.select.items():
        found.extend(_prefetches(nested, f"{prefix}{name}__"))
    return found


def apply_plan(queryset: QuerySet, plan: Plan, *, restrict_columns: bool = True) -> QuerySet:
    """``queryset`` fetching what ``plan`` reads, in one query plus one per list it embeds."""
    paths = _select_paths(plan)
    queryset = queryset.select_related(*paths) if paths else queryset.select_related(None)
    prefetches = _prefetches(plan)
    queryset = queryset.prefetch_related(None)
    if prefetches:
        queryset = queryset.prefetch_related(*prefetches)
    if plan.annotations:
        queryset = queryset.annotate(**{name: make() for name, make in plan.annotations.items()})
    if restrict_columns:
        queryset = queryset.only(*_only(plan))
    return queryset


# Shapes and plans, worked out once per serializer and selection (a bounded number: a selection
# is a client's choice).


@lru_cache(maxsize=512)
def shaped_fields(serializer_class: type[serializers.Serializer], selection: Selection) -> BindingDict:
    """The fields a ``serializer_class`` response has under ``selection``."""
    serializer = serializer_class()
    apply_selection(serializer, selection)
    return serializer.fields


@lru_cache(maxsize=512)
def response_plan(
    serializer_class: type[serializers.Serializer], selection: Selection, model: type[models.Model]
) -> Plan:
    """The plan of a ``model`` response rendered by ``serializer_class`` under ``selection``;
    with the modification time, which every record's tags are made from."""
    plan = plan_of(shaped_fields(serializer_class, selection), model, getattr(serializer_class, "Meta", None))
    if any(model_field.name == "updated_at" for model_field in model._meta.concrete_fields):
        plan.add_column("updated_at")
    return plan
