"""The filter base every collection's FilterSet extends, and the strict query-parameter check."""

import datetime
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django_filters.constants import EMPTY_VALUES
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from framework.names import search_key

if TYPE_CHECKING:
    ViewBase = GenericAPIView
else:
    ViewBase = object


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time taken to UTC: the offset a client gives is applied here, as PostgreSQL
    takes none beyond ±15:59, and a time that leaves the years 1 to 9999 in UTC is a 400."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "Out of range: in UTC it is before year 1 or after 9999.", code="out_of_range"
            ) from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose parameters are exactly its filters: the view refuses any other. Every
    collection takes ``updated_since``, so a client can fetch only what changed since its last
    pull (``/api/deletions/`` tells what was deleted)."""

    updated_since = IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Records changed at or after this time (ISO 8601; UTC unless an offset is given). "
        "Sort by `updated_at` to pull changes in order.",
    )

    @classmethod
    def parameter_names(cls) -> set[str]:
        return set(cls.base_filters)

    def get_form_class(self) -> type[forms.Form]:
        # Only text may be empty: `?updated_since=` or `?delegation=` is malformed, and a 400
        # naming it beats a filter silently left out (django-filter skips empty values).
        typed = [name for name, filter_ in self.filters.items() if not isinstance(filter_.field, forms.CharField)]
        # django-filter takes `?ordering=title,` as ordering by "" too, which the query cannot do.
        orderings = [name for name, filter_ in self.filters.items() if isinstance(filter_, OrderingFilter)]
        form_class = super().get_form_class()

        class Form(form_class):  # type: ignore[misc, valid-type]  # a class made at run time
            def clean(self) -> dict:
                cleaned = super().clean()
                for name in typed:
                    # A choice of several says itself that "" is not one of them.
                    if self.data.get(name) == "" and name not in self.errors:
                        self.add_error(
                            name, forms.ValidationError("Give a value, or leave the parameter out.", code="empty")
                        )
                for name in orderings:
                    if "" in (self.data.get(name) or "x").split(",") and name not in self.errors:
                        self.add_error(
                            name,
                            forms.ValidationError(
                                "Give field names separated by commas, e.g. -updated_at,id.", code="invalid_field_list"
                            ),
                        )
                return cleaned

        return Form

    @classmethod
    def multi_value_parameters(cls) -> set[str]:
        return {
            name
            for name, filter_ in cls.base_filters.items()
            if isinstance(filter_, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter)
        }


def check_query_parameters(view: APIView, request: Request, *, allowed: set[str], multi_valued: set[str]) -> None:
    """A 400 naming each parameter of ``request`` that is unknown, or given more than once where
    one value is meant, instead of silently ignoring it. A method ``view`` does not take is left
    to its 405: which parameters are allowed depends on the method."""
    method = cast(str, request.method).lower()  # set on every request a view handles
    if method not in view.http_method_names or not hasattr(view, method):
        return
    query_params = request.query_params
    errors: dict[str, list[ErrorDetail]] = {}
    for name in query_params:
        if name not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            errors[name] = [ErrorDetail(f"Unknown query parameter. Allowed here: {listed}.", code="unknown_parameter")]
        elif name not in multi_valued and len(query_params.getlist(name)) > 1:
            errors[name] = [ErrorDetail("Give this parameter once.", code="repeated_parameter")]
    if errors:
        raise ValidationError(errors)


class StrictParametersMixin(ViewBase):
    """For views that take a FilterSet but are not collections (statistics, OCDS packages): the
    FilterSet's parameters, ``extra_parameters`` and, when paginated, ``limit``/``offset``; any
    other (or a single-valued one repeated) is a 400 naming it."""

    filterset_class: type[FilterSet]
    extra_parameters: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        allowed = self.filterset_class.parameter_names() | self.extra_parameters
        if self.pagination_class is not None:
            allowed |= {"limit", "offset"}
        check_query_parameters(
            self, request, allowed=allowed, multi_valued=self.filterset_class.multi_value_parameters()
        )


MAX_SEARCH_WORDS = 10


def filter_search(
    queryset: QuerySet, fields: tuple[str, ...], value: str, pinyin_fields: tuple[str, ...] = ()
) -> QuerySet:
    """Rows where every word of ``value`` occurs (case-insensitively) in one of ``fields``, or
    its search key (pinyin, no tones, see ``framework.names``) in one of ``pinyin_fields``. A
    field across a to-many relation (``aliases__name``, ``line_items__product``) is looked up in
    an ``EXISTS`` subquery: a row is found once however many related rows match."""
    model = queryset.model
    for term in value.split():
        key = search_key(term) if pinyin_fields else ""
        lookups = [(field, Q(**{f"{field}__icontains": term})) for field in fields]
        lookups += [(field, Q(**{f"{field}__contains": key})) for field in pinyin_fields if key]
        condition = Q()
        across: dict[tuple[str, ...], Q] = {}
        for field, lookup in lookups:
            relation = _to_many_prefix(model, field)
            if relation is None:
                condition |= lookup
            else:
                across[relation] = across.get(relation, Q()) | lookup
        for relation, lookups_across in across.items():
            condition |= _exists(model, relation, lookups_across)
        queryset = queryset.filter(condition)
    return queryset


def _to_many_prefix(model: type[Model], path: str) -> tuple[str, ...] | None:
    """The parts of ``path`` up to and including its first to-many relation, or ``None`` if it
    crosses none."""
    parts = path.split("__")
    opts = model._meta
    for index, part in enumerate(parts[:-1]):
        field = opts.get_field(part)
        if field.many_to_many or field.one_to_many:
            return tuple(parts[: index + 1])
        if field.related_model is None:
            return None
        opts = field.related_model._meta
    return None


def _exists(model: type[Model], relation: tuple[str, ...], condition: Q) -> Exists:
    """``condition`` (lookups from ``model``, through ``relation``) as an ``EXISTS`` over the
    related rows: for a reverse foreign key, over the related table alone, by its key."""
    *prefix, name = relation
    opts = model._meta
    for part in prefix:
        opts = opts.get_field(part).related_model._meta  # type: ignore[union-attr]  # to-one relations
    field = opts.get_field(name)
    if field.one_to_many and not field.many_to_many:
        remote = field.remote_field.name  # type: ignore[union-attr]  # a reverse relation's foreign key
        related = cast(type[Model], field.related_model)
        outer = OuterRef("__".join(prefix)) if prefix else OuterRef("pk")
        return Exists(related._base_manager.filter(Q(**{remote: outer}), _relative(condition, len(relation))))
    return Exists(model._base_manager.filter(condition, pk=OuterRef("pk")))


def _relative(condition: Q, depth: int) -> Q:
    """``condition``'s lookups with their first ``depth`` path parts taken off."""
    relative = Q()
    relative.connector = condition.connector
    relative.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            relative.children.append(_relative(child, depth))
        else:
            lookup, value = cast(tuple[str, Any], child)
            relative.children.append(("__".join(lookup.split("__")[depth:]), value))
    return relative


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within the column's range (anything else is a 400 naming the parameter)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        # max_value bounds it already: django-filter's own limit (1e50) would add a second, wrong error.
        return None


class DecimalFilter(django_filters.NumberFilter):
    """A decimal of at most ``max_digits`` digits, ``decimal_places`` of them after the point
    (anything else is a 400 naming the parameter)."""

    def get_max_validator(self) -> None:
        # max_digits bounds it already: django-filter's own limit (1e50) would add a second error.
        return None


class IdFilter(IntegerFilter):
    """A record id: a whole number from 1 to 2^63−1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class SearchField(forms.CharField):
    """At most 200 characters in at most ten words."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and len(value.split()) > MAX_SEARCH_WORDS:
            raise forms.ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words.", code="too_many_words")


class SearchFilter(django_filters.CharFilter):
    """Words that must all occur, case-insensitively, in one of ``fields`` each."""

    field_class = SearchField

    def __init__(self, *, fields: tuple[str, ...], pinyin_fields: tuple[str, ...] = (), **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.search_fields = fields
        self.pinyin_fields = pinyin_fields

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if value in EMPTY_VALUES:
            return queryset
        return filter_search(queryset, self.search_fields, value, self.pinyin_fields)


class OrderingFilter(django_filters.OrderingFilter):
    """``ordering`` over an explicit list of fields (``-`` for descending; comma-separated for
    several); ties are broken by id so pages never overlap. The fields in ``nulls_last`` (those
    that may be unknown) put their empty values last, ascending or descending, on every database.
    Cursor paging (framework.api.pagination.CursorPagination) follows the orderings in
    ``cursor_orderings`` (values of the parameter, e.g. ``-value_usd``): those an index serves."""

    def __init__(
        self, *args: Any, nulls_last: tuple[str, ...] = (), cursor_orderings: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        self.nulls_last = frozenset(nulls_last)
        self.cursor_orderings = cursor_orderings
        super().__init__(*args, **kwargs)

    def filter(self, queryset: QuerySet, value: Any) -> QuerySet:
        if value in EMPTY_VALUES:
            return queryset
        ordering = [self.get_ordering_value(param) for param in value]
        if not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            ordering.append("id")
        return queryset.order_by(*(self._ordered(field) for field in ordering))

    def _ordered(self, field: str) -> str | OrderBy:
        name = field.lstrip("-")
        if name not in self.nulls_last:
            return field
        return F(name).desc(nulls_last=True) if field.startswith("-") else F(name).asc(nulls_last=True)


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error rather than "no filter"."""

    values = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value: Any) -> bool | None:
        if value in EMPTY_VALUES:
            return None
        try:
            return self.values[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Must be true or false.", code="invalid_boolean") from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField
