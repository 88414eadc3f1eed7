"""The admin for reported figures and their statements."""

from django.contrib import admin
from django.db import transaction

from figures import services
from figures.models import FigureStatement, ReportedFigure
from framework.admin import RecordAdmin, RelatedAdminListFilter, form_data
from framework.models import TIMESTAMPS


class FigureStatementInline(admin.TabularInline):
    model = FigureStatement
    extra = 0
    fields = tuple(name for name in FigureStatement.FIELDS if name != "figure")
    readonly_fields = FigureStatement.VALUATION
    autocomplete_fields = ("source",)
    show_change_link = True


@admin.register(ReportedFigure)
class ReportedFigureAdmin(RecordAdmin):
    list_display = ("metric", "description", "unit", "edition", "delegation", "enterprise", "consecutive_editions")
    list_select_related = ("delegation", "enterprise", "edition__expo")
    list_filter = ("metric", ("edition", RelatedAdminListFilter))
    search_fields = ("description", "statements__quote", "delegation__name", "enterprise__name")
    autocomplete_fields = ("delegation", "enterprise", "edition")
    fields = (*ReportedFigure.FIELDS, *TIMESTAMPS)
    inlines = (FigureStatementInline,)

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Write the statements the inline changed through the services, as the API does (their
        quotes were checked by the forms, against the model's rules). Saved uncommitted first, so
        the change message lists them."""
        formset.save(commit=False)
        deleted = {statement.pk for statement in formset.deleted_objects}
        with transaction.atomic():
            for statement in formset.deleted_objects:
                services.figure_statement_delete(figure_statement=statement, user=request.user)
            for inline_form in formset.forms:
                statement = inline_form.instance
                if statement.pk in deleted or not inline_form.has_changed():
                    continue
                data = {**form_data(inline_form), "figure": form.instance}
                if statement.pk is None:
                    inline_form.instance = services.figure_statement_create(user=request.user, data=data)
                    continue
                stored = FigureStatement.objects.get(pk=statement.pk)
                changed = {name: data[name] for name in inline_form.changed_data if name in data}
                services.figure_statement_update(figure_statement=stored, user=request.user, data=changed)


@admin.register(FigureStatement)
class FigureStatementAdmin(RecordAdmin):
    list_display = ("figure", "qualifier", "value", "currency", "rank", "source")
    list_select_related = ("figure__edition__expo", "figure__delegation", "figure__enterprise", "source")
    list_filter = ("rank", "qualifier", "figure__metric")
    search_fields = ("quote", "figure__delegation__name")
    autocomplete_fields = ("figure", "source")
    fields = (*FigureStatement.FIELDS, *TIMESTAMPS)
    readonly_fields = (*FigureStatement.VALUATION, *TIMESTAMPS)
