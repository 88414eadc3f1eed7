"""Serializers for delegations, enterprises, participations, settlements and activities."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegations import merging
from delegations.api.briefs import DelegationBriefSerializer, EnterpriseBriefSerializer, ParticipationBriefSerializer
from delegations.models import Delegation, Enterprise, Merge, Participation, PromotionalActivity, Settlement
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


class MergeRequestSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), help_text="The id of the enterprise that stays, the survivor."
    )
    reason = serializers.CharField(max_length=2000, help_text="Why the two records are one enterprise.")


class MoveSerializer(serializers.Serializer):
    relation = serializers.CharField(help_text='The records and their field, e.g. "deals (buyer)".')
    count = serializers.IntegerField(help_text="How many of them the merge changed.")


class MergeSerializer(serializers.ModelSerializer):
    """What a merge did, and whether it was undone."""

    merged_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who merged them."
    )
    undone_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Who undid the merge, once undone."
    )
    moved = serializers.SerializerMethodField(help_text="The records changed to refer to the survivor, by relation.")
    aliases_added = serializers.SerializerMethodField(help_text="The names the survivor gained as aliases.")

    class Meta:
        model = Merge
        fields = (
            "id",
            "merged_id",
            "merged_name",
            "survivor_id",
            "survivor_name",
            "reason",
            "moved",
            "aliases_added",
            "merged_by",
            "merged_at",
            "undone_by",
            "undone_at",
        )
        read_only_fields = fields

    @extend_schema_field(MoveSerializer(many=True))
    def get_moved(self, merge: Merge) -> list[dict]:
        return [{"relation": move.label, "count": move.count} for move in merging.merge_moves(merge)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases_added(self, merge: Merge) -> list[str]:
        return merging.merge_aliases_added(merge)
