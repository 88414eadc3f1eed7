"""Statistics over deals: the selector behind ``/api/stats/deals/``. Everything is aggregated in
the database, in a fixed number of queries whatever the number of deals."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.db.models.sql.datastructures import Join

from deals.models import Category, Deal, DealLineItem, Market
from delegations.models import Delegation, Enterprise
from delegations.selectors import DelegationTree, delegation_tree
from expo.models import Edition, Expo
from framework.codes import COUNTRY_CHOICES

GROUP_KEYS = (
    "edition",
    "expo",
    "delegation",
    "buyer_country",
    "seller_country",
    "category",
    "market",
    "stage",
    "month",
)
MAX_GROUP_KEYS = 3
# Keys under which a deal can fall into several groups (one per line item's category, per market).
MULTI_VALUED_KEYS = frozenset({"category", "market"})
STAGES: tuple[str, ...] = tuple(Deal.Stage.values)
# Sums of many deals can outgrow a single deal's 20 digits.
MONEY = DecimalField(max_digits=28, decimal_places=2)
CENT = Decimal("0.01")
COUNTRY_NAMES = dict(COUNTRY_CHOICES)


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 alpha-2 code with the country's name."""

    code: str
    name: str


@dataclass(frozen=True)
class DealStatistics:
    """Deal measures per group, and over every deal counted.

    Each row has a value for each key of ``group_by`` (a record such as an ``Edition``, a
    :class:`Country`, a stage, a ``"YYYY-MM"`` month, or ``None`` for the deals without one)
    and the measures: ``deal_count``, ``value_usd`` (a ``Decimal`` per stage, the sum of the
    deals with a value: a deal whose value no source gives is left out, never counted as zero),
    ``unvalued_count`` (the group's deals with no value), ``buyers`` and ``sellers`` (distinct
    enterprises). ``totals`` has the measures over all the deals, each once."""

    group_by: tuple[str, ...]
    delegation_level: int | None
    rows: list[dict[str, Any]]
    totals: dict[str, Any]

    @property
    def count(self) -> int:
        return len(self.rows)


def _measures(*, distinct_deals: bool = False, parties: bool = True) -> dict[str, Any]:
    """The aggregates of a group: its deals (``distinct_deals`` where a deal can occur in more
    than one of its rows) and those of them with a value, their USD value per stage (SUM leaves
    out the deals with none) and, with ``parties``, distinct buyers and sellers."""
    # COUNT(*) rather than of ids: an index without the id can then answer the query alone.
    measures: dict[str, Any] = {
        "deal_count": Count("pk", distinct=True) if distinct_deals else Count("*"),
        "valued_count": (
            Count("pk", distinct=True, filter=Q(value_usd__isnull=False)) if distinct_deals else Count("value_usd")
        ),
    }
    if parties:
        measures["buyers"] = Count("buyer_id", distinct=True)
        measures["sellers"] = Count("seller_id", distinct=True)
    for stage in STAGES:
        measures[f"value_usd_{stage}"] = Coalesce(
            Sum("value_usd", filter=Q(stage=stage)), Value(Decimal("0.00")), output_field=MONEY
        )
    return measures


def measures_of(aggregated: dict[str, Any]) -> dict[str, Any]:
    return {
        "deal_count": aggregated["deal_count"],
        "value_usd": {stage: Decimal(aggregated[f"value_usd_{stage}"]).quantize(CENT) for stage in STAGES},
        "unvalued_count": aggregated["deal_count"] - aggregated["valued_count"],
        "buyers": aggregated["buyers"],
        "sellers": aggregated["sellers"],
    }


def each_deal_once(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """``deals``, unordered, as a query that yields every deal once. That is ``deals`` itself
    when its filters only follow relations to one row (buyer, seller, edition…); a filter that
    joins line items or markets (or a DISTINCT, a slice, a combination) makes it a query by the
    deals' ids, which costs the database a second scan of the deals and a hash of their ids."""
    query = deals.query
    fans_out = any(
        # A join's field is a relation; the stubs know it only as a FieldCacheMixin.
        isinstance(join, Join) and (join.join_field.one_to_many or join.join_field.many_to_many)  # type: ignore[attr-defined]
        for join in query.alias_map.values()
    )
    if fans_out or query.distinct or query.is_sliced or query.combinator or query.annotations:
        return Deal.objects.filter(pk__in=deals.values("pk")).order_by()
    return deals.order_by()


def _parties(deals: QuerySet[Deal]) -> dict[str, int]:
    """How many distinct enterprises bought and sold in ``deals`` (each deal once), in one query:
    the enterprises with a deal in each role. The database probes each enterprise's deals or
    hashes the deals' buyer (seller) ids, whichever is cheaper, rather than sorting every deal
    once per role as a ``COUNT(DISTINCT …)`` over the deals does."""

    def enterprises_in(role: str) -> QuerySet:
        return (
            Enterprise.objects.filter(Exists(deals.filter(**{role: OuterRef("pk")})))
            .order_by()
            .annotate(role=Value(role))
            .values("role")
            .annotate(count=Count("pk"))
            .values_list("role", "count")
        )

    counts = dict(enterprises_in("buyer").union(enterprises_in("seller"), all=True))
    return {"buyers": counts["buyer"], "sellers": counts["seller"]}


def _summed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The deal counts and USD values of groups that hold each deal once, added up."""
    return {
        "deal_count": sum(row["deal_count"] for row in rows),
        "value_usd": {stage: sum((row["value_usd"][stage] for row in rows), Decimal("0.00")) for stage in STAGES},
        "unvalued_count": sum(row["unvalued_count"] for row in rows),
    }


def _rolled_up_delegation(tree: DelegationTree, level: int) -> Expression | F:
    """The deal's delegation, or its ancestor at depth ``level`` where the delegation is deeper."""
    members: dict[int, list[int]] = defaultdict(list)
    for delegation_id in tree.parents:
        ancestor = tree.ancestor_at(delegation_id, level)
        if ancestor != delegation_id:
            members[ancestor].append(delegation_id)
    if not members:
        return F("delegation_id")
    return Case(
        *(When(delegation_id__in=sorted(ids), then=Value(ancestor)) for ancestor, ids in sorted(members.items())),
        default=F("delegation_id"),
        output_field=IntegerField(),
    )


def _group_expressions(group_by: Sequence[str], delegation_level: int | None) -> dict[str, Expression | F]:
    delegation: Expression | F = F("delegation_id")
    if delegation_level is not None:
        delegation = _rolled_up_delegation(delegation_tree(), delegation_level)
    expressions: dict[str, Expression | F] = {
        "edition": F("edition_id"),
        "expo": F("edition__expo_id"),
        "delegation": delegation,
        "buyer_country": NullIf(F("buyer__country"), Value("")),
        "seller_country": NullIf(F("seller__country"), Value("")),
        "category": F("line_items__category_id"),
        "market": F("markets__id"),
        "stage": F("stage"),
        "month": TruncMonth("signed_on"),
    }
    # In the order of GROUP_KEYS, whatever the order asked for: grouped by edition and delegation,
    # the deals are then read in the order of the index deal_edition_delegation_idx, unsorted.
    return {f"group_{key}": expressions[key] for key in GROUP_KEYS if key in group_by}


def check_grouping(group_by: Sequence[str], delegation_level: int | None, *, keys: Sequence[str] = GROUP_KEYS) -> None:
    """Raise ``ValueError`` unless ``group_by`` is up to ``MAX_GROUP_KEYS`` distinct ``keys``, and
    ``delegation_level`` is given only with the delegation among them."""
    unknown = [key for key in group_by if key not in keys]
    if unknown or len(set(group_by)) != len(group_by) or len(group_by) > MAX_GROUP_KEYS:
        raise ValueError(f"group_by must be up to {MAX_GROUP_KEYS} distinct keys of {tuple(keys)}, not {group_by}.")
    if delegation_level is not None and "delegation" not in group_by:
        raise ValueError("delegation_level rolls up the delegation groups: group by delegation too.")


def grouped_deals(
    deals: QuerySet[Deal], *, group_by: Sequence[str], delegation_level: int | None = None
) -> tuple[QuerySet[Deal], list[str]]:
    """``deals`` (each once, see :func:`each_deal_once`) with each key of ``group_by`` annotated as
    ``group_<key>``, and the names of those annotations, in the order to group by. By category,
    a deal is there once per category of its line items; by market, once per market; deals with
    none once, with the key ``None``."""
    expressions = _group_expressions(group_by, delegation_level)
    if "category" in group_by:
        # One row per deal and category, however many of the deal's line items are in it.
        grouped = deals.annotate(group_line_item=F("line_items__id"), **expressions).filter(
            ~Exists(
                DealLineItem.objects.filter(
                    deal=OuterRef("pk"), category=OuterRef("group_category"), pk__lt=OuterRef("group_line_item")
                )
            )
        )
    else:
        grouped = deals.annotate(**expressions)
    return grouped, list(expressions)


LABELLED = {
    "edition": Edition.objects.select_related("expo"),
    "expo": Expo.objects.all(),
    "delegation": Delegation.objects.all(),
    "category": Category.objects.all(),
    "market": Market.objects.all(),
}


def label_rows(rows: list[dict[str, Any]], group_by: Sequence[str]) -> None:
    """Replace each key's raw value (an id, a code, a date) with what a reader sees."""
    for key in group_by:
        values = [row[key] for row in rows if row[key] is not None]
        if key in LABELLED:
            records = LABELLED[key].all().in_bulk(set(values)) if values else {}
            for row in rows:
                row[key] = records.get(row[key])
        elif key in ("buyer_country", "seller_country"):
            for row in rows:
                row[key] = None if row[key] is None else Country(row[key], COUNTRY_NAMES.get(row[key], row[key]))
        elif key == "month":
            for row in rows:
                row[key] = None if row[key] is None else row[key].strftime("%Y-%m")


def sort_key(row: dict[str, Any], group_by: Sequence[str]) -> tuple:
    """Groups by their raw keys: records by id, countries by code, stages in their order from
    intention to cancelled, months in time; the group of deals without a value last."""
    parts = []
    for key in group_by:
        value = row[key]
        if value is None:
            parts.append((1, 0))
        elif key == "stage":
            parts.append((0, STAGES.index(value)))
        else:
            parts.append((0, value))
    return tuple(parts)


def deal_statistics(
    *, deals: QuerySet[Deal], group_by: Sequence[str] = (), delegation_level: int | None = None
) -> DealStatistics:
    """The measures of ``deals`` (already scoped to the caller and filtered) per group of up to
    three ``GROUP_KEYS``, and in total.

    - ``delegation_level`` (with ``delegation`` in ``group_by``) puts each deal under its
      delegation's ancestor at that depth (0 = top); deals of shallower delegations stay under
      their own. Distinct buyers and sellers are counted across the whole rolled-up group.
    - By ``category`` or ``market``, a deal counts once in the group of each of its categories
      (or markets), so the groups can add up to more than the totals; deals with none form the
      ``None`` group. Totals count every deal once.
    - Groups without deals are not listed; without ``group_by`` the one group is all the deals.

    Queries: two, plus one to label each kind of record grouped by, plus one for the delegation
    tree when rolling up."""
    check_grouping(group_by, delegation_level)

    counted = each_deal_once(deals)
    if not group_by:
        totals = measures_of(counted.aggregate(**_measures(parties=False)) | _parties(counted))
        return DealStatistics((), None, [totals] if totals["deal_count"] else [], totals)

    multi_valued = bool(MULTI_VALUED_KEYS.intersection(group_by))
    grouped, names = grouped_deals(counted, group_by=group_by, delegation_level=delegation_level)
    aggregated = grouped.values(*names).annotate(**_measures(distinct_deals=multi_valued)).order_by()

    rows = [
        {**{key: row[f"group_{key}"] for key in group_by}, **measures_of(row)}
        for row in aggregated
        if row["deal_count"]
    ]
    if multi_valued:
        totals = measures_of(counted.aggregate(**_measures()))
    else:
        # Each deal is in exactly one group: the groups add up to the totals, but for the
        # distinct buyers and sellers, which can repeat across groups.
        totals = {**_summed(rows), **_parties(counted)}
    rows.sort(key=lambda row: sort_key(row, group_by))
    label_rows(rows, group_by)
    return DealStatistics(tuple(group_by), delegation_level, rows, totals)
