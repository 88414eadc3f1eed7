"""Read logic for reported figures, beyond what their collection renders."""

from django.db.models import QuerySet

from figures.models import ReportedFigure


def reported_figure_list() -> QuerySet[ReportedFigure]:
    return ReportedFigure.objects.select_related("delegation", "edition__expo", "source")
