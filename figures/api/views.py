"""Endpoints for reported figures, their statements and their reconciliation with the records."""

from typing import cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from deals.api.stats import CIIE_6, QINGPU
from figures import reconciliation, selectors
from figures.api.serializers import FigureStatementSerializer, ReconciliationSerializer, ReportedFigureSerializer
from figures.filtersets import FigureStatementFilterSet, ReportedFigureFilterSet
from figures.models import FigureStatement, ReportedFigure
from framework import access
from framework.api.bulk import BulkWriteMixin, bulk_schema
from framework.api.filters import StrictParametersMixin
from framework.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="sources", singular="reported figure", plural="reported figures")
class ReportedFigureViewSet(ModelViewSet):
    serializer_class = ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet
    queryset = ReportedFigure.objects.all()


@collection_schema(
    tag="sources",
    singular="figure statement",
    plural="figure statements",
    bulk=bulk_schema(tag="sources", singular="figure statement", plural="figure statements"),
)
class FigureStatementViewSet(BulkWriteMixin, ModelViewSet):
    serializer_class = FigureStatementSerializer
    filterset_class = FigureStatementFilterSet
    queryset = FigureStatement.objects.all()


STATEMENT_EXAMPLE = {
    "id": 1,
    "source": 1,
    "source_title": "Procurement, cultural exchanges and opening-up thanks to CIIE",
    "value": "1000000000.00",
    "qualifier": "more_than",
    "currency": "USD",
    "value_usd": "1000000000.00",
    "rank": "preferred",
    "preferred": True,
    "holds": False,
}
RECONCILIATION_EXAMPLE = OpenApiExample(
    "Qingpu's trading volume at the 6th CIIE",
    value={
        "figure": {
            "id": 1,
            "edition": CIIE_6,
            "delegation": QINGPU,
            "enterprise": None,
            "consecutive_editions": 1,
            "metric": "trading_volume",
            "description": "",
            "unit": "",
            "statements": [
                {
                    "id": 1,
                    "value": "1000000000.00",
                    "qualifier": "more_than",
                    "currency": "USD",
                    "quote": "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo, "
                    "a press conference heard on Saturday.",
                    "rank": "preferred",
                    "as_of": None,
                    "value_usd": "1000000000.00",
                    "usd_rate": "1.0000000000",
                    "usd_rate_source": "usd",
                    "source": {"id": 1, "title": "Procurement, cultural exchanges and opening-up thanks to CIIE"},
                }
            ],
            "preferred_statement": 1,
            "value": "1000000000.00",
            "qualifier": "more_than",
            "currency": "USD",
            "value_usd": "1000000000.00",
            "created_at": "2023-11-11T09:00:00Z",
            "updated_at": "2023-11-11T09:00:00Z",
        },
        "statements": [STATEMENT_EXAMPLE],
        "disagreement": False,
        "computed": "300000000.00",
        "declared": None,
        "difference": "-700000000.00",
        "holds": False,
        "unvalued_deals": 0,
        "first_orders": [],
        "basis": "USD value of the signed and executed deals (those you may read) of Qingpu District trading "
        "delegation at the 6th China International Import Expo.",
    },
    response_only=True,
)


@extend_schema(
    tags=["stats"],
    summary="Reconcile reported figures with the records",
    description=(
        "Each reported figure with every statement of it (the preferred one first, and whether the sources "
        "disagree: values that cannot all be true given their qualifiers), its preferred value beside the value "
        "computed from the records you may read, for the figure's subject (a delegation and every delegation "
        "below it, an enterprise's deals, or every delegation at an edition alone) at its run of editions (the "
        "`consecutive_editions` editions of the expo up to `edition`): trading volume = signed and executed deals "
        "in USD; intention orders = deals at the intention stage (deals with no USD value are left out and "
        "counted in `unvalued_deals`, never as zero); registered organisations = enterprises registered by name "
        "(declared numbers in `declared`); professional audience = as the participations declare; settlements by "
        "status; promotional activities; first orders of the parent = editions at which one of the deals was the "
        "first deal of the delegation above, those deals listed in `first_orders`."
    ),
    examples=[RECONCILIATION_EXAMPLE],
)
class ReconciliationView(StrictParametersMixin, generics.ListAPIView):
    serializer_class = ReconciliationSerializer
    filterset_class = ReportedFigureFilterSet

    def get_queryset(self):
        return access.scope_for_read(selectors.reported_figure_list(), self.request.user)

    def list(self, request, *args, **kwargs) -> Response:
        # A list: never None, as the view is paginated.
        figures = cast(list[ReportedFigure], self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        rows = reconciliation.figure_reconciliations(figures=figures, user=request.user)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)
