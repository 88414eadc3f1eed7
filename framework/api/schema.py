"""Schema generation: each operation lists the error responses it can give, all in one shape."""

from decimal import Decimal
from typing import Any, cast

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from framework.api.conditional import ETAG_PATTERN, IDEMPOTENCY_HEADER, KEY_PATTERN
from framework.api.fieldsets import expandable_fields
from framework.api.filters import DecimalFilter, IntegerFilter
from framework.api.viewsets import ModelViewSet

# Operations that take If-Match (and so can answer 412).
CONDITIONAL_METHODS = ("PUT", "PATCH", "DELETE")


class AutoSchema(StandardizedAutoSchema):
    """Adds 409 to creates, deletes and the actions a view lists in ``conflict_actions``
    (a state that refuses the request, or an idempotency key reused), 412 to the operations
    that honour ``If-Match``, ``fields``/``omit``/``expand`` to the operations that take them,
    no credentials as a choice to the reads the public may make, and to decimals sent the
    pattern of the values they take."""

    def _map_serializer_field(
        self, field: serializers.Field, direction: Direction, bypass_extensions: bool = False
    ) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        return schema

    def get_override_parameters(self) -> list:
        parameters = super().get_override_parameters() + self.conditional_headers()
        if getattr(self.view, "action", None) not in getattr(self.view, "selectable_actions", ()):
            return parameters
        # Only a collection's view sets take fields/omit/expand; their serializers have fields.
        serializer_fields = cast(serializers.Serializer, cast(ModelViewSet, self.view).get_serializer()).fields
        readable = [name for name, field in serializer_fields.items() if not field.write_only]
        parameters += [
            field_list_parameter(
                "fields", readable, "Only these fields of each record, e.g. `id,title` (comma-separated)."
            ),
            field_list_parameter("omit", readable, "Every field but these (comma-separated)."),
        ]
        expandable = expandable_fields(serializer_fields)
        if expandable:
            parameters.append(
                field_list_parameter(
                    "expand",
                    expandable,
                    "These related records whole rather than as a brief `{id, name}` (comma-separated).",
                )
            )
        return parameters

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        # A read every permission lets the public make takes a token, a session or neither.
        if (
            auths
            and {} not in auths
            and self.method in SAFE_METHODS
            and all(getattr(permission, "public_reads", False) for permission in self.view.get_permissions())
        ):
            auths.append({})
        return auths

    def conditional_headers(self) -> list[OpenApiParameter]:
        """The request headers of conditional and repeatable requests this operation honours, and
        the tags its record responses carry."""
        if not isinstance(self.view, ModelViewSet):
            return []
        action = getattr(self.view, "action", None)
        conflict_actions = getattr(self.view, "conflict_actions", ())
        headers = []
        if action == "retrieve":
            headers += [
                header(
                    "If-None-Match",
                    "A tag from an earlier `ETag`: a 304 with no body while the same request still gets it.",
                ),
                header("If-Modified-Since", "An HTTP date: a 304 with no body while the record is no newer."),
            ]
        if self.method in CONDITIONAL_METHODS or action in conflict_actions:
            headers.append(
                header(
                    "If-Match",
                    "An `ETag` of the record as last read, in any view of it: a 412 if the record itself "
                    "has changed since.",
                )
            )
        # Creates and bulk writes are done once per key (framework.api.conditional.replay_or_run).
        if action in ("create", "bulk"):
            headers.append(
                header(
                    IDEMPOTENCY_HEADER,
                    "1 to 255 visible ASCII characters: a retry with the same key gets the first answer.",
                    schema={"type": "string", "pattern": KEY_PATTERN.pattern, "minLength": 1, "maxLength": 255},
                )
            )
        if action in ("retrieve", "create", "update", "partial_update", *conflict_actions):
            codes = [201] if action == "create" else [200, 304] if action == "retrieve" else [200]
            headers += [
                header(
                    "ETag",
                    "A weak entity tag of this response's body, as rendered for the caller's role: for "
                    "If-None-Match, and for If-Match, which checks only the record's own version.",
                    response=codes,
                    schema={"type": "string", "pattern": ETAG_PATTERN.pattern},
                ),
                header("Last-Modified", "When the record last changed.", response=codes),
            ]
        return headers

    def _get_response_bodies(self, direction: Direction = "response") -> dict:
        responses = super()._get_response_bodies(direction=direction)
        if isinstance(self.view, ModelViewSet) and getattr(self.view, "action", None) == "retrieve":
            responses["304"] = self._get_response_for_code(
                OpenApiResponse(description="Not modified since the tag or date given: no body."), "304"
            )
        return responses

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        action = getattr(self.view, "action", None)
        if status_code == "409":
            return self.method in ("POST", "DELETE") or action in getattr(self.view, "conflict_actions", ())
        if status_code == "412":
            return self.method in CONDITIONAL_METHODS or action in getattr(self.view, "conflict_actions", ())
        return super()._should_add_error_response(responses, status_code)


class FilterParameterExtension(DjangoFilterExtension):
    """django-filter's parameters, as exact as the checks behind them: the bounds of our number
    filters (an id is at least 1), the longest text a text filter takes, and at least one name in
    ``ordering`` (an empty value is a 400, as for every filter but text)."""

    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict]:
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            if isinstance(filter_field, IntegerFilter):
                # A whole number, even where no model field says so (a filter of its own method).
                parameter["schema"]["type"] = "integer"
                parameter["schema"]["minimum"] = filter_field.extra["min_value"]
                parameter["schema"]["maximum"] = filter_field.extra["max_value"]
            if isinstance(filter_field, DecimalFilter):
                # At most max_digits digits, decimal_places of them after the point.
                places, digits = filter_field.extra["decimal_places"], filter_field.extra["max_digits"]
                parameter["schema"].update(
                    multipleOf=Decimal(1).scaleb(-places),
                    minimum=-(10 ** (digits - places)),
                    maximum=10 ** (digits - places),
                    exclusiveMinimum=True,
                    exclusiveMaximum=True,
                )
            if isinstance(filter_field, django_filters.CharFilter) and filter_field.extra.get("max_length"):
                parameter["schema"]["maxLength"] = filter_field.extra["max_length"]
            if isinstance(filter_field, django_filters.OrderingFilter):
                parameter["schema"]["minItems"] = 1
        return parameters


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A pattern that only values ``field`` takes match (drf-spectacular's matches "" and "-"):
    ASCII digits, at least one, no more than its whole digits (fewer where its largest value is
    all nines, 9999999999999.99) and decimal places; no sign when it takes nothing below zero,
    and no zero when its least value is its smallest step (0.01)."""
    # The API's decimals all have max_digits and decimal_places.
    places, whole = cast(int, field.decimal_places), cast(int, field.max_whole_digits)
    step = Decimal(1).scaleb(-places)
    highest = [field.max_value, *(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))]
    lowest = [field.min_value, *(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))]
    for limit in (limit for limit in highest if limit is not None and limit > 0):
        nines = len(str(int(limit)))
        if limit + step == 10**nines:
            whole = min(whole, nines)
    fraction = rf"(?:\.[0-9]{{1,{places}}})?"
    if step in lowest:
        # At most `places` digits, not all zeros: "05" and "5" for two places.
        nonzero_fraction = "|".join(
            "0" * zeros + "[1-9]" + (f"[0-9]{{0,{places - 1 - zeros}}}" if zeros < places - 1 else "")
            for zeros in range(places)
        )
        return rf"^(?:[1-9][0-9]{{0,{whole - 1}}}{fraction}|0?\.(?:{nonzero_fraction}))$"
    sign = "" if any(limit is not None and limit >= 0 for limit in lowest) else "-?"
    return rf"^{sign}[0-9]{{1,{whole}}}{fraction}$"


def field_list_parameter(name: str, choices: list[str], description: str) -> OpenApiParameter:
    """A query parameter taking a comma-separated list of ``choices``."""
    return OpenApiParameter(
        name,
        type={"type": "array", "items": {"type": "string", "enum": choices}, "minItems": 1},
        location=OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=description + " A name that cannot be chosen here is a 400 naming the parameter.",
    )


def header(
    name: str, description: str, *, response: list[int] | bool = False, schema: dict | None = None
) -> OpenApiParameter:
    """A header parameter: a string, or as ``schema`` says."""
    return OpenApiParameter(
        name, type=schema or str, location=OpenApiParameter.HEADER, description=description, response=response
    )
