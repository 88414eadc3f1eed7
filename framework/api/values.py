"""Lists rendered from ``.values()`` rows instead of model instances: the same JSON as the
serializer gives, without building a model object per row and related record, or running the
serializer's per-field machinery.

:func:`values_renderer` compiles a serializer (after ``?fields=``/``?expand=``) into the columns a
``.values()`` query must read and one function per field. A field that is a model column is its
serializer field's ``to_representation`` of the column; an embedded record is compiled the same
way over the columns under its prefix (``buyer__name``); a list (markets, line items, an embedded
buyer's aliases) is one more ``.values()`` query for the whole page, grouped by record; any other
field (``source="*"``, a method) gets a :class:`Row` that reads the columns as a model instance's
attributes. A serializer whose rendering needs something else (a list within a list, an
attribute that is not a column, the request, a ``to_representation`` of its own) cannot be
compiled: it is rendered from instances as before. A page whose rows turn out not to hold what a field reads
(a ``Meta.reads`` that leaves a path out) is rendered from instances too, with one warning,
and so are that shape's later pages.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import CodeType
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from framework.api.fieldsets import Plan, Selection, model_field_of, plan_of, shaped_fields

logger = logging.getLogger(__name__)


class NotCompilable(Exception):
    """The serializer renders something a ``.values()`` row does not hold."""


# What a row may fail with when a field reads what the compiled columns left out: the page is
# then rendered from instances. A database error is not among them: it is no rendering's fault.
RENDER_ERRORS = (NotCompilable, LookupError, AttributeError, TypeError)


class Row:
    """A ``.values()`` row read like the model instance it came from: ``row.amount``,
    ``row.first_deal_of_id``, ``row.edition.expo.name``."""

    __slots__ = ("_prefix", "_relations", "_values")

    def __init__(self, values: dict[str, Any], prefix: str, relations: set[str]) -> None:
        self._values = values
        self._prefix = prefix
        self._relations = relations

    def __getattr__(self, name: str) -> Any:
        values = self._values
        key = self._prefix + name
        if key in values:
            value = values[key]
            if value is not None and f"{key}__" in self._relations:
                return Row(values, f"{key}__", self._relations)
            return value
        if name.endswith("_id") and key[:-3] in values:
            return values[key[:-3]]
        raise NotCompilable(f"{key} is not among the columns read")


@dataclass
class Compiled:
    """How to render one serializer from rows: the columns to read (``__`` paths from the row's
    model), one builder per field, and the lists fetched by their own query."""

    columns: list[str]
    builders: list[tuple[str, Callable[[dict[str, Any], dict], Any]]]
    lists: dict[str, ListFetch] = field(default_factory=dict)

    def render(self, row: dict[str, Any], fetched: dict[str, dict[Any, list]]) -> dict[str, Any]:
        return {name: build(row, fetched) for name, build in self.builders}


@dataclass
class ListFetch:
    """A list field: the related rows of a page's records, in one query."""

    model: type[models.Model]
    # The lookup from the related model back to the record (``deal`` for line items, ``deals``
    # for markets), read as the grouping key.
    back: str
    compiled: Compiled
    # The page's column holding the key of the record the list belongs to: the page's own key
    # (``id``) for a list of its records, the foreign key (``buyer``) for a list of an embedded one.
    key: str

    def fetch(self, keys: Sequence[Any]) -> dict[Any, list[dict[str, Any]]]:
        rows = self.model._default_manager.filter(**{f"{self.back}__in": keys}).values(
            self.back, *self.compiled.columns
        )
        grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[row[self.back]].append(self.compiled.render(row, {}))
        return grouped


def _code_names(code: CodeType) -> set[str]:
    """The global and attribute names ``code`` uses, its nested functions' included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _code_names(const)
    return names


def needs_request(serializer_field: serializers.Field) -> bool:
    """Whether rendering ``serializer_field`` may read the request or anything else of the
    serializer's context, which a compiled renderer has none of: a hyperlink, a file's absolute
    URL, a method reading ``self.context``, a default such as ``CurrentUserDefault``."""
    if getattr(serializer_field.default, "requires_context", False):
        return True
    functions: list[Any] = [type(serializer_field).to_representation, type(serializer_field).get_attribute]
    if isinstance(serializer_field, serializers.SerializerMethodField):
        functions.append(getattr(serializer_field.parent, serializer_field.method_name))
    for function in functions:
        code = getattr(function, "__code__", None)
        # A callable whose code cannot be read might read anything.
        if code is None or {"context", "request"} & _code_names(code):
            return True
    return False


def _renders_its_own_way(serializer: serializers.BaseSerializer) -> bool:
    """Whether ``serializer`` overrides ``to_representation``, which the compiled fields would skip."""
    base = serializers.ListSerializer if isinstance(serializer, serializers.ListSerializer) else serializers.Serializer
    return type(serializer).to_representation is not base.to_representation


def _refuse_request(serializer_field: serializers.Field) -> None:
    if needs_request(serializer_field):
        raise NotCompilable(f"{serializer_field.field_name}: its rendering reads the request")


def _value_builder(key: str, serializer_field: serializers.Field) -> Callable:
    """A column, as the serializer field represents it (null stays null)."""
    _refuse_request(serializer_field)
    represent = serializer_field.to_representation

    def build(row: dict[str, Any], fetched: dict) -> Any:
        value = row[key]
        return None if value is None else represent(value)

    return build


def _row_builder(prefix: str, serializer_field: serializers.Field, relations: set[str]) -> Callable:
    """A field that reads the record as an object (``source="*"``, a method): given a :class:`Row`."""
    _refuse_request(serializer_field)
    represent = serializer_field.to_representation
    source_attrs = serializer_field.source_attrs

    def build(row: dict[str, Any], fetched: dict) -> Any:
        instance: Any = Row(row, prefix, relations)
        for attr in source_attrs:
            instance = getattr(instance, attr)
            if instance is None:
                return None
        return represent(instance)

    return build


def _nested_builder(key: str, compiled: Compiled) -> Callable:
    """An embedded record: rendered from the columns under its prefix; null when its key is."""

    def build(row: dict[str, Any], fetched: dict) -> Any:
        if row[key] is None:
            return None
        return compiled.render(row, fetched)

    return build


def _list_builder(name: str, key: str) -> Callable:
    """A list field: the rows fetched for the page, by the record's key."""

    def build(row: dict[str, Any], fetched: dict) -> Any:
        return fetched[name].get(row[key], [])

    return build


def key_column(model: type[models.Model], prefix: str) -> str:
    """Where a row holds the key of the ``model`` record under ``prefix``: for an embedded record,
    the foreign key that refers to it."""
    return prefix[:-2] if prefix else model._meta.pk.name


def compile_fields(
    serializer_fields: Mapping[str, serializers.Field],
    model: type[models.Model],
    meta: Any,
    *,
    prefix: str = "",
    top: bool = True,
    relations: set[str] | None = None,
    lists: dict[str, ListFetch] | None = None,
    in_list: bool = False,
) -> Compiled:
    """Compile ``serializer_fields`` of a ``model`` record whose columns are under ``prefix``;
    ``relations`` collects the prefixes of the records embedded through joins, ``lists`` the
    lists of the page's records and of the records they embed (by the path to each, such as
    ``buyer__aliases``). The fields of a list's rows (``in_list``) hold no list of their own."""
    serializer = getattr(serializer_fields, "serializer", None)
    if serializer is not None and _renders_its_own_way(serializer):
        raise NotCompilable(f"{type(serializer).__name__}: a to_representation of its own")
    plan = plan_of(serializer_fields, model, meta)
    if plan.columns is None:
        raise NotCompilable(f"{model.__name__}: a field reads what the plan cannot name")
    # An embedded record's key is the referring row's foreign key column (``buyer``, not ``buyer__id``).
    columns = [key_column(model, prefix)]
    relations = set() if relations is None else relations
    builders = []
    lists = {} if lists is None else lists
    _collect_plan_columns(plan, prefix, columns, relations)
    annotations = getattr(meta, "annotations", {}) or {}
    for name, serializer_field in serializer_fields.items():
        if serializer_field.write_only:
            continue
        if name in annotations:
            if not top:
                raise NotCompilable(f"{name}: an annotation of an embedded record")
            builders.append((name, _value_builder(name, serializer_field)))
            continue
        builders.append(
            (name, _compile_field(name, serializer_field, model, prefix, lists, relations, in_list=in_list))
        )
    for name in annotations:
        if top and name in serializer_fields:
            columns.append(name)
    return Compiled(columns=list(dict.fromkeys(columns)), builders=builders, lists=lists)


def _collect_plan_columns(plan: Plan, prefix: str, columns: list[str], relations: set[str]) -> None:
    for column in sorted(plan.columns or ()):
        columns.append(key_column(plan.model, prefix) if column == plan.model._meta.pk.name else prefix + column)
    for name, nested in plan.select.items():
        if nested.columns is None:
            raise NotCompilable(f"{prefix}{name}: an embedded record reads what the plan cannot name")
        relations.add(f"{prefix}{name}__")
        columns.append(prefix + name)
        _collect_plan_columns(nested, f"{prefix}{name}__", columns, relations)


def _compile_field(
    name: str,
    serializer_field: serializers.Field,
    model: type[models.Model],
    prefix: str,
    lists: dict[str, ListFetch],
    relations: set[str],
    *,
    in_list: bool,
) -> Callable:
    meta_reads = getattr(getattr(serializer_field.parent, "Meta", None), "reads", {}) or {}
    if name in meta_reads or getattr(serializer_field, "reads", None) is not None or serializer_field.source == "*":
        return _row_builder(prefix, serializer_field, relations)
    source = cast(str, serializer_field.source)  # set when the field is bound
    model_field = model_field_of(model, source)
    if model_field is None:
        raise NotCompilable(f"{name}: its source {source!r} is not a field of {model.__name__}")
    if isinstance(serializer_field, ManyRelatedField | serializers.ListSerializer):
        if in_list:
            raise NotCompilable(f"{name}: a list within a list")
        if isinstance(serializer_field, serializers.ListSerializer) and _renders_its_own_way(serializer_field):
            raise NotCompilable(f"{name}: a list with a to_representation of its own")
        related_model = model_field.related_model
        if isinstance(serializer_field, ManyRelatedField):
            child: Any = serializer_field.child_relation  # a brief field, known by its brief attribute
            if getattr(child, "brief", None) is None:
                raise NotCompilable(f"{name}: a list of keys")
            child_serializer: serializers.Serializer = child.brief(context=child.context)
        else:
            child_serializer = cast(serializers.Serializer, serializer_field.child)  # a list of records
        nested = compile_fields(
            child_serializer.fields, related_model, getattr(child_serializer, "Meta", None), top=False, in_list=True
        )
        if model_field.one_to_many or not isinstance(model_field, models.ManyToManyField):
            back = model_field.field.name
        else:
            back = model_field.related_query_name()
        key = key_column(model, prefix)
        lists[prefix + name] = ListFetch(related_model, back, nested, key)
        return _list_builder(prefix + name, key)
    if model_field.many_to_one or model_field.one_to_one:
        key = prefix + model_field.name
        if isinstance(serializer_field, RelatedField) and getattr(serializer_field, "brief", None) is None:
            return _value_builder(key, serializer_field)
        if isinstance(serializer_field, RelatedField):
            brief = cast(Any, serializer_field).brief  # a brief field, known by its brief attribute
            nested_serializer: serializers.Serializer = brief(context=serializer_field.context)
            meta = getattr(brief, "Meta", None)
        else:
            nested_serializer = cast(serializers.Serializer, serializer_field)  # a nested record
            meta = getattr(serializer_field, "Meta", None)
        nested = compile_fields(
            nested_serializer.fields,
            model_field.related_model,
            meta,
            prefix=f"{key}__",
            top=False,
            relations=relations,
            lists=lists,
            in_list=in_list,
        )
        return _nested_builder(key, nested)
    if model_field.concrete and not model_field.many_to_many:
        key = key_column(model, prefix) if model_field.primary_key else prefix + model_field.name
        return _value_builder(key, serializer_field)
    raise NotCompilable(f"{name}: {source!r} is neither a column nor a relation")


def compile_serializer(
    serializer_class: type[serializers.Serializer], selection: Selection, model: type[models.Model]
) -> Compiled:
    """``serializer_class``'s rendering of ``model`` records under ``selection``, compiled; a
    :class:`NotCompilable` saying why not where it cannot be."""
    meta = getattr(serializer_class, "Meta", None)
    try:
        compiled = compile_fields(shaped_fields(serializer_class, selection), model, meta)
    except (FieldDoesNotExist, AttributeError, LookupError, TypeError) as error:
        # A shape the compiler does not know: the serializer renders it, and someone should know.
        logger.warning("%s %s: not compiled, since compiling failed: %r", serializer_class.__name__, selection, error)
        raise NotCompilable(f"{serializer_class.__name__}: {error!r}") from error
    annotations = getattr(meta, "annotations", {}) or {}
    queries = [(model, [column for column in compiled.columns if column not in annotations])]
    queries += [(fetch.model, [fetch.back, *fetch.compiled.columns]) for fetch in compiled.lists.values()]
    for queried, columns in queries:
        try:
            # Building the query resolves every column now, not on the first request.
            queried._default_manager.values(*columns)
        except FieldError as error:
            raise NotCompilable(f"{serializer_class.__name__}: {error}") from error
    return compiled


@lru_cache(maxsize=512)
def renderer_of(
    serializer_class: type[serializers.Serializer], selection: Selection, model: type[models.Model]
) -> ValuesRenderer | None:
    """The compiled renderer of a shape, worked out once (failed or not), or ``None``."""
    try:
        compiled = compile_serializer(serializer_class, selection, model)
    except NotCompilable:
        return None
    return ValuesRenderer(compiled, model, name=f"{serializer_class.__name__} {selection}")


def values_renderer(
    serializer_class: type[serializers.Serializer], selection: Selection, model: type[models.Model]
) -> ValuesRenderer | None:
    """A renderer of ``serializer_class``'s records under ``selection`` from rows, or ``None``
    where it cannot be compiled or a page has shown its rows lack what it reads."""
    renderer = renderer_of(serializer_class, selection, model)
    return None if renderer is None or renderer.failed else renderer


class ValuesRenderer:
    """Renders a page of records from ``.values()`` rows: the page's query reads ``columns``;
    each list field adds one query for the whole page."""

    def __init__(self, compiled: Compiled, model: type[models.Model], *, name: str) -> None:
        self.compiled = compiled
        self.model = model
        self.key = model._meta.pk.name
        self.name = name
        # Set by the first page whose rows lacked what a field reads: the shape is then
        # rendered by its serializer.
        self.failed = False

    def rows(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` reading the columns the rendering needs, as dicts."""
        return queryset.prefetch_related(None).values(*self.compiled.columns)

    @staticmethod
    def _keys(rows: list[dict[str, Any]], column: str) -> list[Any]:
        """The distinct keys in ``column`` of ``rows`` (an embedded record's, once each; none for null)."""
        return [key for key in dict.fromkeys(row[column] for row in rows) if key is not None]

    def render(
        self, rows: Iterable[dict[str, Any]], *, fallback: Callable[[list[Any]], list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """The records of ``rows``, rendered; where a row lacks what a field reads, what
        ``fallback`` gives for the records' keys (the serializer's rendering, in their order)."""
        rows = list(rows)
        if not rows:
            return []
        keys = [row[self.key] for row in rows]
        try:
            fetched = {name: fetch.fetch(self._keys(rows, fetch.key)) for name, fetch in self.compiled.lists.items()}
            return [self.compiled.render(row, fetched) for row in rows]
        except RENDER_ERRORS as error:
            if not self.failed:
                self.failed = True
                logger.warning(
                    "%s: rendered by its serializer from now on, since a row could not be rendered: %r",
                    self.name,
                    error,
                )
            return fallback(keys)
