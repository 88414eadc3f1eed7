"""Endpoints for reported figures and their reconciliation with the records."""

from typing import cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from deals.api.stats import CIIE_6, QINGPU
from figures import reconciliation, selectors
from figures.api.serializers import ReconciliationSerializer, ReportedFigureSerializer
from figures.filtersets import ReportedFigureFilterSet
from figures.models import ReportedFigure
from framework import access
from framework.api.filters import StrictParametersMixin
from framework.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="sources", singular="reported figure", plural="reported figures")
class ReportedFigureViewSet(ModelViewSet):
    serializer_class = ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet
    queryset = ReportedFigure.objects.all()


RECONCILIATION_EXAMPLE = OpenApiExample(
    "Qingpu's trading volume at the 6th CIIE",
    value={
        "figure": {
            "id": 1,
            "delegation": QINGPU,
            "edition": CIIE_6,
            "consecutive_editions": 1,
            "metric": "trading_volume",
            "qualifier": "more_than",
            "value": "1000000000.00",
            "currency": "USD",
            "unit": "",
            "quote": "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo, "
            "a press conference heard on Saturday.",
            "as_of": None,
            "source": {"id": 1, "title": "Procurement, cultural exchanges and opening-up thanks to CIIE"},
            "created_at": "2023-11-11T09:00:00Z",
            "updated_at": "2023-11-11T09:00:00Z",
        },
        "computed": "300000000.00",
        "declared": None,
        "difference": "-700000000.00",
        "holds": False,
        "basis": "USD value of the signed and executed deals (those you may read) of Qingpu District trading "
        "delegation at the 6th China International Import Expo.",
    },
    response_only=True,
)


@extend_schema(
    tags=["stats"],
    summary="Reconcile reported figures with the records",
    description=(
        "Each reported figure beside the value computed from the records you may read, for the figure's "
        "delegation and every delegation below it, at its run of editions (the `consecutive_editions` editions "
        "of the expo up to `edition`): trading volume = signed and executed deals in USD; intention orders = "
        "deals at the intention stage; registered organisations = enterprises registered by name (declared "
        "numbers in `declared`); professional audience = as the participations declare; settlements by status; "
        "promotional activities; first orders of the parent = editions at which one of the deals was the first "
        "deal of the delegation above."
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
