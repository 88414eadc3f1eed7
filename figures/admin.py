"""The admin for reported figures."""

from django.contrib import admin

from figures.models import ReportedFigure
from framework.admin import RecordAdmin, RelatedAdminListFilter
from framework.models import TIMESTAMPS


@admin.register(ReportedFigure)
class ReportedFigureAdmin(RecordAdmin):
    list_display = ("metric", "qualifier", "value", "currency_or_unit", "delegation", "edition")
    list_select_related = ("delegation", "edition__expo")
    list_filter = ("metric", "qualifier", ("edition", RelatedAdminListFilter))
    search_fields = ("quote", "delegation__name")
    autocomplete_fields = ("delegation", "edition", "source")
    fields = (*ReportedFigure.FIELDS, *TIMESTAMPS)

    @admin.display(description="currency / unit")
    def currency_or_unit(self, figure: ReportedFigure) -> str:
        return figure.currency or figure.unit
