"""Endpoints for delegations, enterprises, participations, settlements and activities."""

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
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from framework.api.bulk import BulkWriteMixin, bulk_schema
from framework.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="delegations", singular="delegation", plural="delegations")
class DelegationViewSet(ModelViewSet):
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet
    queryset = Delegation.objects.all()


@collection_schema(
    tag="enterprises",
    singular="enterprise",
    plural="enterprises",
    bulk=bulk_schema(tag="enterprises", singular="enterprise", plural="enterprises"),
)
class EnterpriseViewSet(BulkWriteMixin, ModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    queryset = Enterprise.objects.all()


@collection_schema(tag="delegations", singular="participation", plural="participations")
class ParticipationViewSet(ModelViewSet):
    serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet
    queryset = Participation.objects.all()


@collection_schema(tag="settlements", singular="settlement", plural="settlements")
class SettlementViewSet(ModelViewSet):
    serializer_class = SettlementSerializer
    filterset_class = SettlementFilterSet
    queryset = Settlement.objects.all()


@collection_schema(tag="activities", singular="promotional activity", plural="promotional activities")
class PromotionalActivityViewSet(ModelViewSet):
    serializer_class = PromotionalActivitySerializer
    filterset_class = PromotionalActivityFilterSet
    queryset = PromotionalActivity.objects.all()
