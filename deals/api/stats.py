"""Deal measures per group: ``/api/stats/deals/``."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from deals import stats
from deals.api.briefs import CategoryBriefSerializer, MarketBriefSerializer
from deals.filtersets import DealFilterSet
from deals.models import Deal
from delegations.api.briefs import DelegationBriefSerializer
from expo.api.briefs import EditionBriefSerializer, ExpoBriefSerializer
from framework import access
from framework.api.filters import StrictParametersMixin
from framework.caching import kept, query_stamp
from framework.models import MAX_SMALL_INTEGER

GROUP_BY_HELP = (
    f"Up to {stats.MAX_GROUP_KEYS} of {', '.join(stats.GROUP_KEYS)}, comma-separated: `group_by=delegation,edition`. "
    "By category or market a deal counts once in each of its categories (or markets), so groups can add up to "
    "more than `totals`; deals with none form the `null` group. Without `group_by`, the one group is all deals."
)
DELEGATION_LEVEL_HELP = (
    "With `group_by=delegation`: put each deal under its delegation's ancestor at this depth of the tree "
    "(0 = the delegations at the top), e.g. `0` counts everything under Shanghai as Shanghai's. Deals of "
    "delegations above that depth stay under their own."
)


class StageValuesSerializer(serializers.Serializer):
    intention = serializers.DecimalField(max_digits=28, decimal_places=2, help_text="Deals at the intention stage.")
    signed = serializers.DecimalField(max_digits=28, decimal_places=2, help_text="Signed deals.")
    executed = serializers.DecimalField(max_digits=28, decimal_places=2, help_text="Executed deals.")
    cancelled = serializers.DecimalField(max_digits=28, decimal_places=2, help_text="Cancelled deals.")


class DealMeasuresSerializer(serializers.Serializer):
    deal_count = serializers.IntegerField(help_text="Deals counted.")
    value_usd = StageValuesSerializer(
        help_text="USD value of the deals in each stage, as decimal strings; stages are never added together. "
        "Only deals with a value are summed: one whose value no source gives is left out, never counted as zero."
    )
    unvalued_count = serializers.IntegerField(
        help_text="Deals counted whose value no source gives: left out of `value_usd`."
    )
    buyers = serializers.IntegerField(help_text="Distinct buying enterprises.")
    sellers = serializers.IntegerField(help_text="Distinct selling enterprises.")


class CountrySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    name = serializers.CharField()


class DealStatisticsRowSerializer(DealMeasuresSerializer):
    """One group: the value of each key grouped by (and only those), then the measures. A key
    is `null` for the deals without one (no category, no market, no signing date, no country)."""

    edition = EditionBriefSerializer(required=False, allow_null=True)
    expo = ExpoBriefSerializer(required=False, allow_null=True)
    delegation = DelegationBriefSerializer(
        required=False, allow_null=True, help_text="The delegation, or with `delegation_level` its ancestor there."
    )
    buyer_country = CountrySerializer(required=False, allow_null=True)
    seller_country = CountrySerializer(required=False, allow_null=True)
    category = CategoryBriefSerializer(required=False, allow_null=True)
    market = MarketBriefSerializer(required=False, allow_null=True)
    stage = serializers.ChoiceField(choices=Deal.Stage.choices, required=False)
    month = serializers.CharField(
        required=False, allow_null=True, help_text="The month signed, `YYYY-MM`; `null` for unsigned deals."
    )

    def to_representation(self, row: dict) -> dict:
        data = super().to_representation(row)
        # The keys grouped by, in their order, then the measures.
        return {name: data[name] for name in row if name in data}


class DealStatisticsSerializer(serializers.Serializer):
    """Deal measures per group, and in total, over the deals the caller may read that match the filters."""

    group_by = serializers.ListField(child=serializers.ChoiceField(choices=stats.GROUP_KEYS))
    delegation_level = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(help_text="How many groups.")
    results = DealStatisticsRowSerializer(many=True, source="rows")
    totals = DealMeasuresSerializer(help_text="Every deal counted once.")


class GroupByField(serializers.Field):
    """Comma-separated group keys: known, distinct, at most three."""

    def to_internal_value(self, data) -> tuple[str, ...]:
        keys = tuple(key.strip() for key in str(data).split(","))
        unknown = [key for key in keys if key not in stats.GROUP_KEYS]
        if unknown:
            raise serializers.ValidationError(
                f"Cannot group by {', '.join(map(repr, unknown))}: choose from {', '.join(stats.GROUP_KEYS)}.",
                code="invalid_choice",
            )
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("Give each key once.", code="duplicate")
        if len(keys) > stats.MAX_GROUP_KEYS:
            raise serializers.ValidationError(f"Group by at most {stats.MAX_GROUP_KEYS} keys.", code="max_length")
        return keys


class DealStatisticsQuerySerializer(serializers.Serializer):
    group_by = GroupByField(required=False, default=())
    delegation_level = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_SMALL_INTEGER.limit_value, default=None
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["delegation_level"] is not None and "delegation" not in attrs["group_by"]:
            raise serializers.ValidationError(
                {"delegation_level": ["Rolls up delegation groups: give it with `group_by=delegation`."]},
                code="needs_delegation_group",
            )
        return attrs


QINGPU = {"id": 2, "name": "Qingpu District trading delegation"}
CIIE_6 = {"id": 1, "name": "6th China International Import Expo", "number": 6}
ZKH_DOW_MEASURES = {
    "deal_count": 1,
    "value_usd": {"intention": "0.00", "signed": "300000000.00", "executed": "0.00", "cancelled": "0.00"},
    "unvalued_count": 0,
    "buyers": 1,
    "sellers": 1,
}
STATISTICS_EXAMPLE = OpenApiExample(
    "Qingpu at the 6th CIIE (group_by=delegation,edition)",
    value={
        "group_by": ["delegation", "edition"],
        "delegation_level": None,
        "count": 1,
        "results": [{"delegation": QINGPU, "edition": CIIE_6, **ZKH_DOW_MEASURES}],
        "totals": ZKH_DOW_MEASURES,
    },
    response_only=True,
)


@extend_schema(
    tags=["stats"],
    summary="Deal statistics",
    description=(
        "Deal counts, USD value per stage and distinct buyers and sellers, per group and in total, over the deals "
        "you may read (the public: published deals) that match the filters. The filters are exactly those of "
        "`/api/deals/`. A deal whose value no source gives is counted in `deal_count` and `unvalued_count`, "
        "never summed as zero."
    ),
    parameters=[
        OpenApiParameter(
            "group_by",
            {
                "type": "array",
                "items": {"type": "string", "enum": list(stats.GROUP_KEYS)},
                "minItems": 1,
                "maxItems": stats.MAX_GROUP_KEYS,
                "uniqueItems": True,
            },
            style="form",
            explode=False,
            description=GROUP_BY_HELP,
        ),
        OpenApiParameter(
            "delegation_level",
            {"type": "integer", "minimum": 0, "maximum": MAX_SMALL_INTEGER.limit_value},
            description=DELEGATION_LEVEL_HELP,
        ),
    ],
    filters=True,
    responses={200: DealStatisticsSerializer},
    examples=[STATISTICS_EXAMPLE],
)
class DealStatisticsView(StrictParametersMixin, generics.GenericAPIView):
    serializer_class = DealStatisticsSerializer
    filterset_class = DealFilterSet
    pagination_class = None
    extra_parameters = frozenset({"group_by", "delegation_level"})

    def get_queryset(self):
        return access.scope_for_read(Deal.objects.all(), self.request.user)

    def get(self, request, *args, **kwargs) -> Response:
        params = request.query_params
        query = DealStatisticsQuerySerializer(data={name: params[name] for name in self.extra_parameters & set(params)})
        query.is_valid(raise_exception=True)
        deals = self.filter_queryset(self.get_queryset())

        def compute() -> dict:
            return self.get_serializer(stats.deal_statistics(deals=deals, **query.validated_data)).data

        return Response(
            kept(
                "deal-statistics",
                lambda: f"{query_stamp(deals)}:{sorted(query.validated_data.items())!r}",
                compute,
                seconds=settings.STATISTICS_CACHE_SECONDS,
            )
        )
