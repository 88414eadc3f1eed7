"""Endpoints for delegations, enterprises, participations, settlements and activities."""

from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from delegations import duplicates, merging, services
from delegations.api.serializers import (
    DelegationSerializer,
    DuplicateCandidateSerializer,
    DuplicateCheckSerializer,
    EnterpriseSerializer,
    MergeRequestSerializer,
    MergeSerializer,
    ParticipationSerializer,
    ProbableDuplicateErrorSerializer,
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
from framework.api.errors import Conflict
from framework.api.pagination import CursorPagination
from framework.api.viewsets import ModelViewSet, collection_schema

DUPLICATES_DESCRIPTION = (
    "Candidates are ranked by a score from 1 to 100, the sum of their reasons' weights: the same USCC (100); "
    "the same English or Chinese name once legal-form words (Co, Ltd, Inc, GmbH, 有限公司, 股份, 集团…), a "
    "place in brackets, punctuation and case are dropped (`same_name`, 80); a name that is an alias of the "
    "other (`alias`, 70); names that read the same in pinyin (`same_pinyin`, 50); a name that is the leading "
    "part of the other's, at least two Chinese characters or whole words of three letters or more "
    "(`short_name`, 40); and, with any of those, the same country (`same_country`, 10). Only the strongest "
    f"name reason counts. A score of {duplicates.THRESHOLD} or more is a probable duplicate: creating such an "
    f"enterprise answers 409 unless `distinct_from` lists it. At most {duplicates.MAX_CANDIDATES} candidates, "
    "best first, then by id."
)
CREATE_DESCRIPTION = (
    "Delegation editors and admins. An enterprise whose probable duplicates (a score of "
    f"{duplicates.THRESHOLD} or more, see `GET /api/enterprises/duplicates/`) are not all listed in "
    "`distinct_from` is not created: the 409 (code `probable_duplicate`, attr `distinct_from`) lists them in "
    "`candidates`, with their scores and reasons."
)
CHECKED_PARAMETERS = ("name", "name_zh", "uscc", "country")


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
    create=extend_schema(
        tags=["enterprises"],
        summary="Create an enterprise",
        description=CREATE_DESCRIPTION,
        responses={201: EnterpriseSerializer, 409: ProbableDuplicateErrorSerializer},
    ),
    bulk=bulk_schema(
        tag="enterprises",
        singular="enterprise",
        plural="enterprises",
        note="A new enterprise with probable duplicates not listed in its `distinct_from` is refused "
        "with the code `probable_duplicate` on `items.<index>.distinct_from`, its message naming them.",
    ),
)
class EnterpriseViewSet(BulkWriteMixin, ModelViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    pagination_class = CursorPagination
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

    def allowed_query_parameters(self) -> tuple[set[str], set[str]]:
        if self.action == "check_duplicates":
            return set(CHECKED_PARAMETERS), set()
        return super().allowed_query_parameters()

    def perform_create(self, serializer: BaseSerializer) -> None:
        arguments = cast(EnterpriseSerializer, serializer).service_arguments()
        try:
            serializer.instance = services.enterprise_create(
                user=cast(User, self.request.user),
                data=arguments["data"],
                aliases=arguments["aliases"],
                refuse_duplicates=True,
                distinct_from=arguments["distinct_from"],
            )
        except services.ProbableDuplicate as error:
            candidates = DuplicateCandidateSerializer(error.candidates, many=True).data
            detail = {"distinct_from": [ErrorDetail(error.message, error.code)]}
            raise Conflict(detail, error.code, extra={"candidates": candidates}) from error
        self.reread(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        arguments = cast(EnterpriseSerializer, serializer).service_arguments()
        services.enterprise_update(
            enterprise=cast(Enterprise, serializer.instance),
            user=cast(User, self.request.user),
            data=arguments["data"],
            aliases=arguments["aliases"],
        )
        self.reread(serializer)

    def ranked(self, subject: duplicates.Subject) -> Response:
        readable = access.scope_for_read(Enterprise.objects.all(), self.request.user)
        found = duplicates.candidates(subject, queryset=readable)
        return Response(DuplicateCandidateSerializer(found, many=True).data)

    @extend_schema(
        tags=["enterprises"],
        operation_id="enterprises_duplicates_retrieve",
        summary="List an enterprise's probable duplicates",
        description="The saved enterprises that may be the same organisation as this one. " + DUPLICATES_DESCRIPTION,
        responses={200: DuplicateCandidateSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="duplicates", url_name="duplicates", pagination_class=None)
    def duplicates(self, request: Request, pk: Any = None) -> Response:
        readable = access.scope_for_read(Enterprise.objects.prefetch_related("aliases"), request.user)
        enterprise = get_object_or_404(readable, pk=pk)
        return self.ranked(duplicates.Subject.of(enterprise))

    @extend_schema(
        tags=["enterprises"],
        operation_id="enterprises_duplicates_check",
        summary="Check a new enterprise for duplicates",
        description="The saved enterprises that may be the same organisation as one with these names, USCC "
        "and country, before it is created. At least one of `name`, `name_zh` and `uscc` (a 400 otherwise); "
        "`country` only adds to other reasons. " + DUPLICATES_DESCRIPTION,
        parameters=[DuplicateCheckSerializer],
        responses={200: DuplicateCandidateSerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="duplicates", url_name="check-duplicates", pagination_class=None)
    def check_duplicates(self, request: Request) -> Response:
        query = DuplicateCheckSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        subject = duplicates.Subject(**query.validated_data)
        if subject.is_empty:
            message = "Give a name, name_zh or uscc to check."
            raise ValidationError([ErrorDetail(message, "nothing_to_check")])
        return self.ranked(subject)


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
