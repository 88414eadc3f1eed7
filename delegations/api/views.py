"""Endpoints for delegations, enterprises, participations, settlements and activities."""

from delegations import selectors
from delegations.api.serializers import (
    DelegationSerializer,
    EnterpriseSerializer,
    ParticipationSerializer,
    PromotionalActivitySerializer,
    SettlementSerializer,
)
from delegations.filtersets import (
    DelegationFilterSet,
    EnterpriseFilterSet,
    ParticipationFilterSet,
    PromotionalActivityFilterSet,
    SettlementFilterSet,
)
from expo.api.bulk import BulkWriteMixin, bulk_schema
from expo.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="delegations", singular="delegation", plural="delegations")
class DelegationViewSet(ModelViewSet):
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet

    def selector(self):
        return selectors.delegation_list()


@collection_schema(
    tag="enterprises",
    singular="enterprise",
    plural="enterprises",
    bulk=bulk_schema(tag="enterprises", singular="enterprise", plural="enterprises"),
)
class EnterpriseViewSet(BulkWriteMixin, ModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def selector(self):
        return selectors.enterprise_list()


@collection_schema(tag="delegations", singular="participation", plural="participations")
class ParticipationViewSet(ModelViewSet):
    editor_writable = True
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet

    def selector(self):
        return selectors.participation_list()


@collection_schema(tag="settlements", singular="settlement", plural="settlements")
class SettlementViewSet(ModelViewSet):
    editor_writable = True
    serializer_class = SettlementSerializer
    filterset_class = SettlementFilterSet

    def selector(self):
        return selectors.settlement_list()


@collection_schema(tag="activities", singular="promotional activity", plural="promotional activities")
class PromotionalActivityViewSet(ModelViewSet):
    editor_writable = True
    serializer_class = PromotionalActivitySerializer
    filterset_class = PromotionalActivityFilterSet

    def selector(self):
        return selectors.activity_list()
