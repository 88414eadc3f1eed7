"""Reported figures set beside what the records say: the selector behind
``/api/stats/reconciliation/``. Each figure shows its preferred statement beside the others, says
whether its sources disagree, and is compared with the value computed from the records. Everything
is aggregated in the database, in a fixed number of queries whatever the number of figures."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from deals.models import Deal
from deals.stats import CENT, MONEY
from delegations.models import Delegation, Participation, PromotionalActivity, Settlement
from delegations.selectors import DelegationTree, delegation_tree
from expo.models import Edition
from figures.models import FigureStatement, ReportedFigure
from framework import access

# How close an "about" figure must be to the computed value: within 5% of the figure.
ABOUT_TOLERANCE = Decimal("0.05")

Metric = ReportedFigure.Metric
Qualifier = FigureStatement.Qualifier
Rank = FigureStatement.Rank


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


@dataclass(frozen=True)
class _Bound:
    value: Decimal
    open: bool


def _bounds(qualifier: str, value: Decimal) -> tuple[_Bound, _Bound | None]:
    """The values a statement allows: from the lower bound to the upper (``None``: no upper)."""
    if qualifier == Qualifier.MORE_THAN:
        return _Bound(value, True), None
    if qualifier == Qualifier.AT_LEAST:
        return _Bound(value, False), None
    if qualifier == Qualifier.ABOUT:
        return _Bound(value * (1 - ABOUT_TOLERANCE), False), _Bound(value * (1 + ABOUT_TOLERANCE), False)
    return _Bound(value, False), _Bound(value, False)


def statements_disagree(statements: Sequence[tuple[str, Decimal]]) -> bool:
    """Whether the ``(qualifier, value)`` statements cannot all be true of one value: exactly 4
    and exactly 6 disagree, more than 4 and exactly 6 agree, about 100 (95 to 105) and more
    than 105 disagree."""
    lower: _Bound | None = None
    upper: _Bound | None = None
    for qualifier, value in statements:
        low, high = _bounds(qualifier, value)
        if lower is None or low.value > lower.value or (low.value == lower.value and low.open):
            lower = low
        if high is not None and (
            upper is None or high.value < upper.value or (high.value == upper.value and high.open)
        ):
            upper = high
    if lower is None or upper is None:
        return False
    return lower.value > upper.value or (lower.value == upper.value and (lower.open or upper.open))


@dataclass(frozen=True)
class StatementWeighed:
    """One statement of a figure in its reconciliation: the statement, whether it is the
    figure's preferred one, and whether the computed value bears it out (``None``: not compared)."""

    statement: FigureStatement
    preferred: bool
    holds: bool | None

    # What the serializer shows of the statement.
    def __getattr__(self, name: str) -> Any:
        return getattr(self.statement, name)

    @property
    def source_title(self) -> str | None:
        return self.statement.source.title if self.statement.source else None


@dataclass(frozen=True)
class RecordedFirstOrder:
    """A deal that was the first deal of the figure's parent delegation at an edition of its run."""

    deal: int
    title: str
    edition: int
    edition_name: str
    value_usd: Decimal | None


@dataclass(frozen=True)
class Reconciliation:
    """A reported figure beside the value computed from the records: its ``statements``
    (preferred first) and whether they ``disagree``; ``computed`` (``None`` where the records
    cannot give one), ``declared`` (what the participations themselves state, for registered
    organisations and professional audience), ``difference`` (computed − the preferred value),
    whether the preferred value's qualifier ``holds``, how many deals of the run were left out
    for having no USD value (``unvalued_deals``, for money), the recorded ``first_orders`` (for
    first orders of the parent) and the ``basis`` of the computation in words. Money is in US
    dollars to the cent; counts are whole numbers."""

    figure: ReportedFigure
    statements: list[StatementWeighed]
    disagreement: bool
    computed: Decimal | None
    declared: Decimal | None
    difference: Decimal | None
    holds: bool | None
    basis: str
    unvalued_deals: int | None = None
    first_orders: list[RecordedFirstOrder] = field(default_factory=list)


DEAL_METRICS = frozenset({Metric.TRADING_VOLUME, Metric.INTENTION_ORDER_VOLUME, Metric.FIRST_ORDERS_OF_PARENT})
SUMMED_METRICS = frozenset({Metric.TRADING_VOLUME, Metric.INTENTION_ORDER_VOLUME})
TRADED_STAGES = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED)
STAGES: dict[str, Q] = {
    Metric.TRADING_VOLUME: Q(stage__in=TRADED_STAGES),
    Metric.INTENTION_ORDER_VOLUME: Q(stage=Deal.Stage.INTENTION),
}


@dataclass(frozen=True)
class _Run:
    """What a figure is about: a delegation's subtree, an enterprise or a whole edition, at a run
    of editions."""

    figure: ReportedFigure
    delegations: frozenset[int] | None
    editions: frozenset[int]
    parent: Delegation | None
    described: str

    @property
    def records(self) -> Q:
        """Deals or participations of the run."""
        condition = Q(edition_id__in=self.editions)
        if self.delegations is not None:
            condition &= Q(delegation_id__in=self.delegations)
        return condition

    @property
    def deals(self) -> Q:
        """Deals of the run: an enterprise's as buyer or seller."""
        enterprise = self.figure.enterprise_id
        if enterprise is None:
            return self.records
        return Q(edition_id__in=self.editions) & (Q(buyer_id=enterprise) | Q(seller_id=enterprise))

    @property
    def of_participations(self) -> Q:
        """Settlements or activities of the run's participations."""
        condition = Q(participation__edition_id__in=self.editions)
        if self.delegations is not None:
            condition &= Q(participation__delegation_id__in=self.delegations)
        return condition


def _describe(figure: ReportedFigure, subtree: set[int] | None, run: list[Edition]) -> str:
    if figure.enterprise is not None:
        subject = f"{figure.enterprise} (as buyer or seller)"
    elif figure.delegation is not None:
        subject = figure.delegation.name
        below = len(cast(set[int], subtree)) - 1
        if below:
            subject += f" and the {below} delegation{'s' if below > 1 else ''} below it"
    else:
        subject = "every delegation"
    edition = figure.edition
    count = figure.consecutive_editions
    if count == 1:
        return f"{subject} at the {edition}"
    on_record = ", ".join(str(each) for each in run)
    return (
        f"{subject} at the {count} editions of {edition.expo} up to the {edition} "
        f"({len(run)} of them on record: {on_record})"
    )


def _deal_aggregates(run: _Run, alias: str) -> dict[str, Any]:
    metric = run.figure.metric
    if metric in SUMMED_METRICS:
        # Deals with no USD value are left out of the sum, never counted as zero, and counted apart.
        condition = run.deals & STAGES[metric]
        return {
            alias: Coalesce(Sum("value_usd", filter=condition), Value(Decimal(0)), output_field=MONEY),
            f"{alias}_unvalued": Count("pk", filter=condition & Q(value_usd__isnull=True)),
        }
    # A figure about its delegation's parent is compared only where there is one.
    return {
        alias: Count(
            "edition_id", distinct=True, filter=run.deals & Q(first_deal_of_id=cast(Delegation, run.parent).pk)
        )
    }


BASES: dict[str, str] = {
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


def _weighed(figure: ReportedFigure) -> tuple[list[StatementWeighed], FigureStatement | None]:
    # The figure's statements come prefetched, its preferred one's id annotated (figures.selectors).
    statements = list(figure.statements.all())
    preferred_id = getattr(figure, "preferred_statement", None)
    preferred = next((each for each in statements if each.pk == preferred_id), None)
    ordered = sorted(statements, key=lambda each: each.pk != preferred_id)
    return [StatementWeighed(each, each.pk == preferred_id, None) for each in ordered], preferred


def _compared_value(figure: ReportedFigure, statement: FigureStatement) -> Decimal | None:
    """What a statement's value is compared in: US dollars for money (``None`` without a USD value)."""
    return statement.value_usd if figure.is_money else statement.value


def _disagreement(figure: ReportedFigure, statements: list[StatementWeighed]) -> bool:
    stated = [
        (each.statement.qualifier, value)
        for each in statements
        if each.statement.rank != Rank.DEPRECATED and (value := _compared_value(figure, each.statement)) is not None
    ]
    return statements_disagree(stated)


def _refusal(figure: ReportedFigure, preferred: FigureStatement | None, tree: DelegationTree) -> str | None:
    """Why the records cannot give ``figure``'s value, or ``None`` when they can."""
    if preferred is None:
        return "The figure has no statement to compare (none, or every one deprecated)."
    if figure.metric not in BASES:
        return "Nothing on record measures this metric."
    if figure.enterprise_id is not None and figure.metric not in SUMMED_METRICS:
        return "The figure is about an enterprise: only the values of its deals are on record."
    if figure.metric == Metric.FIRST_ORDERS_OF_PARENT:
        if figure.delegation_id is None:
            return "The figure names no delegation: there is no delegation above it to compute it from."
        if tree.parents.get(figure.delegation_id) is None:
            return f"The {figure.delegation} has no delegation above it."
    if figure.is_money and preferred.value_usd is None:
        return f"Deals are summed in USD; the preferred statement is in {preferred.currency} with no USD value."
    return None


def figure_reconciliations(*, figures: Sequence[ReportedFigure], user) -> list[Reconciliation]:
    """Each figure (from :func:`figures.selectors.reported_figure_list`) beside the value computed
    from the records ``user`` may read, for the figure's subject at its run of editions (the
    ``consecutive_editions`` editions of its expo up to and including ``edition``, by number): a
    delegation and every delegation below it, an enterprise's deals as buyer or seller, or every
    delegation at an edition alone. The preferred statement's value is compared:

    - ``trading_volume``: USD value of signed and executed deals; ``intention_order_volume``: of
      deals at the intention stage (deals with no USD value are left out and counted in
      ``unvalued_deals``, never summed as zero);
    - ``registered_organisations``: distinct enterprises registered by name with the
      participations (their declared numbers in ``declared``);
    - ``professional_audience``: the participations' declared audience;
    - ``settlements_confirmed`` / ``settlements_intended``: settlements by status;
      ``promotional_activities``: activities;
    - ``first_orders_of_parent``: editions at which one of the deals was the first deal of the
      figure's delegation's parent, and those deals listed in ``first_orders``.

    Other metrics, a figure without a statement to compare, about the parent of a delegation at
    the top, or in money with no USD value have no computed value. Queries: at most nine,
    whatever the number of figures."""
    figures = list(figures)
    tree = delegation_tree() if any(figure.delegation_id for figure in figures) else DelegationTree(parents={})
    numbers: dict[tuple[int, int], Edition] = {}
    if figures:
        expos = {figure.edition.expo_id for figure in figures}
        numbers = {(e.expo_id, e.number): e for e in Edition.objects.select_related("expo").filter(expo_id__in=expos)}
    parent_ids = {tree.parents.get(figure.delegation_id) for figure in figures if figure.delegation_id} - {None}
    parents = Delegation.objects.in_bulk(parent_ids) if parent_ids else {}

    weighed: dict[int, tuple[list[StatementWeighed], FigureStatement | None]] = {}
    runs: dict[int, _Run] = {}
    refused: dict[int, str] = {}
    for figure in figures:
        weighed[figure.pk] = statements, preferred = _weighed(figure)
        refusal = _refusal(figure, preferred, tree)
        if refusal is not None:
            refused[figure.pk] = refusal
            continue
        last = figure.edition.number
        run = [
            numbers[(figure.edition.expo_id, number)]
            for number in range(max(1, last - figure.consecutive_editions + 1), last + 1)
            if (figure.edition.expo_id, number) in numbers
        ]
        subtree = tree.subtree(figure.delegation_id) if figure.delegation_id else None
        parent_id = tree.parents.get(figure.delegation_id) if figure.delegation_id else None
        runs[figure.pk] = _Run(
            figure=figure,
            delegations=None if subtree is None else frozenset(subtree),
            editions=frozenset(each.pk for each in run),
            parent=parents.get(parent_id) if parent_id else None,
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
    declared_metrics = (Metric.REGISTERED_ORGANISATIONS, Metric.PROFESSIONAL_AUDIENCE)
    declared_field: dict[str, str] = {
        Metric.REGISTERED_ORGANISATIONS: "registered_organisations",
        Metric.PROFESSIONAL_AUDIENCE: "professional_audience",
    }
    status: dict[str, str] = {Metric.SETTLEMENTS_CONFIRMED: "confirmed", Metric.SETTLEMENTS_INTENDED: "intended"}

    computed: dict[str, Any] = {}
    deal_aggregates: dict[str, Any] = {}
    for run in wanted(*DEAL_METRICS):
        deal_aggregates |= _deal_aggregates(run, alias(run))
    computed |= _aggregate(deals, deal_aggregates)
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
    first_orders = _first_orders(deals, wanted(Metric.FIRST_ORDERS_OF_PARENT))

    results = []
    for figure in figures:
        statements, preferred = weighed[figure.pk]
        disagreement = _disagreement(figure, statements)
        run = runs.get(figure.pk)
        if run is None or preferred is None:
            results.append(Reconciliation(figure, statements, disagreement, None, None, None, None, refused[figure.pk]))
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
        unvalued = computed.get(f"{key}_unvalued")
        if unvalued:
            basis += f" {unvalued} deal{'s' if unvalued > 1 else ''} with no USD value left out."
        orders = first_orders.get(figure.pk, [])
        if value is None:
            basis += " No participation declares it."
            results.append(Reconciliation(figure, statements, disagreement, None, stated, None, None, basis))
            continue
        value = Decimal(value).quantize(CENT) if figure.is_money else Decimal(value)
        reported = cast(Decimal, _compared_value(figure, preferred))
        difference = value - reported
        if not figure.is_money:
            difference = difference.quantize(Decimal(1))
        holds = qualifier_holds(qualifier=preferred.qualifier, computed=value, reported=reported)
        statements = [_holding(figure, each, value) for each in statements]
        results.append(
            Reconciliation(figure, statements, disagreement, value, stated, difference, holds, basis, unvalued, orders)
        )
    return results


def _holding(figure: ReportedFigure, weighed: StatementWeighed, computed: Decimal) -> StatementWeighed:
    reported = _compared_value(figure, weighed.statement)
    if reported is None:
        return weighed
    holds = qualifier_holds(qualifier=weighed.statement.qualifier, computed=computed, reported=reported)
    return StatementWeighed(weighed.statement, weighed.preferred, holds)


def _first_orders(deals: QuerySet, runs: list[_Run]) -> dict[int, list[RecordedFirstOrder]]:
    """The recorded first orders of each run's parent delegation in the run, in one query."""
    if not runs:
        return {}
    condition = Q()
    for run in runs:
        condition |= run.deals & Q(first_deal_of_id=cast(Delegation, run.parent).pk)
    found = list(
        deals.filter(condition)
        .select_related("edition__expo")
        .order_by("edition__number", "id")
        .only(
            "id",
            "title",
            "value_usd",
            "delegation_id",
            "first_deal_of_id",
            "buyer_id",
            "seller_id",
            "edition__id",
            "edition__name",
            "edition__number",
            "edition__expo__id",
        )
    )
    orders: dict[int, list[RecordedFirstOrder]] = {}
    for run in runs:
        parent = cast(Delegation, run.parent).pk
        orders[run.figure.pk] = [
            RecordedFirstOrder(deal.pk, deal.title, deal.edition_id, str(deal.edition.name), deal.value_usd)
            for deal in found
            if deal.first_deal_of_id == parent
            and deal.edition_id in run.editions
            and (run.delegations is None or deal.delegation_id in run.delegations)
        ]
    return orders
