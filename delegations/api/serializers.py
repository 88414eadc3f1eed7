"""Serializers for delegations, enterprises, participations, settlements and activities."""

from django.db.models import Count
from rest_framework import serializers

from delegations.api.briefs import DelegationBriefSerializer, EnterpriseBriefSerializer, ParticipationBriefSerializer
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import name_zh_source_field, source_field
from expo.models import Edition
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import expandable
from framework.api.serializers import ValidatedModelSerializer
from framework.models import TIMESTAMPS


@expandable
class DelegationSerializer(ValidatedModelSerializer):
    parent = BriefRelatedField(  # type: ignore[assignment]  # a declared field, not the Field attribute
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The delegation this one belongs to; null at the top of the tree.",
    )
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Delegation
        fields = ("id", *Delegation.FIELDS, *TIMESTAMPS)


@expandable
class EnterpriseSerializer(ValidatedModelSerializer):
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Enterprise
        fields = ("id", *Enterprise.FIELDS, *TIMESTAMPS)


def participation_field() -> BriefRelatedField:
    return BriefRelatedField(
        brief=ParticipationBriefSerializer,
        queryset=Participation.objects.select_related("delegation", "edition__expo"),
        help_text="The delegation's participation in an edition.",
    )


# The enterprise count follows the enterprises it counts.
ENTERPRISES_END = Participation.FIELDS.index("enterprises") + 1


@expandable
class ParticipationSerializer(ValidatedModelSerializer):
    delegation = BriefRelatedField(brief=DelegationBriefSerializer, queryset=Delegation.objects.all())
    edition = BriefRelatedField(brief=EditionBriefSerializer, queryset=Edition.objects.select_related("expo"))
    enterprises = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Enterprise.objects.all(),
        required=False,
        write_only=True,
        help_text="Ids of the registered enterprises known by name (replaces the list). "
        "Read them with /api/enterprises/?participation={id}.",
    )
    enterprise_count = serializers.IntegerField(read_only=True, help_text="Registered enterprises known by name.")
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Participation
        fields = (
            "id",
            *Participation.FIELDS[:ENTERPRISES_END],
            "enterprise_count",
            *Participation.FIELDS[ENTERPRISES_END:],
            *TIMESTAMPS,
        )
        annotations = {"enterprise_count": lambda: Count("enterprises", distinct=True)}


@expandable
class SettlementSerializer(ValidatedModelSerializer):
    participation = participation_field()
    enterprise = BriefRelatedField(brief=EnterpriseBriefSerializer, queryset=Enterprise.objects.all())
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Settlement
        fields = ("id", *Settlement.FIELDS, *TIMESTAMPS)


@expandable
class PromotionalActivitySerializer(ValidatedModelSerializer):
    participation = participation_field()
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = PromotionalActivity
        fields = ("id", *PromotionalActivity.FIELDS, *TIMESTAMPS)
