"""Serializers for reported figures, their statements and their reconciliation with the records."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from delegations.api.briefs import DelegationBriefSerializer, EnterpriseBriefSerializer
from delegations.models import Delegation, Enterprise
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import source_field
from expo.models import Edition
from figures import selectors
from figures.models import FigureStatement, ReportedFigure
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import expandable
from framework.api.serializers import ModelSerializer, ValidatedModelSerializer
from framework.models import TIMESTAMPS

# A statement's fields as shown within its figure (the figure is the one around it).
STATEMENT_IN_FIGURE = ("id", *(name for name in FigureStatement.FIELDS if name != "figure"))


class StatementInFigureSerializer(ModelSerializer):
    """A statement of the figure: its source, value, qualifier, quote and rank."""

    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = FigureStatement
        fields = STATEMENT_IN_FIGURE
        read_only_fields = STATEMENT_IN_FIGURE


def _preferred(field: str):
    return lambda: selectors.preferred_statement(field)


@expandable
class ReportedFigureSerializer(ValidatedModelSerializer):
    edition = BriefRelatedField(
        brief=EditionBriefSerializer,
        queryset=Edition.objects.all(),
        help_text="The edition the figure is about; for a run of editions, the last one.",
    )
    delegation = BriefRelatedField(
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The delegation the figure is about; empty for an expo-wide figure or an enterprise's.",
    )
    enterprise = BriefRelatedField(
        brief=EnterpriseBriefSerializer,
        queryset=Enterprise.objects.all(),
        required=False,
        allow_null=True,
        help_text="The enterprise the figure is about (e.g. one buyer's orders as a total); empty otherwise.",
    )
    statements = StatementInFigureSerializer(
        many=True,
        read_only=True,
        help_text="What each source says the figure is; written at `/api/figure-statements/`.",
    )
    preferred_statement = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The statement whose value is the figure's: the one ranked preferred, else the latest normal "
        "one (by `as_of`, then the source's date); `null` when every statement is deprecated or there is none.",
    )
    value = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True, help_text="The preferred statement's value."
    )
    qualifier = serializers.ChoiceField(
        choices=FigureStatement.Qualifier.choices,
        read_only=True,
        allow_null=True,
        help_text="The preferred statement's qualifier.",
    )
    currency = serializers.CharField(
        read_only=True, allow_null=True, help_text="The preferred statement's currency; empty for counts."
    )
    value_usd = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The preferred statement's value in US dollars, where it is money and has one.",
    )

    class Meta:
        model = ReportedFigure
        fields = (
            "id",
            *ReportedFigure.FIELDS,
            "statements",
            "preferred_statement",
            "value",
            "qualifier",
            "currency",
            "value_usd",
            *TIMESTAMPS,
        )
        annotations = {name: _preferred(field) for name, field in selectors.PREFERRED.items()}


class ReportedFigureBriefSerializer(ModelSerializer):
    """A figure in brief: what it measures."""

    class Meta:
        model = ReportedFigure
        fields = ("id", "metric", "description")


@expandable
class FigureStatementSerializer(ValidatedModelSerializer):
    figure = BriefRelatedField(
        brief=ReportedFigureBriefSerializer,
        queryset=ReportedFigure.objects.all(),
        help_text="The figure this statement states.",
    )
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = FigureStatement
        fields = ("id", *FigureStatement.FIELDS, *TIMESTAMPS)
        read_only_fields = FigureStatement.VALUATION


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+(?:\.\d{2})?$"})
class DecimalStringField(serializers.CharField):
    """A decimal as a string, with the places it has."""

    def to_representation(self, value) -> str:
        return str(value)


class StatementReconciliationSerializer(serializers.Serializer):
    """One statement of the figure, as the reconciliation weighs it."""

    id = serializers.IntegerField()
    source = serializers.IntegerField(allow_null=True, source="source_id")  # type: ignore[assignment]  # a declared field, not the Field attribute
    source_title = serializers.CharField(allow_null=True)
    value = DecimalStringField()
    qualifier = serializers.CharField()
    currency = serializers.CharField()
    value_usd = DecimalStringField(allow_null=True)
    rank = serializers.CharField()
    preferred = serializers.BooleanField(help_text="Whether this is the figure's preferred statement.")
    holds = serializers.BooleanField(
        allow_null=True, help_text="Whether the computed value bears this statement out under its qualifier."
    )


class RecordedFirstOrderSerializer(serializers.Serializer):
    """A deal on record that was the first deal of the figure's parent delegation at an edition of the run."""

    deal = serializers.IntegerField()
    title = serializers.CharField()
    edition = serializers.IntegerField()
    edition_name = serializers.CharField()
    value_usd = DecimalStringField(allow_null=True)


class ReconciliationSerializer(serializers.Serializer):
    """A reported figure beside the value computed from the records."""

    figure = ReportedFigureSerializer(read_only=True)
    statements = StatementReconciliationSerializer(
        many=True, help_text="Every statement of the figure, the preferred one first."
    )
    disagreement = serializers.BooleanField(
        help_text="Whether the statements that are not deprecated cannot all be true together, given their "
        "qualifiers (e.g. exactly 4 and more than 5)."
    )
    computed = DecimalStringField(
        allow_null=True,
        help_text="Computed from the records you may read: money in USD to the cent, counts as whole numbers; "
        "`null` where the records cannot give it (see `basis`).",
    )
    declared = DecimalStringField(
        allow_null=True,
        help_text="For registered organisations and professional audience: what the participations declare.",
    )
    difference = DecimalStringField(allow_null=True, help_text="`computed` − the preferred value.")
    holds = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the computed value bears the preferred value out under its qualifier: `exact` equal, "
        "`more_than` greater, `at_least` greater or equal, `about` within 5%.",
    )
    unvalued_deals = serializers.IntegerField(
        allow_null=True,
        help_text="For money: the deals of the run left out of `computed` because they have no USD value "
        "(never counted as zero).",
    )
    first_orders = RecordedFirstOrderSerializer(
        many=True,
        help_text="For first orders of the parent: the recorded first orders of the parent delegation in the run.",
    )
    basis = serializers.CharField(help_text="What was counted.")
