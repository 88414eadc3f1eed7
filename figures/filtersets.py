"""Filters for reported figures."""

import django_filters

from delegations.filtersets import DelegationTreeFilter
from figures.models import ReportedFigure
from framework.api.filters import FilterSet, IdFilter, OrderingFilter


class ReportedFigureFilterSet(FilterSet):
    delegation = DelegationTreeFilter(help_text="This delegation and every delegation below it.")
    edition = IdFilter(field_name="edition", help_text="Figures about this edition (or a run ending with it).")
    source = IdFilter(field_name="source", help_text="Figures reported by this source.")
    metric = django_filters.MultipleChoiceFilter(choices=ReportedFigure.Metric.choices, help_text="Repeat for several.")
    qualifier = django_filters.MultipleChoiceFilter(
        choices=ReportedFigure.Qualifier.choices, help_text="Repeat for several."
    )
    ordering = OrderingFilter(fields=("id", "metric", "value", "created_at", "updated_at"))

    class Meta:
        model = ReportedFigure
        fields = ()
