"""Filters for reported figures and their statements."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django_filters.constants import EMPTY_VALUES

from delegations.filtersets import DelegationTreeFilter
from figures.models import FigureStatement, ReportedFigure
from framework.api.filters import BooleanFilter, FilterSet, IdFilter, OrderingFilter


class StatedByFilter(IdFilter):
    """Figures with a statement citing this source."""

    def filter(self, queryset: QuerySet, value):
        if value in EMPTY_VALUES:
            return queryset
        # Exists, not a join: a figure stated twice by the source is listed once.
        return queryset.filter(Exists(FigureStatement.objects.filter(figure=OuterRef("pk"), source_id=value)))


class ReportedFigureFilterSet(FilterSet):
    delegation = DelegationTreeFilter(help_text="This delegation and every delegation below it.")
    enterprise = IdFilter(field_name="enterprise", help_text="Figures about this enterprise.")
    edition = IdFilter(field_name="edition", help_text="Figures about this edition (or a run ending with it).")
    expo_wide = BooleanFilter(
        method="filter_expo_wide",
        help_text="`true`: only figures about an edition alone (no delegation or enterprise).",
    )
    source = StatedByFilter(help_text="Figures a statement of which cites this source.")
    metric = django_filters.MultipleChoiceFilter(choices=ReportedFigure.Metric.choices, help_text="Repeat for several.")
    ordering = OrderingFilter(fields=("id", "metric", "consecutive_editions", "created_at", "updated_at"))

    class Meta:
        model = ReportedFigure
        fields = ()

    def filter_expo_wide(self, queryset: QuerySet, name: str, value):
        if value is None:
            return queryset
        alone = {f"delegation{LOOKUP_SEP}isnull": True, f"enterprise{LOOKUP_SEP}isnull": True}
        return queryset.filter(**alone) if value else queryset.exclude(**alone)


class FigureStatementFilterSet(FilterSet):
    figure = IdFilter(field_name="figure", help_text="Statements of this figure.")
    source = IdFilter(field_name="source", help_text="Statements citing this source.")
    metric = django_filters.MultipleChoiceFilter(
        field_name="figure__metric", choices=ReportedFigure.Metric.choices, help_text="Repeat for several."
    )
    rank = django_filters.MultipleChoiceFilter(choices=FigureStatement.Rank.choices, help_text="Repeat for several.")
    qualifier = django_filters.MultipleChoiceFilter(
        choices=FigureStatement.Qualifier.choices, help_text="Repeat for several."
    )
    ordering = OrderingFilter(fields=("id", "value", "as_of", "created_at", "updated_at"))

    class Meta:
        model = FigureStatement
        fields = ()
