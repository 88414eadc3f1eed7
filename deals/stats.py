"""Statistics over deals, and reported figures set beside what the records say: the selectors
behind ``/api/stats/``. Everything is aggregated in the database, in a fixed number of queries
whatever the number of deals or figures."""

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
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from delegations.selectors import DelegationTree, delegation_tree
from expo import access
from expo.codes import COUNTRY_CHOICES
from expo.models import Edition, Expo, ReportedFigure

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
# How close an "about" figure must be to the computed value: within 5% of the figure.
ABOUT_TOLERANCE = Decimal("0.05")


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
    and the measures: ``deal_count``, ``value_usd`` (a ``Decimal`` per stage), ``buyers`` and
    ``sellers`` (distinct enterprises). ``totals`` has the measures over all the deals, each once."""

    group_by: tuple[str, ...]
    delegation_level: int | None
    rows: list[dict[str, Any]]
    totals: dict[str, Any]

    @property
    def count(self) -> int:
        return len(self.rows)


def _measures(*, distinct_deals: bool = False, parties: bool = True) -> dict[str, Any]:
    """The aggregates of a group: its deals (``distinct_deals`` where a deal can occur in more
    than one of its rows), their USD value per stage and, with ``parties``, distinct buyers and
    sellers."""
    # COUNT(*) rather than of ids: an index without the id can then answer the query alone.
    measures: dict[str, Any] = {"deal_count": Count("pk", distinct=True) if distinct_deals else Count("*")}
    if parties:
        measures["buyers"] = Count("buyer_id", distinct=True)
        measures["sellers"] = Count("seller_id", distinct=True)
    for stage in STAGES:
        measures[f"value_usd_{stage}"] = Coalesce(
            Sum("value_usd", filter=Q(stage=stage)), Value(Decimal("0.00")), output_field=MONEY
        )
    return measures


def _measures_of(aggregated: dict[str, Any]) -> dict[str, Any]:
    return {
        "deal_count": aggregated["deal_count"],
        "value_usd": {stage: Decimal(aggregated[f"value_usd_{stage}"]).quantize(CENT) for stage in STAGES},
        "buyers": aggregated["buyers"],
        "sellers": aggregated["sellers"],
    }


def _each_deal_once(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """``deals``, unordered, as a query that yields every deal once. That is ``deals`` itself
    when its filters only follow relations to one row (buyer, seller, edition…); a filter that
    joins line items or markets (or a DISTINCT, a slice, a combination) makes it a query by the
    deals' ids, which costs the database a second scan of the deals and a hash of their ids."""
    query = deals.query
    fans_out = any(
        isinstance(join, Join) and (join.join_field.one_to_many or join.join_field.many_to_many)
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
    """The deal count and USD values of groups that hold each deal once, added up."""
    return {
        "deal_count": sum(row["deal_count"] for row in rows),
        "value_usd": {stage: sum((row["value_usd"][stage] for row in rows), Decimal("0.00")) for stage in STAGES},
    }


def _rolled_up_delegation(tree: DelegationTree, level: int) -> Expression:
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


def _group_expressions(group_by: Sequence[str], delegation_level: int | None) -> dict[str, Expression]:
    delegation = F("delegation_id")
    if delegation_level is not None:
        delegation = _rolled_up_delegation(delegation_tree(), delegation_level)
    expressions: dict[str, Expression] = {
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


LABELLED = {
    "edition": Edition.objects.select_related("expo"),
    "expo": Expo.objects.all(),
    "delegation": Delegation.objects.all(),
    "category": Category.objects.all(),
    "market": Market.objects.all(),
}


def _label_rows(rows: list[dict[str, Any]], group_by: Sequence[str]) -> None:
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


def _sort_key(row: dict[str, Any], group_by: Sequence[str]) -> tuple:
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
    unknown = [key for key in group_by if key not in GROUP_KEYS]
    if unknown or len(set(group_by)) != len(group_by) or len(group_by) > MAX_GROUP_KEYS:
        raise ValueError(f"group_by must be up to {MAX_GROUP_KEYS} distinct keys of {GROUP_KEYS}, not {group_by}.")
    if delegation_level is not None and "delegation" not in group_by:
        raise ValueError("delegation_level rolls up the delegation groups: group by delegation too.")

    counted = _each_deal_once(deals)
    if not group_by:
        totals = _measures_of(counted.aggregate(**_measures(parties=False)) | _parties(counted))
        return DealStatistics((), None, [totals] if totals["deal_count"] else [], totals)

    expressions = _group_expressions(group_by, delegation_level)
    multi_valued = bool(MULTI_VALUED_KEYS.intersection(group_by))
    grouped = counted
    if "category" in group_by:
        # One row per deal and category, however many of the deal's line items are in it.
        grouped = grouped.annotate(group_line_item=F("line_items__id"), **expressions).filter(
            ~Exists(
                DealLineItem.objects.filter(
                    deal=OuterRef("pk"), category=OuterRef("group_category"), pk__lt=OuterRef("group_line_item")
                )
            )
        )
    else:
        grouped = grouped.annotate(**expressions)
    aggregated = grouped.values(*expressions).annotate(**_measures(distinct_deals=multi_valued)).order_by()

    rows = [
        {**{key: row[f"group_{key}"] for key in group_by}, **_measures_of(row)}
        for row in aggregated
        if row["deal_count"]
    ]
    if multi_valued:
        totals = _measures_of(counted.aggregate(**_measures()))
    else:
        # Each deal is in exactly one group: the groups add up to the totals, but for the
        # distinct buyers and sellers, which can repeat across groups.
        totals = {**_summed(rows), **_parties(counted)}
    rows.sort(key=lambda row: _sort_key(row, group_by))
    _label_rows(rows, group_by)
    return DealStatistics(tuple(group_by), delegation_level, rows, totals)


@dataclass(frozen=True)
class Reconciliation:
    """A reported figure beside the value computed from the records: ``computed`` (``None``
    where the records cannot give one), ``declared`` (what the participations themselves state,
    for registered organisations and professional audience), ``difference`` (computed − reported),
    whether the figure's qualifier ``holds``, and the ``basis`` of the computation in words.
    Money is in US dollars to the cent; counts are whole numbers."""

    figure: ReportedFigure
    computed: Decimal | None
    declared: Decimal | None
    difference: Decimal | None
    holds: bool | None
    basis: str


Metric = ReportedFigure.Metric
Qualifier = ReportedFigure.Qualifier


def qualifier_holds(*, qualifier: str, computed: Decimal, reported: Decimal) -> bool:
    """Whether ``computed`` bears the reported figure out: ``exact`` equal, ``more_than``
    greater, ``at_least`` greater or equal, ``about`` within 5% of the figure."""
    if qualifier == Qualifier.MORE_THAN:
        return computed > reported
    if qualifier == Qualifier.AT_LEAST:
        return computed >= reported
    if qualifier == Qualifier.ABOUT:
        return abs(computed - reported) <= reported * ABOUT_TOLERANCE
    return computed == reported


MONEY_METRICS = frozenset({Metric.TRADING_VOLUME, Metric.INTENTION_ORDER_VOLUME})
TRADED_STAGES = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED)


@dataclass(frozen=True)
class _Run:
    """What a figure is about: a delegation's subtree at a run of editions."""

    figure: ReportedFigure
    delegations: frozenset[int]
    editions: frozenset[int]
    parent: Delegation | None
    described: str

    @property
    def records(self) -> Q:
        """Deals or participations of the run."""
        return Q(delegation_id__in=self.delegations, edition_id__in=self.editions)

    @property
    def of_participations(self) -> Q:
        """Settlements or activities of the run's participations."""
        return Q(participation__delegation_id__in=self.delegations, participation__edition_id__in=self.editions)


def _describe(figure: ReportedFigure, subtree: set[int], run: list[Edition]) -> str:
    delegation = figure.delegation.name
    below = len(subtree) - 1
    if below:
        delegation += f" and the {below} delegation{'s' if below > 1 else ''} below it"
    edition = figure.edition
    count = figure.consecutive_editions
    if count == 1:
        return f"{delegation} at the {edition}"
    on_record = ", ".join(str(each) for each in run)
    return (
        f"{delegation} at the {count} editions of {edition.expo} up to the {edition} "
        f"({len(run)} of them on record: {on_record})"
    )


# The aggregate each metric needs over its source's rows, for one figure's run.
def _deal_aggregate(run: _Run):
    metric = run.figure.metric
    if metric == Metric.TRADING_VOLUME:
        return Coalesce(
            Sum("value_usd", filter=run.records & Q(stage__in=TRADED_STAGES)), Value(Decimal(0)), output_field=MONEY
        )
    if metric == Metric.INTENTION_ORDER_VOLUME:
        return Coalesce(
            Sum("value_usd", filter=run.records & Q(stage=Deal.Stage.INTENTION)), Value(Decimal(0)), output_field=MONEY
        )
    return Count("edition_id", distinct=True, filter=run.records & Q(first_deal_of_id=run.parent.pk))


BASES = {
    Metric.TRADING_VOLUME: "USD value of the signed and executed deals (those you may read) of {run}.",
    Metric.INTENTION_ORDER_VOLUME: "USD value of the deals at the intention stage (those you may read) of {run}.",
    Metric.REGISTERED_ORGANISATIONS: (
        "Enterprises registered by name with the participations of {run}; the participations declare {declared}."
    ),
    Metric.PROFESSIONAL_AUDIENCE: "Professional audience the participations of {run} declare.",
    Metric.SETTLEMENTS_CONFIRMED: "Confirmed settlements recorded for the participations of {run}.",
    Metric.SETTLEMENTS_INTENDED: "Intended settlements recorded for the participations of {run}.",
    Metric.PROMOTIONAL_ACTIVITIES: "Promotional activities recorded for the participations of {run}.",
    Metric.FIRST_ORDERS_OF_PARENT: (
        "Editions at which a deal (one you may read) of {run} was the first deal of the {parent}."
    ),
}


def _aggregate(queryset: QuerySet, aggregates: dict[str, Any]) -> dict[str, Any]:
    return queryset.order_by().aggregate(**aggregates) if aggregates else {}


def figure_reconciliations(*, figures: Sequence[ReportedFigure], user) -> list[Reconciliation]:
    """Each figure beside the value computed from the records ``user`` may read, for the
    figure's delegation and every delegation below it, at the figure's run of editions (the
    ``consecutive_editions`` editions of its expo up to and including ``edition``, by number):

    - ``trading_volume``: USD value of signed and executed deals; ``intention_order_volume``:
      of deals at the intention stage;
    - ``registered_organisations``: distinct enterprises registered by name with the
      participations (their declared numbers in ``declared``);
    - ``professional_audience``: the participations' declared audience;
    - ``settlements_confirmed`` / ``settlements_intended``: settlements by status;
      ``promotional_activities``: activities;
    - ``first_orders_of_parent``: editions at which one of the deals was the first deal of the
      figure's delegation's parent.

    A figure without a delegation or an edition, about the parent of a delegation at the top, or
    in money other than USD has no computed value. Queries: at most eight, whatever the number
    of figures (``figures`` should come with their delegation and edition's expo)."""
    figures = list(figures)
    comparable = [figure for figure in figures if figure.delegation_id and figure.edition_id]
    tree = delegation_tree() if comparable else DelegationTree(parents={})
    numbers: dict[tuple[int, int], Edition] = {}
    if comparable:
        expos = {figure.edition.expo_id for figure in comparable}
        numbers = {(e.expo_id, e.number): e for e in Edition.objects.select_related("expo").filter(expo_id__in=expos)}
    parent_ids = {tree.parents.get(figure.delegation_id) for figure in comparable} - {None}
    parents = Delegation.objects.in_bulk(parent_ids) if parent_ids else {}

    runs: dict[int, _Run] = {}
    refused: dict[int, str] = {}
    for figure in figures:
        if not (figure.delegation_id and figure.edition_id):
            refused[figure.pk] = "The figure names no delegation or no edition: there is nothing to compute it from."
            continue
        if figure.metric in MONEY_METRICS and figure.currency != "USD":
            refused[figure.pk] = f"Deals are summed in USD; this figure is in {figure.currency}."
            continue
        parent_id = tree.parents.get(figure.delegation_id)
        if figure.metric == Metric.FIRST_ORDERS_OF_PARENT and parent_id is None:
            refused[figure.pk] = f"The {figure.delegation} has no delegation above it."
            continue
        last = figure.edition.number
        run = [
            numbers[(figure.edition.expo_id, number)]
            for number in range(max(1, last - figure.consecutive_editions + 1), last + 1)
            if (figure.edition.expo_id, number) in numbers
        ]
        subtree = tree.subtree(figure.delegation_id)
        runs[figure.pk] = _Run(
            figure=figure,
            delegations=frozenset(subtree),
            editions=frozenset(each.pk for each in run),
            parent=parents.get(parent_id),
            described=_describe(figure, subtree, run),
        )

    def wanted(*metrics: str) -> list[_Run]:
        return [run for run in runs.values() if run.figure.metric in metrics]

    def alias(run: _Run) -> str:
        return f"figure_{run.figure.pk}"

    deals = access.scope_for_read(Deal.objects.all(), user)
    participations = access.scope_for_read(Participation.objects.all(), user)
    settlements = access.scope_for_read(Settlement.objects.all(), user)
    activities = access.scope_for_read(PromotionalActivity.objects.all(), user)
    deal_metrics = (Metric.TRADING_VOLUME, Metric.INTENTION_ORDER_VOLUME, Metric.FIRST_ORDERS_OF_PARENT)
    declared_metrics = (Metric.REGISTERED_ORGANISATIONS, Metric.PROFESSIONAL_AUDIENCE)
    declared_field = {
        Metric.REGISTERED_ORGANISATIONS: "registered_organisations",
        Metric.PROFESSIONAL_AUDIENCE: "professional_audience",
    }
    status = {Metric.SETTLEMENTS_CONFIRMED: "confirmed", Metric.SETTLEMENTS_INTENDED: "intended"}

    computed: dict[str, Any] = {}
    computed |= _aggregate(deals, {alias(run): _deal_aggregate(run) for run in wanted(*deal_metrics)})
    computed |= _aggregate(
        participations,
        {
            alias(run): Count("enterprises", distinct=True, filter=run.records)
            for run in wanted(Metric.REGISTERED_ORGANISATIONS)
        },
    )
    declared = _aggregate(
        participations,
        {alias(run): Sum(declared_field[run.figure.metric], filter=run.records) for run in wanted(*declared_metrics)},
    )
    computed |= _aggregate(
        settlements,
        {
            alias(run): Count("pk", filter=run.of_participations & Q(status=status[run.figure.metric]))
            for run in wanted(*status)
        },
    )
    computed |= _aggregate(
        activities,
        {alias(run): Count("pk", filter=run.of_participations) for run in wanted(Metric.PROMOTIONAL_ACTIVITIES)},
    )

    results = []
    for figure in figures:
        run = runs.get(figure.pk)
        if run is None:
            results.append(Reconciliation(figure, None, None, None, None, refused[figure.pk]))
            continue
        key = alias(run)
        stated = declared.get(key)
        stated = None if stated is None else Decimal(stated)
        value = stated if figure.metric == Metric.PROFESSIONAL_AUDIENCE else computed.get(key)
        basis = BASES[figure.metric].format(
            run=run.described,
            declared="nothing" if stated is None else f"{stated:,} in all",
            parent=run.parent,
        )
        if value is None:
            results.append(Reconciliation(figure, None, stated, None, None, basis + " No participation declares it."))
            continue
        value = Decimal(value).quantize(CENT) if figure.metric in MONEY_METRICS else Decimal(value)
        difference = value - figure.value
        if figure.metric not in MONEY_METRICS:
            difference = difference.quantize(Decimal(1))
        holds = qualifier_holds(qualifier=figure.qualifier, computed=value, reported=figure.value)
        results.append(Reconciliation(figure, value, stated, difference, holds, basis))
    return results
