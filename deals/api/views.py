"""Endpoints for deals, markets, categories and exchange rates."""

from drf_spectacular.utils import extend_schema

from deals import selectors, services
from deals.api.examples import DEAL_EXAMPLES
from deals.api.serializers import CategorySerializer, DealSerializer, ExchangeRateSerializer, MarketSerializer
from deals.filtersets import CategoryFilterSet, DealFilterSet, ExchangeRateFilterSet, MarketFilterSet
from expo.api.viewsets import ModelViewSet, collection_schema

DEAL_WRITE_DESCRIPTION = (
    "Related records are given by id. `value_usd` is computed from the exchange rate of the signing date "
    "(or, unsigned, the edition's last day), or the latest rate before it; USD needs no rate. A missing rate "
    "is a 400 that names the currency and date."
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
)
class DealViewSet(ModelViewSet):
    serializer_class = DealSerializer
    filterset_class = DealFilterSet

    def get_queryset(self):
        return selectors.deal_list(user=self.request.user)

    def perform_create(self, serializer: DealSerializer) -> None:
        arguments = serializer.service_arguments()
        serializer.instance = services.deal_create(
            **arguments["fields"], markets=arguments["markets"], line_items=arguments["line_items"]
        )
        self.reread(serializer)

    def perform_update(self, serializer: DealSerializer) -> None:
        arguments = serializer.service_arguments()
        services.deal_update(
            deal=serializer.instance,
            changes=arguments["fields"],
            markets=arguments["markets"],
            line_items=arguments["line_items"],
        )
        self.reread(serializer)


@collection_schema(tag="reference", singular="market", plural="markets")
class MarketViewSet(ModelViewSet):
    serializer_class = MarketSerializer
    filterset_class = MarketFilterSet

    def get_queryset(self):
        return selectors.market_list()

    def perform_destroy(self, instance) -> None:
        services.market_delete(market=instance)


@collection_schema(tag="reference", singular="category", plural="categories")
class CategoryViewSet(ModelViewSet):
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet

    def get_queryset(self):
        return selectors.category_list()


@collection_schema(tag="reference", singular="exchange rate", plural="exchange rates")
class ExchangeRateViewSet(ModelViewSet):
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet

    def get_queryset(self):
        return selectors.exchange_rate_list()
