"""Deal measures per group: ``/api/stats/deals/``, and what the views of grouped deals share."""

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from deals import stats, summaries
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


class GroupKeysSerializer(serializers.Serializer):
    """The keys a group of deals can have: the value of each key grouped by (and only those) is
    given, in their order, then the group's measures."""

    edition = EditionBriefSerializer(required=False, allow_null=True, help_text="The edition the deals were signed at.")
    expo = ExpoBriefSerializer(required=False, allow_null=True, help_text="The expo of that edition.")
    delegation = DelegationBriefSerializer(
        required=False, allow_null=True, help_text="The delegation, or with `delegation_level` its ancestor there."
    )
    buyer_country = CountrySerializer(
        required=False, allow_null=True, help_text="The buyer's country; `null` where it is not known."
    )
    seller_country = CountrySerializer(
        required=False, allow_null=True, help_text="The seller's country; `null` where it is not known."
    )
    category = CategoryBriefSerializer(
        required=False, allow_null=True, help_text="A category of the deals' line items; `null` for deals with none."
    )
    market = MarketBriefSerializer(
        required=False, allow_null=True, help_text="A downstream market of the deals; `null` for deals with none."
    )

    def to_representation(self, row: dict) -> dict:
        data = super().to_representation(row)
        # The keys grouped by, in their order, then the measures.
        return {name: data[name] for name in row if name in data}


class DealStatisticsRowSerializer(DealMeasuresSerializer, GroupKeysSerializer):
    """One group: the value of each key grouped by (and only those), then the measures. A key
    is `null` for the deals without one (no category, no market, no signing date, no country)."""

    stage = serializers.ChoiceField(choices=Deal.Stage.choices, required=False)
    month = serializers.CharField(
        required=False, allow_null=True, help_text="The month signed, `YYYY-MM`; `null` for unsigned deals."
    )


class DealStatisticsSerializer(serializers.Serializer):
    """Deal measures per group, and in total, over the deals the caller may read that match the filters."""

    group_by = serializers.ListField(child=serializers.ChoiceField(choices=stats.GROUP_KEYS))
    delegation_level = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(help_text="How many groups.")
    results = DealStatisticsRowSerializer(many=True, source="rows")
    totals = DealMeasuresSerializer(help_text="Every deal counted once.")


class GroupByField(serializers.Field):
    """Comma-separated group keys: known (of ``keys``), distinct, at most three."""

    def __init__(self, *, keys: Sequence[str] = stats.GROUP_KEYS, **kwargs) -> None:
        self.keys = tuple(keys)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> tuple[str, ...]:
        keys = tuple(key.strip() for key in str(data).split(","))
        unknown = [key for key in keys if key not in self.keys]
        if unknown:
            raise serializers.ValidationError(
                f"Cannot group by {', '.join(map(repr, unknown))}: choose from {', '.join(self.keys)}.",
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


class GroupedDealsView(StrictParametersMixin, generics.GenericAPIView):
    """A view of measures per group over the deals the caller may read that match the deal
    filters, with ``group_by`` and ``delegation_level`` (``query_serializer_class``) given to
    ``selector``; answers are kept in the cache for ``STATISTICS_CACHE_SECONDS``."""

    filterset_class = DealFilterSet
    pagination_class = None
    extra_parameters = frozenset({"group_by", "delegation_level"})
    query_serializer_class: type[serializers.Serializer] = DealStatisticsQuerySerializer
    cache_namespace: str
    selector: Callable[..., Any]

    def get_queryset(self):
        return access.scope_for_read(Deal.objects.all(), self.request.user)

    def selector_options(self) -> dict[str, Any]:
        """What the selector is given beside the query parameters, from the caller."""
        return {}

    def from_summaries(self, options: dict[str, Any]) -> Any | None:
        """The answer from kept summaries, or ``None`` to compute it from the deals."""
        return None

    def single_filters(self, names: frozenset[str]) -> dict[str, Any] | None:
        """The filters asked, each of ``names`` and given once (ids as integers), or ``None`` if
        another filter or more than one value is given: what a kept summary may answer."""
        params = self.request.query_params
        filters: dict[str, Any] = {}
        for name in set(params) - self.extra_parameters:
            values = [value for value in params.getlist(name) if value != ""]
            if not values:
                continue
            if name not in names or len(values) != 1:
                return None
            filters[name] = int(values[0]) if name in ("edition", "delegation") else values[0]
        return filters

    def get(self, request, *args, **kwargs) -> Response:
        params = request.query_params
        query = self.query_serializer_class(data={name: params[name] for name in self.extra_parameters & set(params)})
        query.is_valid(raise_exception=True)
        deals = self.filter_queryset(self.get_queryset())
        options = {**query.validated_data, **self.selector_options()}

        def compute() -> dict:
            answer = self.from_summaries(options)
            if answer is None:
                answer = self.selector(deals=deals, **options)
            return self.get_serializer(answer).data

        return Response(
            kept(
                self.cache_namespace,
                lambda: f"{query_stamp(deals)}:{sorted(options.items())!r}",
                compute,
                seconds=settings.STATISTICS_CACHE_SECONDS,
            )
        )


def grouping_parameters(*, keys: Sequence[str], group_by_help: str) -> list[OpenApiParameter]:
    """The schema of ``group_by`` (up to three of ``keys``) and ``delegation_level``."""
    return [
        OpenApiParameter(
            "group_by",
            {
                "type": "array",
                "items": {"type": "string", "enum": list(keys)},
                "minItems": 1,
                "maxItems": stats.MAX_GROUP_KEYS,
                "uniqueItems": True,
            },
            style="form",
            explode=False,
            description=group_by_help,
        ),
        OpenApiParameter(
            "delegation_level",
            {"type": "integer", "minimum": 0, "maximum": MAX_SMALL_INTEGER.limit_value},
            description=DELEGATION_LEVEL_HELP,
        ),
    ]


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
    parameters=grouping_parameters(keys=stats.GROUP_KEYS, group_by_help=GROUP_BY_HELP),
    filters=True,
    responses={200: DealStatisticsSerializer},
    examples=[STATISTICS_EXAMPLE],
)
class DealStatisticsView(GroupedDealsView):
    serializer_class = DealStatisticsSerializer
    cache_namespace = "deal-statistics"
    selector = staticmethod(stats.deal_statistics)

    def from_summaries(self, options: dict[str, Any]) -> stats.DealStatistics | None:
        """The public's and the readers of every deal's common questions (the groupings and
        single-valued filters :mod:`deals.summaries` keeps) from the summaries."""
        if options["delegation_level"] is not None:
            return None
        caller = access.access_of(self.request.user)
        if caller.role is access.Role.ANONYMOUS:
            public = True
        elif caller.reads_everything:
            public = False
        else:
            return None
        filters = self.single_filters(summaries.FILTERS)
        if filters is None:
            return None
        return summaries.statistics(
            group_by=options["group_by"], filters=filters, public=public, as_of=access.visibility_time()
        )
