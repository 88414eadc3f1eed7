"""Endpoints for delegations, enterprises, participations, settlements and activities."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from delegations import merging
from delegations.api.serializers import (
    DelegationSerializer,
    EnterpriseSerializer,
    MergeRequestSerializer,
    MergeSerializer,
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
from framework import access
from framework.api.bulk import BulkWriteMixin, bulk_schema
from framework.api.viewsets import ModelViewSet, collection_schema


class AdminsOnly(BasePermission):
    """Merges change the deals of every delegation that dealt with an enterprise: for admins only."""

    message = "Only admins merge enterprises and undo merges."

    def has_permission(self, request: Request, view: object) -> bool:
        return access.role_of(request.user) is access.Role.ADMIN


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

    @extend_schema(
        tags=["enterprises"],
        summary="Merge an enterprise into another",
        description="The enterprise `{id}` is a duplicate of the enterprise `into`, the survivor: every record that "
        "refers to it (deals as buyer or seller, participations, settlements, and any other relation to "
        "enterprises) is changed to refer to the survivor, its names and aliases become the survivor's aliases, "
        "and it is deleted, in one transaction. Each record changed has a history entry naming you and the "
        "`reason`. The deletion feed lists it as `merged` with the survivor's id. A 409 names every record "
        "whose rules the merge would break (a deal whose buyer and seller would be the same, two settlements of "
        "one participation); nothing is merged then. Undo it with `POST /api/enterprises/{id}/unmerge/`. "
        "For admins.",
        request=MergeRequestSerializer,
        responses={200: MergeSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[AdminsOnly])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        payload = MergeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with transaction.atomic():
            merge = merging.enterprise_merge(
                merged=self.get_object(),
                survivor=payload.validated_data["into"],
                user=request.user,
                reason=payload.validated_data["reason"],
            )
        return Response(MergeSerializer(merge).data)

    @extend_schema(
        tags=["enterprises"],
        summary="Undo the merge of an enterprise",
        description="`{id}` is the id of an enterprise merged into another (the deletion feed's `record_id` of "
        "its `merged` entry). The merge is undone exactly: the enterprise is back with its id and every field, "
        "its aliases are back, every record the merge changed refers to it again and the survivor loses the "
        "aliases it gained. The enterprise is listed as changed (`updated_at` is the time of the undo) and its "
        "`merged` entry leaves the deletion feed. A 404 when the enterprise is not merged; a 409 naming what "
        "stands in the way when a record the merge changed has changed since, or the survivor is gone. "
        "For admins.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The merged enterprise's id.")],
        request=None,
        responses={200: MergeSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[AdminsOnly])
    def unmerge(self, request: Request, pk: str | None = None) -> Response:
        merge = merging.standing_merge(int(pk)) if pk is not None and pk.isdigit() and int(pk) < 2**63 else None
        if merge is None:
            raise NotFound("No enterprise with this id is merged into another.")
        return Response(MergeSerializer(merging.enterprise_unmerge(merge=merge, user=request.user)).data)


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
