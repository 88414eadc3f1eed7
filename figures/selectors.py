"""Read logic for reported figures, beyond what their collection renders: which statement of a
figure is its preferred one."""

from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from figures.models import FigureStatement, ReportedFigure

Rank = FigureStatement.Rank


def preferred_order(queryset: QuerySet[FigureStatement]) -> QuerySet[FigureStatement]:
    """``queryset`` without deprecated statements, the preferred one first, then the normal ones
    latest first (by ``as_of``, then the source's publication date, then the newest row)."""
    return queryset.exclude(rank=Rank.DEPRECATED).order_by(
        Case(When(rank=Rank.PREFERRED, then=Value(0)), default=Value(1), output_field=IntegerField()),
        F("as_of").desc(nulls_last=True),
        F("source__published_on").desc(nulls_last=True),
        "-id",
    )


def preferred_statement(field: str = "id") -> Subquery:
    """The ``field`` of each figure's preferred statement (``OuterRef`` to the figure): the one
    ranked preferred, else the latest normal one; ``None`` when all are deprecated or there is none."""
    return Subquery(preferred_order(FigureStatement.objects.filter(figure=OuterRef("pk"))).values(field)[:1])


# What a figure shows of its preferred statement: annotation name → the statement's field.
PREFERRED = {
    "preferred_statement": "id",
    "value": "value",
    "qualifier": "qualifier",
    "currency": "currency",
    "value_usd": "value_usd",
}


def with_preferred(queryset: QuerySet[ReportedFigure]) -> QuerySet[ReportedFigure]:
    """``queryset`` with each figure's preferred statement's id and values annotated (:data:`PREFERRED`)."""
    return queryset.annotate(**{name: preferred_statement(field) for name, field in PREFERRED.items()})


def reported_figure_list() -> QuerySet[ReportedFigure]:
    """Figures with their subject, their statements (and those statements' sources) and their
    preferred statement annotated (:func:`with_preferred`)."""
    return with_preferred(
        ReportedFigure.objects.select_related("delegation", "enterprise", "edition__expo").prefetch_related(
            "statements__source"
        )
    )
