"""The pipeline funnel: ``/api/stats/funnel/``."""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from deals import funnel, funnel_summaries, stats
from deals.api.stats import (
    DealStatisticsQuerySerializer,
    GroupByField,
    GroupedDealsView,
    GroupKeysSerializer,
    grouping_parameters,
)
from framework import access

GROUP_BY_HELP = (
    f"Up to {stats.MAX_GROUP_KEYS} of {', '.join(funnel.GROUP_KEYS)}, comma-separated: `group_by=delegation,edition`. "
    "By category or market a deal is in the funnel of each of its categories (or markets); deals with none form "
    "the `null` group. Without `group_by`, the one group is all deals. (Not by stage, which the funnel spans, nor "
    "by month signed, which deals still at the intention stage have none of.)"
)


def money(help_text: str) -> serializers.DecimalField:
    """A sum of deals' USD values, as a decimal string."""
    return serializers.DecimalField(max_digits=28, decimal_places=2, help_text=help_text)


def share(help_text: str) -> serializers.DecimalField:
    """A share from 0 to 1 to four places, as a decimal string, or null."""
    return serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal(0), max_value=Decimal(1), allow_null=True, help_text=help_text
    )


class EnteredSerializer(serializers.Serializer):
    deal_count = serializers.IntegerField(help_text="Deals that entered the stage.")
    value_usd = money(
        "Their USD value (each deal's value now), as a decimal string: only deals with a value are "
        "summed, one whose value no source gives is left out, never counted as zero.",
    )
    unvalued_count = serializers.IntegerField(help_text="Of `deal_count`, the deals with no value: not in `value_usd`.")


class EnteredStagesSerializer(serializers.Serializer):
    """Each stage on its own: a deal counts at every stage it entered, and the stages are never added up."""

    intention = EnteredSerializer(help_text="Every deal: each is created as an intention, even one signed at once.")
    signed = EnteredSerializer(
        help_text="Deals moved to signed, whatever they became after (executed, or cancelled once signed)."
    )
    executed = EnteredSerializer(help_text="Deals moved from signed to executed.")
    cancelled = EnteredSerializer(help_text="Deals cancelled, from the intention or the signed stage.")


class MovedOnSerializer(serializers.Serializer):
    """Shares of deals, as decimal strings from `0.0000` to `1.0000` (to four places, rounded half up); `null`
    where the base is no deal."""

    signed_of_intention = share("`entered.signed.deal_count` / `entered.intention.deal_count`: the deals signed.")
    executed_of_signed = share(
        "`entered.executed.deal_count` / `entered.signed.deal_count`: of the signed deals, those executed; "
        "`null` where none was signed.",
    )
    cancelled_of_intention = share(
        "`entered.cancelled.deal_count` / `entered.intention.deal_count`: the deals cancelled, "
        "as intentions or once signed.",
    )


class CancelledFromSerializer(serializers.Serializer):
    intention = serializers.IntegerField(help_text="Deals cancelled as intentions.")
    signed = serializers.IntegerField(help_text="Deals cancelled once signed.")


class CancellationSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_null=True,
        help_text="The reason given when cancelling, as written; `null` for the public, who do not read the "
        "deals' histories, where reasons are kept: their cancellations are counted in one entry.",
    )
    deal_count = serializers.IntegerField(help_text="Deals cancelled for this reason.")
    value_usd = money("Their USD value, over those with a value.")
    unvalued_count = serializers.IntegerField(help_text="Of `deal_count`, the deals with no value.")
    from_stage = CancelledFromSerializer(help_text="`deal_count` by the stage the deals were cancelled from.")


class FunnelRowSerializer(GroupKeysSerializer):
    """One group: the value of each key grouped by (and only those), then its funnel. A key is `null`
    for the deals without one (no category, no market, no country)."""

    entered = EnteredStagesSerializer(help_text="The deals that entered each stage, from the stage-change history.")
    moved_on = MovedOnSerializer(help_text="The share of deals that moved on at each step.")
    median_days_to_sign = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="The median, over the deals signed, of the days (to the hundredth, as a decimal string) from "
        "the deal's creation as an intention to its move to signed, as recorded: the times of the record and of "
        "its stage change, not the signing date `signed_on`, which a deal recorded after the fact holds from "
        "before its creation. With an even number of deals, the mean of the middle two. `null` where no deal "
        "was signed.",
    )
    cancellations = CancellationSerializer(
        many=True, help_text="The cancelled deals by reason, most deals first (then by reason)."
    )


class FunnelSerializer(serializers.Serializer):
    """The funnel per group, over the deals the caller may read that match the filters."""

    group_by = serializers.ListField(
        child=serializers.ChoiceField(choices=funnel.GROUP_KEYS), help_text="The keys grouped by, as asked."
    )
    delegation_level = serializers.IntegerField(
        allow_null=True, help_text="The depth delegations were rolled up to, as asked; `null` for none."
    )
    count = serializers.IntegerField(help_text="How many groups.")
    results = FunnelRowSerializer(
        many=True,
        source="rows",
        help_text="The groups with deals, in the order of their keys' ids (codes for "
        "countries), the group without a key last.",
    )


class FunnelQuerySerializer(DealStatisticsQuerySerializer):
    group_by = GroupByField(keys=funnel.GROUP_KEYS, required=False, default=())


def entered(count: int, value_usd: str, unvalued: int = 0) -> dict:
    return {"deal_count": count, "value_usd": value_usd, "unvalued_count": unvalued}


FUNNEL_EXAMPLE = OpenApiExample(
    "The 6th CIIE (group_by=edition)",
    value={
        "group_by": ["edition"],
        "delegation_level": None,
        "count": 1,
        "results": [
            {
                "edition": {
                    "id": 1,
                    "name": "6th China International Import Expo",
                    "name_zh": "第六届中国国际进口博览会",
                    "number": 6,
                },
                "entered": {
                    "intention": entered(5, "302200000.00", 1),
                    "signed": entered(3, "300600000.00", 1),
                    "executed": entered(1, "600000.00"),
                    "cancelled": entered(2, "500000.00", 1),
                },
                "moved_on": {
                    "signed_of_intention": "0.6000",
                    "executed_of_signed": "0.3333",
                    "cancelled_of_intention": "0.4000",
                },
                "median_days_to_sign": "2.50",
                "cancellations": [
                    {
                        "reason": "The buyer withdrew.",
                        "deal_count": 2,
                        "value_usd": "500000.00",
                        "unvalued_count": 1,
                        "from_stage": {"intention": 1, "signed": 1},
                    }
                ],
            }
        ],
    },
    response_only=True,
)


@extend_schema(
    tags=["stats"],
    summary="Pipeline funnel",
    description=(
        "Per group, the deals and their USD value that entered each stage (intention → signed → executed, and "
        "cancelled), the share that moved on at each step, the median days from intention to signing, and the "
        "cancellations by reason, over the deals you may read (the public: published deals past any embargo) "
        "that match the filters, which are exactly those of `/api/deals/`. From the stage-change history: every "
        "deal is created as an intention, and each move to signed, executed or cancelled is recorded. A deal "
        "counts at every stage it entered, so the stages are never added together; a deal whose value no source "
        "gives is counted in `deal_count` and `unvalued_count`, never summed as zero."
    ),
    parameters=grouping_parameters(keys=funnel.GROUP_KEYS, group_by_help=GROUP_BY_HELP),
    filters=True,
    responses={200: FunnelSerializer},
    examples=[FUNNEL_EXAMPLE],
)
class FunnelView(GroupedDealsView):
    serializer_class = FunnelSerializer
    query_serializer_class = FunnelQuerySerializer
    cache_namespace = "deal-funnel"
    selector = staticmethod(funnel.deal_funnel)

    def selector_options(self) -> dict:
        # The reasons are kept in the deals' histories, which the public does not read.
        return {"with_reasons": access.role_of(self.request.user) is not access.Role.ANONYMOUS}

    def from_summaries(self, options: dict[str, Any]) -> funnel.Funnel | None:
        """The funnel of the readers of every deal, for the groupings and single-valued filters
        :mod:`deals.funnel_summaries` keeps, from its summaries."""
        if options["delegation_level"] is not None or not access.access_of(self.request.user).reads_everything:
            return None
        filters = self.single_filters(funnel_summaries.FILTERS)
        if filters is None:
            return None
        return funnel_summaries.funnel(group_by=options["group_by"], filters=filters)
