"""Pagination every collection shares: ``limit``/``offset``, 50 by default, at most 1000; and,
where a collection takes it, cursor paging for infinite scroll (``CursorPagination``)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import F, Field, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from framework.caching import kept, query_stamp


def non_negative_int(raw: str, *, name: str, minimum: int) -> int:
    """``raw`` as a whole number of at least ``minimum``; otherwise a 400 naming ``name``."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise ValidationError({name: [f"Must be a whole number of at least {minimum}, not {raw[:40]!r}."]})
    value = int(text) if len(text) <= 18 else 10**18
    if value < minimum:
        raise ValidationError({name: [f"Must be a whole number of at least {minimum}, not {raw[:40]!r}."]})
    return value


# The parameter of a list's search (framework.api.filters.SearchFilter).
SEARCH_PARAMETER = "search"


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``limit`` (default 50) is capped at 1000 rather than refused; ``offset`` past the end
    gives an empty page; anything that is not a whole number is a 400 naming the parameter."""

    default_limit = 50
    max_limit = 1000
    # The query parameters it reads.
    query_parameters: frozenset[str] = frozenset({"limit", "offset"})

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return min(non_negative_int(raw, name=self.limit_query_param, minimum=1), self.max_limit)

    def paginate_queryset(
        self,
        queryset: QuerySet | Sequence[Any],
        request: Request,
        view: APIView | None = None,
        *,
        rows: QuerySet | Sequence[Any] | None = None,
        by_key: QuerySet | None = None,
    ) -> list:
        """The page of ``queryset`` (filtered and ordered), read from ``rows`` (the same rows
        with what a response renders: joins, ``.values()``) where given. The count is taken from
        ``queryset`` alone, without the joins of what is rendered. Past the first page, the
        page's keys are read first, and the rows then fetched by key: the database skips the
        offset along an index instead of joining every row it skips. A search reads its keys
        first on every page. ``by_key`` (``rows`` as the caller may read them, unfiltered) is
        where rows are fetched by key: the keys already passed the filters, which then need not
        run again (a search's would be found a second time)."""
        rows = queryset if rows is None else rows
        by_key = rows if by_key is None else by_key
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset >= self.count:
            return []
        # A search's first page too: its matches are found through subqueries whose size the planner
        # cannot see, and joining what a page renders to every match before the page is cut costs
        # more than reading the page's keys first.
        keys_first = self.offset > 0 or SEARCH_PARAMETER in request.query_params
        if not keys_first or not isinstance(queryset, QuerySet):
            return list(rows[self.offset : self.offset + self.limit])
        # Rows given with a queryset are the same rows as a queryset.
        return page_by_keys(queryset, cast(QuerySet, by_key), offset=self.offset, limit=self.limit)

    def get_count(self, queryset: QuerySet | Sequence[Any]) -> int:
        return cached_count(queryset) if isinstance(queryset, QuerySet) else len(queryset)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return non_negative_int(raw, name=self.offset_query_param, minimum=0)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        properties = response["properties"]
        properties["count"]["example"] = 120
        properties["next"]["example"] = "http://127.0.0.1:8000/api/deals/?limit=50&offset=100"
        properties["previous"]["example"] = "http://127.0.0.1:8000/api/deals/?limit=50&offset=0"
        return response

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = "Results per page: 50 by default; more than 1000 is read as 1000."
                parameter["schema"] = {"type": "integer", "minimum": 1, "default": self.default_limit}
            elif parameter["name"] == self.offset_query_param:
                parameter["description"] = "How many results to skip; past the end gives an empty page."
                parameter["schema"] = {"type": "integer", "minimum": 0, "default": 0}
        return parameters


def page_by_keys(queryset: QuerySet, rows: QuerySet, *, offset: int, limit: int) -> list:
    """``rows[offset:offset + limit]`` in two queries: the keys from ``queryset``, then the rows
    by key."""
    name = queryset.model._meta.pk.name
    return rows_by_keys(rows, list(queryset.values_list(name, flat=True)[offset : offset + limit]))


# Cursor paging: the position after (or before) a row, as the values the list is sorted by and the
# row's id, signed so that a client can neither forge one nor learn from it what it has not read.
CURSOR_SALT = "framework.api.pagination.cursor"
CURSOR_VERSION = 1
CURSOR_PATTERN = r"^[A-Za-z0-9_:-]*$"


@dataclass(frozen=True)
class Term:
    """One column of a list's ordering: its name, direction, and where its empty values go
    (``"first"``/``"last"`` when the ordering says, else where the database puts them)."""

    name: str
    descending: bool
    nulls: str | None = None

    def reversed(self) -> "Term":
        nulls = {"first": "last", "last": "first"}.get(self.nulls or "")
        return Term(self.name, not self.descending, nulls)

    def nulls_after(self, nulls_order_largest: bool) -> bool:
        """Whether rows with no value come after those with one, in this term's order."""
        if self.nulls is not None:
            return self.nulls == "last"
        return self.descending != nulls_order_largest

    def order_by(self) -> OrderBy:
        expression = F(self.name)
        if self.nulls is None:
            return expression.desc() if self.descending else expression.asc()
        first, last = self.nulls == "first", self.nulls == "last"
        if self.descending:
            return expression.desc(nulls_first=first or None, nulls_last=last or None)
        return expression.asc(nulls_first=first or None, nulls_last=last or None)

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.name + (f" nulls {self.nulls}" if self.nulls else "")


def ordering_terms(queryset: QuerySet) -> list[Term] | None:
    """The ordering of ``queryset`` as terms ending with the primary key, or ``None`` where it
    sorts by anything but the model's own columns (a relation's field, an expression)."""
    opts = queryset.model._meta
    pk = cast(Field, opts.pk)
    query = queryset.query
    ordering = query.order_by or (opts.ordering if query.default_ordering else ()) or ()
    terms: list[Term] = []
    for item in ordering:
        if isinstance(item, str):
            descending, name = item.startswith("-"), item.lstrip("-")
            nulls = None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, name = item.descending, item.expression.name  # type: ignore[attr-defined]  # F has a name
            nulls = "first" if item.nulls_first else "last" if item.nulls_last else None
        else:
            return None
        name = pk.name if name == "pk" else name
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.is_relation:
            return None
        terms.append(Term(name, descending, nulls))
        if name == pk.name:
            return terms
    return [*terms, Term(pk.name, False)]


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Position:
    """Where a cursor points: after (``backwards`` false) or before the row with ``values`` in the
    ordering ``terms``."""

    values: tuple[Any, ...]
    backwards: bool


class CursorPagination(LimitOffsetPagination):
    """Limit/offset paging, or cursor paging for infinite scroll: ``?cursor=`` (empty) asks for the
    first page, and ``next``/``previous`` carry an opaque cursor to the page after or before it.
    A cursor points after (or before) a row by the values it is sorted by and its id, so rows
    created or deleted meanwhile shift no page: none is skipped or repeated. Each page is read
    along the ordering's index from where the last ended, however deep; nothing is counted
    (``count`` is ``null``). Cursor paging follows the orderings the list's ``OrderingFilter``
    names in ``cursor_orderings`` (and the default one); another is a 400 naming ``ordering``."""

    cursor_query_param = "cursor"
    query_parameters = frozenset({"limit", "offset", "cursor"})

    cursor_mode = False

    def paginate_queryset(
        self,
        queryset: QuerySet | Sequence[Any],
        request: Request,
        view: APIView | None = None,
        *,
        rows: QuerySet | Sequence[Any] | None = None,
        by_key: QuerySet | None = None,
    ) -> list:
        """As limit/offset paging does, or, with ``cursor`` given, the page at that cursor."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None or not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view, rows=rows, by_key=by_key)
        if self.offset_query_param in request.query_params:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        ErrorDetail(
                            "Give cursor or offset, not both: a cursor says where the page starts.",
                            code="cursor_with_offset",
                        )
                    ]
                }
            )
        self.cursor_mode = True
        self.request = request
        self.limit = self.get_limit(request)
        self.check_ordering(request, view)
        terms = ordering_terms(queryset)
        opts = queryset.model._meta
        if terms is None or any(opts.get_field(term.name).null for term in terms[1:]):
            # Only the first column may be empty: a later one would need a query per run of empty values.
            raise ValidationError(
                {"ordering": [ErrorDetail("Cursor paging cannot follow this ordering.", code="not_indexed")]}
            )
        position = self.decode_cursor(raw, terms, queryset.model) if raw else None
        walk = [term.reversed() for term in terms] if position and position.backwards else terms
        nulls_order_largest = connections[queryset.db].features.nulls_order_largest
        keyed = _keys_after(queryset, walk, position.values if position else None, self.limit + 1, nulls_order_largest)
        more = len(keyed) > self.limit
        keyed = keyed[: self.limit]
        if position and position.backwards:
            keyed.reverse()
            before, after = more, True
        else:
            before, after = position is not None, more
        first = keyed[0][1] if keyed else position.values if position else None
        last = keyed[-1][1] if keyed else position.values if position else None
        self.previous_cursor = self.encode_cursor(terms, queryset.model, first, backwards=True) if before else None
        self.next_cursor = self.encode_cursor(terms, queryset.model, last, backwards=False) if after else None
        if not keyed:
            return []
        rows = queryset if rows is None else rows
        by_key = rows if by_key is None else by_key
        return rows_by_keys(cast(QuerySet, by_key), [key for key, _ in keyed])

    def check_ordering(self, request: Request, view: APIView | None) -> None:
        """A 400 naming ``ordering`` unless cursor paging may follow the one asked for."""
        for name, orderings in _cursor_orderings(view):
            asked = request.query_params.get(name)
            if asked is not None and asked not in orderings:
                followed = ", ".join(orderings) or "only the default one"
                message = f"Cursor paging follows an index of these orderings only: {followed}; not {asked[:60]!r}."
                raise ValidationError({name: [ErrorDetail(message, code="not_indexed")]})

    def encode_cursor(self, terms: list[Term], model: type[Model], values: Any, *, backwards: bool) -> str:
        payload = {
            "v": CURSOR_VERSION,
            "m": model._meta.label_lower,
            "o": ",".join(map(str, terms)),
            "k": [_encode_value(value) for value in values],
            "b": backwards,
        }
        return signing.dumps(payload, salt=CURSOR_SALT, compress=False)

    def decode_cursor(self, raw: str, terms: list[Term], model: type[Model]) -> Position:
        """The position ``raw`` points at; a 400 naming ``cursor`` unless this list gave it, for
        this ordering."""
        try:
            payload = signing.loads(raw, salt=CURSOR_SALT)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise self.invalid_cursor("Not a cursor this list gave: follow `next` or `previous`.") from None
        if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION:
            raise self.invalid_cursor("This cursor is of an older format.")
        if payload.get("m") != model._meta.label_lower or payload.get("o") != ",".join(map(str, terms)):
            raise self.invalid_cursor("This cursor is of another list or ordering.")
        raw_values = payload.get("k")
        if not isinstance(raw_values, list) or len(raw_values) != len(terms):
            raise self.invalid_cursor("This cursor is malformed.")
        values = []
        for term, value in zip(terms, raw_values, strict=True):
            field = cast(Field, model._meta.get_field(term.name))  # a column: ordering_terms checked
            try:
                values.append(None if value is None else field.to_python(value))
            except (DjangoValidationError, TypeError, ValueError):
                raise self.invalid_cursor("This cursor is malformed.") from None
        return Position(tuple(values), backwards=payload.get("b") is True)

    def invalid_cursor(self, problem: str) -> ValidationError:
        return ValidationError(
            {
                self.cursor_query_param: [
                    ErrorDetail(f"{problem} Start again with an empty cursor (`?cursor=`).", code="invalid_cursor")
                ]
            }
        )

    def get_paginated_response(self, data: Any) -> Response:
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        url = remove_query_param(cast(Request, self.request).build_absolute_uri(), self.offset_query_param)
        links = {
            "next": self.next_cursor,
            "previous": self.previous_cursor,
        }
        return Response(
            {
                "count": None,
                **{
                    key: None if cursor is None else replace_query_param(url, self.cursor_query_param, cursor)
                    for key, cursor in links.items()
                },
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"].update(
            nullable=True,
            description="How many records match, with limit/offset paging; `null` with cursor paging, "
            "which counts nothing.",
        )
        return response

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        followed = "".join(
            f" With `{name}`, it follows {', '.join(f'`{value}`' for value in values) or 'none'}"
            f" (any other is a 400); without, the default ordering."
            for name, values in _cursor_orderings(view)
        )
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Cursor paging, for infinite scroll: empty (`?cursor=`) for the first page, then "
                "the page `next` or `previous` links to (their cursor is opaque). Rows created or deleted "
                "meanwhile shift no page, and `count` is `null`: nothing is counted. Not with `offset`; "
                "`limit` as with offset paging." + followed + " A cursor this list did not give, or gave for "
                "another ordering, is a 400 naming `cursor`.",
                # Signed base64url JSON (django.core.signing), or nothing.
                "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            }
        )
        return parameters


def _cursor_orderings(view: APIView | None) -> list[tuple[str, tuple[str, ...]]]:
    """The ordering parameters of ``view``'s FilterSet (framework.api.filters.OrderingFilter) and
    the values of each that cursor paging follows."""
    filterset_class = getattr(view, "filterset_class", None)
    filters = filterset_class.base_filters.items() if filterset_class is not None else ()
    return [(name, filter_.cursor_orderings) for name, filter_ in filters if hasattr(filter_, "cursor_orderings")]


def _keys_after(
    queryset: QuerySet, terms: list[Term], values: tuple[Any, ...] | None, limit: int, nulls_order_largest: bool
) -> list[tuple[Any, tuple[Any, ...]]]:
    """Up to ``limit`` rows of ``queryset`` in the order of ``terms``, after the row with
    ``values`` (from the start without), as (key, the values of ``terms``). Where the first term
    may be empty, the rows with a value and those without are read in a query each, the second
    only when the first falls short: each then follows the index from the position, where an OR
    of the two would make the database read from the start."""
    first = terms[0]
    if queryset.model._meta.get_field(first.name).null:
        with_value, without = Q(**{f"{first.name}__isnull": False}), Q(**{f"{first.name}__isnull": True})
        parts = [with_value, without] if first.nulls_after(nulls_order_largest) else [without, with_value]
        here = parts.index(without if values is not None and values[0] is None else with_value)
    else:
        parts, here = [Q()], 0
    if values is not None:
        # The part the position is in, from after the position; the parts before it are passed.
        parts = [parts[here] & _after(terms, values), *parts[here + 1 :]]
    names = [term.name for term in terms]
    ordered = queryset.order_by(*(term.order_by() for term in terms))
    found: list[tuple[Any, tuple[Any, ...]]] = []
    for condition in parts:
        found += [(row[-1], tuple(row)) for row in ordered.filter(condition).values_list(*names)[: limit - len(found)]]
        if len(found) >= limit:
            break
    return found


def _after(terms: list[Term], values: tuple[Any, ...]) -> Q:
    """Rows after ``values`` in the order of ``terms``, among those whose first term is empty
    exactly where ``values``'s is (only the first term may be empty), the first term bounded as
    an index reads it."""
    if None not in values and len({term.descending for term in terms}) == 1:
        # One direction: a row comparison, which the index of the ordering reads from the position
        # on, ties on the first term included.
        after = TupleLessThan if terms[0].descending else TupleGreaterThan
        return Q(after(Tuple(*(F(term.name) for term in terms)), list(values)))
    condition: Q | None = None
    equal = Q()
    for term, value in zip(terms, values, strict=True):
        if value is None:
            equal &= Q(**{f"{term.name}__isnull": True})
            continue
        step = equal & Q(**{f"{term.name}__{'lt' if term.descending else 'gt'}": value})
        condition = step if condition is None else condition | step
        equal &= Q(**{term.name: value})
    # The last term, the id, has a value: there is a condition.
    condition = cast(Q, condition)
    if values[0] is None:
        return condition
    return Q(**{f"{terms[0].name}__{'lte' if terms[0].descending else 'gte'}": values[0]}) & condition


def rows_by_keys(rows: QuerySet, keys: Sequence[Any]) -> list:
    """The rows of ``rows`` with ``keys``, in that order."""
    name = rows.model._meta.pk.name
    found = {row[name] if isinstance(row, dict) else row.pk: row for row in rows.filter(pk__in=keys).order_by()}
    return [found[key] for key in keys if key in found]


def cached_count(queryset: QuerySet) -> int:
    """``queryset.count()``, kept for ``LIST_COUNT_CACHE_SECONDS`` (framework.caching.kept): a change
    to any record makes it stale at once; what changes without a write (an embargo ending) shows
    within the seconds it is kept."""
    return kept(
        "list-count",
        lambda: query_stamp(queryset),
        queryset.count,
        seconds=settings.LIST_COUNT_CACHE_SECONDS,
    )
