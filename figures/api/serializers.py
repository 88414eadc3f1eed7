"""Serializers for reported figures and their reconciliation with the records."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegations.api.briefs import DelegationBriefSerializer
from delegations.models import Delegation
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import source_field
from expo.models import Edition
from figures.models import ReportedFigure
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import expandable
from framework.api.serializers import ValidatedModelSerializer
from framework.models import TIMESTAMPS


@expandable
class ReportedFigureSerializer(ValidatedModelSerializer):
    delegation = BriefRelatedField(
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        required=False,
        allow_null=True,
    )
    edition = BriefRelatedField(
        brief=EditionBriefSerializer,
        queryset=Edition.objects.all(),
        required=False,
        allow_null=True,
        help_text="The edition the figure is about; for a run of editions, the last one.",
    )
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = ReportedFigure
        fields = ("id", *ReportedFigure.FIELDS, *TIMESTAMPS)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+(?:\.\d{2})?$"})
class DecimalStringField(serializers.CharField):
    """A decimal as a string, with the places it has."""

    def to_representation(self, value) -> str:
        return str(value)


class ReconciliationSerializer(serializers.Serializer):
    """A reported figure beside the value computed from the records."""

    figure = ReportedFigureSerializer(read_only=True)
    computed = DecimalStringField(
        allow_null=True,
        help_text="Computed from the records you may read: money in USD to the cent, counts as whole numbers; "
        "`null` where the records cannot give it (see `basis`).",
    )
    declared = DecimalStringField(
        allow_null=True,
        help_text="For registered organisations and professional audience: what the participations declare.",
    )
    difference = DecimalStringField(allow_null=True, help_text="`computed` − the figure's value.")
    holds = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the computed value bears the figure out under its qualifier: `exact` equal, `more_than` "
        "greater, `at_least` greater or equal, `about` within 5%.",
    )
    basis = serializers.CharField(help_text="What was counted.")
