"""The pipeline funnel: the selector behind ``/api/stats/funnel/``. How many deals, and how much
USD value, entered each stage, the share that moved on, how long signing took, and why deals were
cancelled, per group, from the stage-change history. Everything is aggregated in the database, in
a fixed number of queries whatever the number of deals.

Every deal is created as an intention (``deals.services.deal_create``), and every later move is a
``DealStageChange`` written by ``deals.services`` (and by the demo generator, as they write it):
a deal entered intention when it was created, and signed, executed or cancelled when a change to
that stage was recorded. No move leads back to intention, so a deal leaves it at most once: its
rows joined with its changes hold it once with no change (still an intention) or once with the
change from intention (signed, or cancelled as an intention), and once more per later move."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    F,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, RowNumber

from deals import stats
from deals.models import Deal

Stage = Deal.Stage
GROUP_KEYS = ("edition", "expo", "delegation", "buyer_country", "seller_country", "category", "market")
# Each share: (the stage moved on to, the stage it is a share of).
SHARES = {
    "signed_of_intention": (Stage.SIGNED, Stage.INTENTION),
    "executed_of_signed": (Stage.EXECUTED, Stage.SIGNED),
    "cancelled_of_intention": (Stage.CANCELLED, Stage.INTENTION),
}
SHARE_PLACES = Decimal("0.0001")
DAY_PLACES = Decimal("0.01")
MICROSECONDS_PER_DAY = 86_400 * 10**6
# The stages a deal is cancelled from (deals.services.TRANSITIONS).
CANCELLED_FROM = (Stage.INTENTION, Stage.SIGNED)


@dataclass(frozen=True)
class Funnel:
    """The funnel per group of ``group_by`` (records, countries or ``None`` as in
    :class:`deals.stats.DealStatistics`). Each row has its keys, then ``entered`` (per stage: the
    deals that entered it, ``deal_count``, their ``value_usd`` summed over those with a value and
    ``unvalued_count`` of those without), ``moved_on`` (each share of :data:`SHARES` as a
    ``Decimal``, ``None`` where its base is no deal), ``median_days_to_sign`` (a ``Decimal``, or
    ``None`` where no deal was signed) and ``cancellations`` (per reason, most deals first)."""

    group_by: tuple[str, ...]
    delegation_level: int | None
    rows: list[dict[str, Any]]

    @property
    def count(self) -> int:
        return len(self.rows)


class MedianDuration(Aggregate):
    """The median of a duration, interpolated between the two middle values of an even count
    (PostgreSQL's ``percentile_cont``)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_in_database() -> bool:
    """Whether the database takes the median itself (:class:`MedianDuration`); elsewhere the
    middle values of each group are read and averaged."""
    return connection.vendor == "postgresql"


def _entered(stage: str) -> Q:
    """The joined rows (a deal with one of its changes, or with none) that count a deal once as
    having entered ``stage``."""
    if stage == Stage.INTENTION:
        return Q(stage_changes__isnull=True) | Q(stage_changes__from_stage=Stage.INTENTION)
    return Q(stage_changes__to_stage=stage)


def _money(total: Decimal | None) -> Decimal:
    return Decimal(total or 0).quantize(stats.CENT)


def _stage_measures() -> dict[str, Any]:
    measures: dict[str, Any] = {}
    for stage in stats.STAGES:
        entered = _entered(stage)
        measures[f"{stage}_count"] = Count("pk", filter=entered)
        measures[f"{stage}_valued"] = Count("value_usd", filter=entered)
        measures[f"{stage}_value_usd"] = Coalesce(
            Sum("value_usd", filter=entered), Value(Decimal("0.00")), output_field=stats.MONEY
        )
    return measures


def _waiting() -> CombinedExpression:
    """A signed deal's time from its creation (as an intention) to its move to signed."""
    return F("stage_changes__changed_at") - F("created_at")


def _per_group(queryset: QuerySet, names: Sequence[str], **aggregates: Any) -> list[dict[str, Any]]:
    if not names:
        return [queryset.aggregate(**aggregates)]
    return list(queryset.values(*names).annotate(**aggregates).order_by())


def _days(waited: datetime.timedelta) -> Decimal:
    microseconds = (waited.days * 86_400 + waited.seconds) * 10**6 + waited.microseconds
    return (Decimal(microseconds) / MICROSECONDS_PER_DAY).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)


def _middle_waits(grouped: QuerySet[Deal], names: Sequence[str]) -> dict[tuple, datetime.timedelta]:
    """The median wait for signing per group, where the database has no median: each group's
    signed deals are numbered in order of their wait, and the one or two in the middle read and
    averaged (``percentile_cont``'s interpolation), in one query."""
    partition = [F(name) for name in names] or None
    middle = (
        grouped.filter(stage_changes__to_stage=Stage.SIGNED)
        .annotate(
            waited=_waiting(),
            position=Window(RowNumber(), partition_by=partition, order_by=F("waited").asc()),
            signed=Window(Count("*"), partition_by=partition),
        )
        # Positions p with n <= 2p <= n + 2: the middle one of an odd n, the middle two of an even n.
        .annotate(twice=F("position") * 2)
        .filter(twice__gte=F("signed"), twice__lte=F("signed") + 2)
        .values_list(*names, "waited")
        .order_by()
    )
    waits: dict[tuple, list[datetime.timedelta]] = {}
    for *key, waited in middle:
        waits.setdefault(tuple(key), []).append(waited)
    return {key: sum(values, datetime.timedelta()) / len(values) for key, values in waits.items()}


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def cancellation(
    *, reason: str | None, deal_count: int, valued_count: int, value_usd: Decimal | None, from_stage: dict[str, int]
) -> dict[str, Any]:
    """One entry of a group's ``cancellations``."""
    return {
        "reason": reason,
        "deal_count": deal_count,
        "value_usd": _money(value_usd),
        "unvalued_count": deal_count - valued_count,
        "from_stage": from_stage,
    }


def funnel_row(
    *,
    keys: dict[str, Any],
    measures: dict[str, Any],
    waited: datetime.timedelta | None,
    cancellations: list[dict[str, Any]],
) -> dict[str, Any]:
    """One group of a :class:`Funnel`: its ``keys``, then its funnel from ``measures`` (per stage,
    ``{stage}_count``, ``{stage}_valued`` and ``{stage}_value_usd``), the median wait to signing
    and its :func:`cancellation` entries."""
    entered = {
        stage: {
            "deal_count": measures[f"{stage}_count"],
            "value_usd": _money(measures[f"{stage}_value_usd"]),
            "unvalued_count": measures[f"{stage}_count"] - measures[f"{stage}_valued"],
        }
        for stage in stats.STAGES
    }
    return {
        **keys,
        "entered": entered,
        "moved_on": {
            name: _share(entered[part]["deal_count"], entered[whole]["deal_count"])
            for name, (part, whole) in SHARES.items()
        },
        "median_days_to_sign": None if waited is None else _days(waited),
        "cancellations": sorted(cancellations, key=lambda entry: (-entry["deal_count"], entry["reason"] or "")),
    }


def deal_funnel(
    *,
    deals: QuerySet[Deal],
    group_by: Sequence[str] = (),
    delegation_level: int | None = None,
    with_reasons: bool = True,
) -> Funnel:
    """The funnel of ``deals`` (already scoped to the caller and filtered) per group of up to
    three :data:`GROUP_KEYS`; ``delegation_level`` rolls delegations up as in
    :func:`deals.stats.deal_statistics`, and by category or market a deal is in the group of
    each of its categories (markets). Groups without deals are not listed; without ``group_by``
    the one group is all the deals.

    - A deal counts at every stage it entered: a signed deal as an intention and as signed, an
      executed one at three stages. The stages are never added together.
    - ``median_days_to_sign``: the days, to the hundredth, from a deal's creation to its move to
      signed as recorded (the stage change's time; ``signed_on`` is the day the parties signed,
      which a deal recorded after the fact may hold from before its creation), over the group's
      signed deals.
    - ``cancellations``: per reason as given (``None`` for all of them at once without
      ``with_reasons``), the deals cancelled and the stage they were cancelled from.

    Queries: two (three where the database takes no median), plus one to label each kind of
    record grouped by, plus one for the delegation tree when rolling up."""
    stats.check_grouping(group_by, delegation_level, keys=GROUP_KEYS)
    grouped, names = stats.grouped_deals(
        stats.each_deal_once(deals), group_by=group_by, delegation_level=delegation_level
    )
    measures = _stage_measures()
    in_database = median_in_database()
    if in_database:
        measures["median_wait"] = MedianDuration(_waiting(), filter=Q(stage_changes__to_stage=Stage.SIGNED))
    aggregated = [row for row in _per_group(grouped, names, **measures) if row[f"{Stage.INTENTION}_count"]]
    median_waits = (
        {tuple(row[name] for name in names): row["median_wait"] for row in aggregated}
        if in_database
        else _middle_waits(grouped, names)
    )

    reason = F("stage_changes__reason") if with_reasons else Value(None, output_field=TextField())
    cancelled = grouped.filter(stage_changes__to_stage=Stage.CANCELLED).annotate(cancellation_reason=reason)
    cancellations: dict[tuple, list[dict[str, Any]]] = {}
    for row in _per_group(
        cancelled,
        [*names, "cancellation_reason"],
        deal_count=Count("*"),
        valued_count=Count("value_usd"),
        value_usd=Coalesce(Sum("value_usd"), Value(Decimal("0.00")), output_field=stats.MONEY),
        **{f"from_{stage}": Count("pk", filter=Q(stage_changes__from_stage=stage)) for stage in CANCELLED_FROM},
    ):
        cancellations.setdefault(tuple(row[name] for name in names), []).append(
            cancellation(
                reason=row["cancellation_reason"],
                deal_count=row["deal_count"],
                valued_count=row["valued_count"],
                value_usd=row["value_usd"],
                from_stage={stage: row[f"from_{stage}"] for stage in CANCELLED_FROM},
            )
        )

    rows = []
    for row in aggregated:
        group = tuple(row[name] for name in names)
        rows.append(
            funnel_row(
                keys={key: row[f"group_{key}"] for key in group_by},
                measures=row,
                waited=median_waits.get(group),
                cancellations=cancellations.get(group, []),
            )
        )
    rows.sort(key=lambda row: stats.sort_key(row, group_by))
    stats.label_rows(rows, group_by)
    return Funnel(tuple(group_by), delegation_level, rows)
