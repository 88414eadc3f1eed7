"""Pagination every collection shares: ``limit``/``offset``, 50 by default, at most 1000."""

from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
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


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``limit`` (default 50) is capped at 1000 rather than refused; ``offset`` past the end
    gives an empty page; anything that is not a whole number is a 400 naming the parameter."""

    default_limit = 50
    max_limit = 1000

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
    ) -> list:
        """The page of ``queryset`` (filtered and ordered), read from ``rows`` (the same rows
        with what a response renders: joins, ``.values()``) where given. The count is taken from
        ``queryset`` alone, without the joins of what is rendered. Past the first page, the
        page's keys are read first, and the rows then fetched by key: the database skips the
        offset along an index instead of joining every row it skips."""
        rows = queryset if rows is None else rows
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset >= self.count:
            return []
        if self.offset == 0 or not isinstance(queryset, QuerySet):
            return list(rows[self.offset : self.offset + self.limit])
        # Rows given with a queryset are the same rows as a queryset.
        return page_by_keys(queryset, cast(QuerySet, rows), offset=self.offset, limit=self.limit)

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
    keys = list(queryset.values_list(name, flat=True)[offset : offset + limit])
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
