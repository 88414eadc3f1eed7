"""Serializers for delegations, enterprises, participations, settlements and activities."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from delegations import duplicates, merging, uscc
from delegations.api.briefs import DelegationBriefSerializer, EnterpriseBriefSerializer, ParticipationBriefSerializer
from delegations.models import (
    Delegation,
    Enterprise,
    EnterpriseAlias,
    Merge,
    Participation,
    PromotionalActivity,
    Settlement,
)
from delegations.services import AliasInput
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import name_zh_source_field, source_field
from expo.models import Edition
from framework.api.errors import ErrorResponseSerializer
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import expandable
from framework.api.serializers import ModelSerializer, ValidatedModelSerializer
from framework.codes import COUNTRY_CHOICES
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


class EnterpriseAliasSerializer(ModelSerializer):
    class Meta:
        model = EnterpriseAlias
        fields = EnterpriseAlias.FIELDS

    def to_input(self, data: dict) -> AliasInput:
        return AliasInput(name=data["name"], kind=data.get("kind", EnterpriseAlias.Kind.SHORT))


# The USCC's warning follows the code it is about.
USCC_END = Enterprise.FIELDS.index("uscc") + 1
MAX_ALIASES = 50


@expandable
class EnterpriseSerializer(ValidatedModelSerializer):
    name_zh_source = name_zh_source_field()
    uscc_check_valid = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Whether the USCC's check character matches its other 17 characters: false is a warning "
        "(some codes really issued fail the check), null where there is no USCC.",
    )
    aliases = EnterpriseAliasSerializer(  # type: ignore[call-arg]  # many=True makes a ListSerializer, which takes max_length
        many=True,
        required=False,
        max_length=MAX_ALIASES,
        help_text=f"Other names it is known by (at most {MAX_ALIASES}, each once); replaces the list when given, "
        "and a create or replace without it leaves none. Changes are recorded in the enterprise's history.",
    )
    distinct_from = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=Enterprise.objects.all(),
        help_text="On create: ids of enterprises this new one is known not to be. A create whose probable "
        "duplicates (see `GET /api/enterprises/duplicates/`) are not all listed here answers 409 with them. "
        "Ignored by updates.",
    )
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Enterprise
        fields = (
            "id",
            *Enterprise.FIELDS[:USCC_END],
            "uscc_check_valid",
            *Enterprise.FIELDS[USCC_END:],
            "aliases",
            "distinct_from",
            *TIMESTAMPS,
        )

    def validate_aliases(self, aliases: list[dict]) -> list[dict]:
        # A PATCH makes its nested fields optional too; an alias still needs its name.
        missing = [
            {} if "name" in alias else {"name": [ErrorDetail("This field is required.", "required")]}
            for alias in aliases
        ]
        if any(missing):
            raise serializers.ValidationError(missing)
        return aliases

    def service_arguments(self) -> dict:
        """The validated request as ``data``, ``aliases`` (``None``: leave them) and ``distinct_from`` (ids)."""
        data = dict(self.validated_data)
        # A PATCH leaves unsent aliases as they are; a POST or PUT replaces them (with none if unsent).
        aliases = data.pop("aliases", None if self.partial else [])
        if aliases is not None:
            # The field is a list of EnterpriseAliasSerializer (its child), which the stubs see as any Field.
            aliases = [self.fields["aliases"].child.to_input(alias) for alias in aliases]  # type: ignore[attr-defined]
        distinct_from = [enterprise.pk for enterprise in data.pop("distinct_from", [])]
        return {"data": data, "aliases": aliases, "distinct_from": distinct_from}


class DuplicateReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=list(duplicates.WEIGHTS),
        help_text="Weights: " + ", ".join(f"`{code}` {weight}" for code, weight in duplicates.WEIGHTS.items()) + ".",
    )
    detail = serializers.CharField(help_text="The reason in a sentence, naming the names compared.")


class DuplicateCandidateSerializer(serializers.Serializer):
    """A saved enterprise that may be the same organisation, with its score and the reasons for it."""

    enterprise = EnterpriseBriefSerializer()
    score = serializers.IntegerField(
        min_value=1,
        max_value=100,
        help_text=f"The sum of the reasons' weights, at most 100; {duplicates.THRESHOLD} or more is a probable "
        "duplicate, which refuses a create.",
    )
    reasons = DuplicateReasonSerializer(many=True)


class DuplicateCheckSerializer(serializers.Serializer):
    """The names and codes a check for duplicates of an enterprise not yet saved compares."""

    name = serializers.CharField(max_length=300, required=False, help_text="The English name.")
    name_zh = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="The Chinese name.")
    uscc = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        validators=[uscc.validate],
        help_text="The Unified Social Credit Code: 18 digits and capital letters other than I, O, S, V, Z.",
    )
    country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2 code."
    )


class ProbableDuplicateErrorSerializer(ErrorResponseSerializer):
    """The 409 of an enterprise create: the error, and with the code `probable_duplicate` the
    saved enterprises the new one looks like. Another conflict (an `Idempotency-Key` reused for a
    different request) has no candidates."""

    candidates = DuplicateCandidateSerializer(
        many=True,
        required=False,
        help_text="With the code `probable_duplicate`: the probable duplicates, best first; send their ids in "
        "`distinct_from` to create anyway.",
    )


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


class MergeSerializer(ModelSerializer):
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
