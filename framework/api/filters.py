"""The filter base every collection's FilterSet extends, and the strict query-parameter check."""

import datetime
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.db.models import F, Model, Q, QuerySet
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
    field across a relation (``buyer__name``, ``aliases__name``, ``line_items__product``) is
    looked up in the related table itself, once per word and relation: a row is found once
    however many related rows match (see :func:`search_keys` for the query's shape)."""
    for term in value.split():
        key = search_key(term) if pinyin_fields else ""
        lookups = [(field, "icontains", term) for field in fields]
        lookups += [(field, "contains", key) for field in pinyin_fields if key]
        queryset = queryset.filter(pk__in=search_keys(queryset.model, lookups))
    return queryset


# A lookup of a search: a field's path from the model, the lookup's name and its value.
Lookup = tuple[str, str, Any]


def search_keys(model: type[Model], lookups: list[Lookup], column: str = "pk") -> QuerySet:
    """The ``column`` values of the rows of ``model`` for which any of ``lookups`` holds, as a
    subquery: the union of the rows found by the model's own columns (ORed, one trigram index on
    PostgreSQL) and, for each relation looked through, the rows it leads to (``buyer_id IN (the
    enterprises found)``, by the foreign key's index; ``deal_id`` of the line items found), the
    related table's lookups grouped the same way in turn. Every table is so read by its own
    indexes, and each word is one semi-join whose size the planner estimates from the tables'
    statistics; an OR across the joined tables could only be checked row by row of a full scan."""
    rows = model._base_manager.order_by()
    own = Q()
    across: dict[str, list[Lookup]] = {}
    for path, lookup, value in lookups:
        name, _, rest = path.partition("__")
        if rest:
            across.setdefault(name, []).append((rest, lookup, value))
        else:
            own |= Q(**{f"{name}__{lookup}": value})
    parts = [rows.filter(own).values(column)] if own else []
    for name, related_lookups in across.items():
        field = cast(Any, model._meta.get_field(name))
        related = cast(type[Model], field.related_model)
        if field.many_to_one or (field.one_to_one and field.concrete):
            found = search_keys(related, related_lookups, field.target_field.attname)
            parts.append(rows.filter(**{f"{field.attname}__in": found}).values(column))
        elif field.one_to_many or field.one_to_one:
            remote = field.field  # the related model's foreign key
            found = search_keys(related, related_lookups, remote.attname)
            if column in ("pk", remote.target_field.attname):
                parts.append(found)
            else:
                parts.append(rows.filter(**{f"{remote.target_field.attname}__in": found}).values(column))
        else:  # many-to-many: through the join
            matched = Q()
            for path, lookup, value in related_lookups:
                matched |= Q(**{f"{name}__{path}__{lookup}": value})
            parts.append(rows.filter(matched).values(column))
    first, *others = parts
    return first.union(*others, all=True) if others else first


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
