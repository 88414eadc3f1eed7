"""Endpoints for deals, markets, categories and exchange rates."""

from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from deals import selectors, services
from deals.api.examples import BULK_DEAL_EXAMPLES, DEAL_EXAMPLES
from deals.api.serializers import (
    CancelSerializer,
    CategorySerializer,
    DealHistoryEntrySerializer,
    DealSerializer,
    ExchangeRateSerializer,
    MarketSerializer,
    SignSerializer,
)
from deals.filtersets import CategoryFilterSet, DealFilterSet, ExchangeRateFilterSet, MarketFilterSet
from deals.models import Category, Deal, ExchangeRate, Market
from framework.api.bulk import BulkWriteMixin, bulk_schema
from framework.api.pagination import CursorPagination, LimitOffsetPagination
from framework.api.permissions import ReadsHistory, RolePermission
from framework.api.viewsets import ModelViewSet, collection_schema

DEAL_WRITE_DESCRIPTION = (
    "Related records are given by id. `value` is `null` where no source gives it: the deal then has no USD "
    "value. `value_usd` is the `stated_value_usd` where the source states one (`usd_rate_source` `stated`), "
    "else computed from the exchange rate of the signing date (or, unsigned, the edition's last day), or the "
    "latest rate before it (`table`); USD needs no rate. A missing rate is a 400 on `currency` that names the "
    "currency and date."
)


@collection_schema(
    tag="deals",
    singular="deal",
    plural="deals",
    list=extend_schema(tags=["deals"], summary="List deals", examples=DEAL_EXAMPLES),
    retrieve=extend_schema(tags=["deals"], summary="Get a deal", examples=DEAL_EXAMPLES),
    create=extend_schema(
        tags=["deals"], summary="Create a deal", description=DEAL_WRITE_DESCRIPTION, examples=DEAL_EXAMPLES
    ),
    update=extend_schema(
        tags=["deals"], summary="Replace a deal", description=DEAL_WRITE_DESCRIPTION, examples=DEAL_EXAMPLES
    ),
    partial_update=extend_schema(
        tags=["deals"],
        summary="Update fields of a deal",
        description="Only the fields sent change. " + DEAL_WRITE_DESCRIPTION,
        examples=DEAL_EXAMPLES,
    ),
    bulk=bulk_schema(tag="deals", singular="deal", plural="deals", examples=BULK_DEAL_EXAMPLES),
)
class DealViewSet(BulkWriteMixin, ModelViewSet):
    serializer_class = DealSerializer
    filterset_class = DealFilterSet
    pagination_class = CursorPagination
    conflict_actions = ("sign", "execute", "cancel")
    paginated_actions = ("history",)
    queryset = Deal.objects.all()
    # A bulk write's new deals are checked one by one and written together (services.DealBatch).
    bulk_defers_creates = True
    batch: services.DealBatch | None = None

    def bulk_begin(self) -> None:
        self.batch = services.DealBatch(user=cast(User, self.request.user))

    def bulk_flush(self) -> None:
        if self.batch is not None:
            self.batch.save()

    # The services decide scope and rules; the serializer has checked the request's shape.
    def perform_create(self, serializer: BaseSerializer) -> None:
        arguments = cast(DealSerializer, serializer).service_arguments()
        serializer.instance = services.deal_create(
            **arguments["fields"],
            user=cast(User, self.request.user),
            markets=arguments["markets"],
            line_items=arguments["line_items"],
            batch=self.batch,
        )
        self.reread(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        arguments = cast(DealSerializer, serializer).service_arguments()
        services.deal_update(
            deal=cast(Deal, serializer.instance),
            changes=arguments["fields"],
            user=cast(User, self.request.user),
            markets=arguments["markets"],
            line_items=arguments["line_items"],
        )
        self.reread(serializer)

    def transition(self, request, move, payload_serializer=None) -> Response:
        """Run a stage move on the locked deal and answer with the deal as it now is."""
        arguments = {}
        if payload_serializer is not None:
            payload = payload_serializer(data=request.data)
            payload.is_valid(raise_exception=True)
            arguments = payload.validated_data
        with transaction.atomic():
            deal = self.get_object()
            move(deal=deal, user=request.user, **arguments)
        self.rendered_instance = self.planned(self.selector()).get(pk=deal.pk)
        return Response(DealSerializer(self.rendered_instance, context=self.get_serializer_context()).data)

    @extend_schema(
        tags=["deals"],
        summary="Sign a deal",
        description="An intention becomes signed on `signed_on`, and is revalued in USD at that date. "
        "Any other stage answers 409.",
        request=SignSerializer,
        responses={200: DealSerializer},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None) -> Response:
        return self.transition(request, services.deal_sign, SignSerializer)

    @extend_schema(
        tags=["deals"],
        summary="Execute a deal",
        description="A signed deal becomes executed. Any other stage answers 409.",
        request=None,
        responses={200: DealSerializer},
    )
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None) -> Response:
        return self.transition(request, services.deal_execute)

    @extend_schema(
        tags=["deals"],
        summary="Cancel a deal",
        description="An intention or a signed deal becomes cancelled, with the reason. Any other stage answers 409.",
        request=CancelSerializer,
        responses={200: DealSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        return self.transition(request, services.deal_cancel, CancelSerializer)

    @extend_schema(
        tags=["deals"],
        summary="List a deal's history",
        description="Every change to the deal, newest first: who, when, what kind, why, and the fields changed. "
        "For analysts, delegation editors and admins.",
        responses={200: DealHistoryEntrySerializer(many=True)},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        serializer_class=DealHistoryEntrySerializer,
        permission_classes=[RolePermission, ReadsHistory],
        pagination_class=LimitOffsetPagination,
    )
    def history(self, request, pk=None) -> Response:
        entries = selectors.deal_history(deal=self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(DealHistoryEntrySerializer(page, many=True).data)


@collection_schema(tag="reference", singular="market", plural="markets")
class MarketViewSet(ModelViewSet):
    serializer_class = MarketSerializer
    filterset_class = MarketFilterSet
    queryset = Market.objects.all()


@collection_schema(tag="reference", singular="category", plural="categories")
class CategoryViewSet(ModelViewSet):
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    queryset = Category.objects.all()


@collection_schema(tag="reference", singular="exchange rate", plural="exchange rates")
class ExchangeRateViewSet(ModelViewSet):
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet
    queryset = ExchangeRate.objects.all()
