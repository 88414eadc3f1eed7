"""``/api/quality/``: the quality report (framework.quality), a page of findings at a time."""

from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from framework import quality
from framework.api.filters import check_query_parameters
from framework.api.permissions import ReadsQualityReport, RolePermission

# The checks are registered as the apps get ready: choices taken before then would miss them.
if not apps.ready:
    raise ImproperlyConfigured("framework.api.quality is imported before every app is ready.")

CODES = sorted(quality.CHECKS)
COLLECTIONS = sorted({check.collection for check in quality.CHECKS.values()})
PARAMETERS = {"code", "collection", "limit", "offset"}


def checks_help() -> str:
    """Each code, its collection and what it finds, as a Markdown list."""
    return "\n".join(f"- `{check.code}` ({check.collection}): {check.description}" for check in quality.checks())


class RecordUrlField(serializers.URLField):
    # value: the finding (source="*"), where the stubs have the URL field's own string.
    def to_representation(self, value: Any) -> str:
        return cast(Request, self.context["request"]).build_absolute_uri(cast(quality.Finding, value).api_path)


class FindingRecordSerializer(serializers.Serializer):
    collection = serializers.ChoiceField(choices=COLLECTIONS, help_text="The record's collection, e.g. `deals`.")
    id = serializers.IntegerField(source="record_id")
    # "name", as in the briefs of records embedded elsewhere.
    name = serializers.CharField(
        source="label", help_text="What the record is known by: a deal's title, a figure's value."
    )
    url = RecordUrlField(source="*", help_text="The record in the API.")


class FindingSerializer(serializers.Serializer):
    """One problem of one record, with the check that found it and a sentence saying it."""

    code = serializers.ChoiceField(choices=CODES, help_text="The check that found it (see the list above).")
    message = serializers.CharField(help_text="What is wrong, in a plain sentence.")
    record = FindingRecordSerializer(source="*")


class QualityQuerySerializer(serializers.Serializer):
    code = serializers.MultipleChoiceField(
        choices=CODES,
        required=False,
        error_messages={"invalid_choice": f'"{{input}}" is no check\'s code: choose from {", ".join(CODES)}.'},
    )
    collection = serializers.ChoiceField(
        choices=COLLECTIONS,
        required=False,
        error_messages={
            "invalid_choice": f'"{{input}}" is no collection with checks: choose from {", ".join(COLLECTIONS)}.'
        },
    )


# A finding as a page of the report lists it (the schema shows it within a page).
SEED_FINDING_EXAMPLE = OpenApiExample(
    "The seed deal without a signing date",
    value={
        "code": "signed_without_date",
        "message": "Signed deal 'Organo-silicon products procurement order' has no signing date.",
        "record": {
            "collection": "deals",
            "id": 1,
            "name": "Organo-silicon products procurement order",
            "url": "http://127.0.0.1:8000/api/deals/1/",
        },
    },
    response_only=True,
)


@extend_schema(
    tags=["quality"],
    summary="The quality report",
    description="What is missing, doubtful or inconsistent, record by record: each finding names the record, "
    "the check that found it (`code`) and says the problem in a sentence. Only records you may read are named "
    "(a delegation editor: the published ones and those of their delegations). For analysts, delegation "
    "editors and admins. Findings are listed by code, then record id. The checks:\n\n" + checks_help(),
    parameters=[
        OpenApiParameter(
            "code",
            {"type": "array", "items": {"type": "string", "enum": CODES}},
            style="form",
            explode=True,
            description="Only the findings of this check; repeat for several (`code=a&code=b`).",
        ),
        OpenApiParameter(
            "collection",
            {"type": "string", "enum": COLLECTIONS},
            description="Only the findings about records of this collection.",
        ),
    ],
    examples=[SEED_FINDING_EXAMPLE],
)
class QualityReportView(generics.ListAPIView):
    serializer_class = FindingSerializer
    permission_classes = [RolePermission, ReadsQualityReport]
    # The parameters are checked here: findings are not one model's rows for django-filter to filter.
    filter_backends: list = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_query_parameters(self, request, allowed=PARAMETERS, multi_valued={"code"})

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = QualityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        findings = quality.report(
            request.user,
            codes=query.validated_data.get("code") or None,
            collection=query.validated_data.get("collection"),
        )
        page = self.paginate_queryset(findings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
