"""Reported figures set beside what the records say: the selector behind
``/api/stats/reconciliation/``. Everything is aggregated in the database, in a fixed number of
queries whatever the number of figures."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from deals.models import Deal
from deals.stats import CENT, MONEY
from delegations.models import Delegation, Participation, PromotionalActivity, Settlement
from delegations.selectors import DelegationTree, delegation_tree
from expo.models import Edition
from figures.models import ReportedFigure
from framework import access

# How close an "about" figure must be to the computed value: within 5% of the figure.
ABOUT_TOLERANCE = Decimal("0.05")


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


# Only figures with a delegation and an edition are compared; the checks on their ids do not narrow.
def _describe(figure: ReportedFigure, subtree: set[int], run: list[Edition]) -> str:
    delegation = cast(Delegation, figure.delegation).name
    below = len(subtree) - 1
    if below:
        delegation += f" and the {below} delegation{'s' if below > 1 else ''} below it"
    edition = cast(Edition, figure.edition)
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
    # A figure about its delegation's parent is compared only where there is one.
    return Count("edition_id", distinct=True, filter=run.records & Q(first_deal_of_id=cast(Delegation, run.parent).pk))


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
        expos = {figure.edition.expo_id for figure in comparable}  # type: ignore[union-attr]
        numbers = {(e.expo_id, e.number): e for e in Edition.objects.select_related("expo").filter(expo_id__in=expos)}
    parent_ids = {tree.parents.get(figure.delegation_id) for figure in comparable} - {None}  # type: ignore[arg-type]
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
        # Checked above: the figure has an edition and a delegation.
        last = figure.edition.number  # type: ignore[union-attr]
        run = [
            numbers[(figure.edition.expo_id, number)]  # type: ignore[union-attr]
            for number in range(max(1, last - figure.consecutive_editions + 1), last + 1)
            if (figure.edition.expo_id, number) in numbers  # type: ignore[union-attr]
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
    declared_field: dict[str, str] = {
        Metric.REGISTERED_ORGANISATIONS: "registered_organisations",
        Metric.PROFESSIONAL_AUDIENCE: "professional_audience",
    }
    status: dict[str, str] = {Metric.SETTLEMENTS_CONFIRMED: "confirmed", Metric.SETTLEMENTS_INTENDED: "intended"}

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
