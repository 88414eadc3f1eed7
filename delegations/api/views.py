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
from expo.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="delegations", singular="delegation", plural="delegations")
class DelegationViewSet(ModelViewSet):
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet

    def get_queryset(self):
        return selectors.delegation_list()


@collection_schema(tag="enterprises", singular="enterprise", plural="enterprises")
class EnterpriseViewSet(ModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet

    def get_queryset(self):
        return selectors.enterprise_list()


@collection_schema(tag="delegations", singular="participation", plural="participations")
class ParticipationViewSet(ModelViewSet):
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet

    def get_queryset(self):
        return selectors.participation_list()


@collection_schema(tag="settlements", singular="settlement", plural="settlements")
class SettlementViewSet(ModelViewSet):
    serializer_class = SettlementSerializer
    filterset_class = SettlementFilterSet

    def get_queryset(self):
        return selectors.settlement_list()


@collection_schema(tag="activities", singular="promotional activity", plural="promotional activities")
class PromotionalActivityViewSet(ModelViewSet):
    serializer_class = PromotionalActivitySerializer
    filterset_class = PromotionalActivityFilterSet

    def get_queryset(self):
        return selectors.activity_list()
