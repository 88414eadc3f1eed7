"""What the quality report (framework.quality) finds in reported figures: statements whose quote
does not say their value (or is not in their source's stored text), and figures no source states."""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, QuerySet

from figures.models import FigureStatement, ReportedFigure
from figures.quotes import quote_problem
from framework import quality


def quote_check_findings(statements: QuerySet[FigureStatement]) -> Iterator[tuple[int, str]]:
    """``(id, sentence)`` for each statement of ``statements`` whose quote check fails, in id
    order: rows written before their source's text was stored or changed, or around the services."""
    for statement in statements.select_related("source", "figure").order_by("pk").iterator(chunk_size=500):
        problem = quote_problem(
            quote=statement.quote,
            text=statement.source.text if statement.source else "",
            value=statement.value,
            qualifier=statement.qualifier,
            currency=statement.currency,
        )
        if problem is not None:
            yield statement.pk, f"Statement {statement.pk} of {statement.figure}: {problem.message}"


def without_source(figures: QuerySet[ReportedFigure]) -> QuerySet[ReportedFigure]:
    """The figures of ``figures`` none of whose statements cites a source."""
    cited = FigureStatement.objects.filter(figure=OuterRef("pk"), source__isnull=False)
    return figures.filter(~Exists(cited)).select_related("edition", "delegation", "enterprise")


def register_checks() -> None:
    """Register the reported-figure checks with the quality report."""
    quality.register_query_check(
        "figure_without_source",
        model=ReportedFigure,
        description="A reported figure no statement of which cites a source: nobody can check it against "
        "what was said.",
        matches=without_source,
        sentence=lambda figure: f"No source states {figure}: none of its statements cites one.",
    )
    quality.register_check(
        "quote_check_fails",
        model=FigureStatement,
        description="A figure statement whose quote is not in its source's stored text, or does not state "
        "its value with its qualifier.",
        find=quote_check_findings,
    )
