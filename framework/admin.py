"""What every app's admin shares, and the admin of API tokens."""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.results import Result
from simple_history.admin import SimpleHistoryAdmin

from framework.api.filters import filter_search
from framework.models import ApiToken
from framework.services import adopt, writes_of


def form_data(form: forms.ModelForm) -> dict[str, Any]:
    """What a model form sets on its record: the cleaned values of the model's fields on the
    form, many-to-many ones included."""
    meta = form._meta.model._meta
    names = {field.name for field in (*meta.concrete_fields, *meta.many_to_many)}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


class RecordAdmin(admin.ModelAdmin):
    """The base of every admin here: a record's timestamps are shown, never edited. A record
    whose app registered its writes (framework.services) is saved and deleted through them, by
    its form, the delete page and the "delete selected" action alike.

    An admin with ``pinyin_search_fields`` searches as the API does (``filter_search``): every word
    in one of ``search_fields``, or its pinyin search key in one of ``pinyin_search_fields``, with
    to-many relations looked up without repeating a record."""

    readonly_fields: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")
    pinyin_search_fields: ClassVar[tuple[str, ...]] = ()
    # A URL typed without a scheme is taken as https (Django 6's default), not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        if not self.pinyin_search_fields:
            return super().get_search_results(request, queryset, search_term)
        return filter_search(queryset, tuple(self.search_fields), search_term, self.pinyin_search_fields), False

    # The record and form are Any, as Django's stubs have them: an app's admin narrows them to its own.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        writes = writes_of(self.model)
        if writes is None:
            super().save_model(request, obj, form, change)
        elif change:
            writes.update_record(record=obj, user=request.user, data=form_data(form))
        else:
            adopt(obj, writes.create_record(user=request.user, data=form_data(form)))

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: list[forms.BaseFormSet], change: bool
    ) -> None:
        if writes_of(self.model) is None:
            super().save_related(request, form, formsets, change)
            return
        # The services wrote the many-to-many relations with the record; the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        writes = writes_of(self.model)
        if writes is None:
            super().delete_model(request, obj)
        else:
            writes.delete_record(record=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        writes = writes_of(self.model)
        if writes is None:
            super().delete_queryset(request, queryset)
            return
        with transaction.atomic():
            for record in queryset:
                writes.delete_record(record=record, user=request.user)


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

    def has_import_permission(self, request: HttpRequest) -> bool:
        # The setting asks for the "change" permission; an import also adds records.
        return super().has_import_permission(request) and self.has_add_permission(request)

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
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

    # The stubs take a choice's value for a string; here it is the record's key.
    def field_choices(  # type: ignore[override]
        self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[Any, str]]:
        related_admin = model_admin.admin_site.get_model_admin(field.remote_field.model)
        return [(obj.pk, str(obj)) for obj in related_admin.get_queryset(request)]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens are obtained through the API; here they can be seen and revoked (deleted)."""

    list_display = ("token_key", "client", "user", "created", "expiry")
    list_select_related = ("user",)
    list_filter = ("created", "expiry")
    search_fields = ("token_key", "client", "user__username")
    fields = ("token_key", "client", "user", "created", "expiry")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
