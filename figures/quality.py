"""What the quality report (framework.quality) finds in reported figures."""

from django.db.models import QuerySet

from figures.models import ReportedFigure
from framework import quality


def without_source(figures: QuerySet[ReportedFigure]) -> QuerySet[ReportedFigure]:
    """The figures of ``figures`` that cite no source."""
    return figures.filter(source__isnull=True)


def register_checks() -> None:
    """Register the reported-figure checks with the quality report."""
    quality.register_query_check(
        "figure_without_source",
        model=ReportedFigure,
        description="A reported figure that cites no source: nobody can check it against what was said.",
        matches=without_source,
        sentence=lambda figure: f"Reported figure '{figure}' cites no source.",
    )
