"""The admin for what is expo-wide, and what every app's admin shares."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.results import Result
from simple_history.admin import SimpleHistoryAdmin

from expo.models import ApiToken, Edition, Expo, ReportedFigure, Source, Venue


class RecordAdmin(admin.ModelAdmin):
    """The base of every admin here: a record's timestamps are shown, never edited."""

    readonly_fields = ("created_at", "updated_at")
    # A URL typed without a scheme is taken as https (Django 6's default), not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class HistoryRecordAdmin(SimpleHistoryAdmin, RecordAdmin):
    """A record whose changes are kept: its History page lists who changed what and when, and
    can revert to any earlier version."""


def import_problems(result: Result) -> list[str]:
    """Every error of an import, one line each, naming its row (numbered from the first row under
    the header) and, where it has one, its field."""
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        lines += [f"Row {number}: {error.error}" for error in errors]
    for row in result.invalid_rows:
        for field, field_messages in row.field_specific_errors.items():
            lines += [f"Row {row.number}, {field}: {message}" for message in field_messages]
        lines += [f"Row {row.number}: {message}" for message in row.non_field_specific_errors]
    return lines


class ImportExportHistoryAdmin(ImportExportMixin, HistoryRecordAdmin):
    """A record with history that admins also import from CSV or XLSX (a dry run previews every
    row and its errors first; a file with a bad row writes nothing) and export as the change list
    shows it, filtered and searched. Imported rows are saved one by one, so their history names
    the admin who imported them; the History page and revert work as for any change."""

    def has_import_permission(self, request) -> bool:
        # The setting asks for the "change" permission; an import also adds records.
        return super().has_import_permission(request) and self.has_add_permission(request)

    def process_result(self, result, request):
        """After the confirmed import: the change list, or, when the file no longer passes (the
        records it refers to changed since the preview), the import page with every error."""
        problems = import_problems(result)
        if not problems:
            return super().process_result(result, request)
        messages.error(request, "Nothing was imported: the file no longer passes the checks it passed in the preview.")
        for problem in problems:
            messages.error(request, problem)
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name))


class RelatedAdminListFilter(admin.RelatedFieldListFilter):
    """A filter by a related object whose choices come from that object's admin queryset, so
    labels that need further relations (an edition named after its expo) cost no extra queries."""

    def field_choices(self, field, request, model_admin):
        related_admin = model_admin.admin_site.get_model_admin(field.remote_field.model)
        return [(obj.pk, str(obj)) for obj in related_admin.get_queryset(request)]


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ("title", "kind", "publisher", "author", "published_on")
    list_filter = ("kind", "published_on")
    search_fields = ("title", "author", "publisher", "url", "file")
    fields = (
        "kind",
        "title",
        "author",
        "publisher",
        "published_on",
        "url",
        "file",
        "notes",
        "created_at",
        "updated_at",
    )


@admin.register(Venue)
class VenueAdmin(RecordAdmin):
    list_display = ("name", "name_zh", "district", "city", "country")
    list_filter = (("country", admin.AllValuesFieldListFilter), ("city", admin.AllValuesFieldListFilter))
    search_fields = ("name", "name_zh", "district", "city")
    autocomplete_fields = ("source",)
    fields = ("name", "name_zh", "address", "district", "city", "country", "source", "created_at", "updated_at")


@admin.register(Expo)
class ExpoAdmin(RecordAdmin):
    list_display = ("name", "short_name", "name_zh", "host_venue")
    list_select_related = ("host_venue",)
    list_filter = ("host_venue",)
    search_fields = ("name", "short_name", "name_zh")
    autocomplete_fields = ("host_venue", "source")
    fields = ("name", "short_name", "name_zh", "host_venue", "website", "source", "created_at", "updated_at")


@admin.register(Edition)
class EditionAdmin(RecordAdmin):
    list_display = ("__str__", "expo", "number", "start_date", "end_date", "venue")
    list_filter = ("expo", "venue", "start_date")
    search_fields = ("name", "expo__name", "expo__short_name")
    autocomplete_fields = ("expo", "venue", "source", "dates_source")
    fields = (
        "expo",
        "number",
        "name",
        "start_date",
        "end_date",
        "dates_source",
        "venue",
        "source",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        # Not list_select_related: an edition without a name is called after its expo wherever it
        # is listed (autocomplete, other admins' filters), and the change list keeps this selection.
        return super().get_queryset(request).select_related("expo", "venue")


@admin.register(ReportedFigure)
class ReportedFigureAdmin(RecordAdmin):
    list_display = ("metric", "qualifier", "value", "currency_or_unit", "delegation", "edition")
    list_select_related = ("delegation", "edition__expo")
    list_filter = ("metric", "qualifier", ("edition", RelatedAdminListFilter))
    search_fields = ("quote", "delegation__name")
    autocomplete_fields = ("delegation", "edition", "source")
    fields = (
        "delegation",
        "edition",
        "consecutive_editions",
        "metric",
        "qualifier",
        "value",
        "currency",
        "unit",
        "as_of",
        "quote",
        "source",
        "created_at",
        "updated_at",
    )

    @admin.display(description="currency / unit")
    def currency_or_unit(self, figure: ReportedFigure) -> str:
        return figure.currency or figure.unit


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens are obtained through the API; here they can be seen and revoked (deleted)."""

    list_display = ("token_key", "client", "user", "created", "expiry")
    list_select_related = ("user",)
    list_filter = ("created", "expiry")
    search_fields = ("token_key", "client", "user__username")
    fields = ("token_key", "client", "user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
