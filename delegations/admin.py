"""The admin for delegations, the enterprises registered with them, and what their participations bring about."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from delegations import merging
from delegations.models import (
    Delegation,
    EditorAssignment,
    Enterprise,
    EnterpriseAlias,
    Merge,
    Participation,
    PromotionalActivity,
    Settlement,
)
from delegations.resources import EnterpriseResource
from delegations.services import AliasInput, enterprise_update
from framework.admin import HistoryRecordAdmin, ImportExportHistoryAdmin, RecordAdmin, RelatedAdminListFilter
from framework.errors import DomainError
from framework.models import TIMESTAMPS


class EditorAssignmentInline(admin.TabularInline):
    model = EditorAssignment
    extra = 0
    fields = ("user",)
    autocomplete_fields = ("user",)
    verbose_name = "editor"
    verbose_name_plural = (
        'editors (members of the group "Delegation editors"; they edit this delegation and those below)'
    )


@admin.register(EditorAssignment)
class EditorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "delegation", "created_at")
    list_select_related = ("user", "delegation")
    list_filter = (("delegation", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("user__username", "delegation__name")
    autocomplete_fields = ("user", "delegation")
    fields = ("user", "delegation", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Delegation)
class DelegationAdmin(HistoryRecordAdmin):
    inlines = (EditorAssignmentInline,)
    list_display = ("name", "name_zh", "parent", "region")
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter), ("region", admin.AllValuesFieldListFilter))
    search_fields = ("name", "name_zh", "region")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("parent", "source")
    fields = (*Delegation.FIELDS, *TIMESTAMPS)


class MergeForm(forms.Form):
    """Which of the enterprises selected stays, and why the others are the same enterprise."""

    survivor = forms.ModelChoiceField(
        queryset=Enterprise.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="The record that stays",
        help_text="The other selected records are merged into it.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, help_text="Kept in the history."
    )

    def __init__(self, *args: Any, selected: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["survivor"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = selected


class EnterpriseAliasInline(admin.TabularInline):
    model = EnterpriseAlias
    extra = 0
    fields = EnterpriseAlias.FIELDS
    verbose_name_plural = "aliases (short, former, other-language and transliterated names)"


def alias_inputs(formset) -> list[AliasInput]:
    """The aliases an inline formset saved uncommitted leaves: those kept (as edited) and those added."""
    deleted = {alias.pk for alias in formset.deleted_objects}
    kept = [form.instance for form in formset.initial_forms if form.instance.pk not in deleted]
    return [AliasInput.of(alias) for alias in [*kept, *formset.new_objects]]


@admin.register(Enterprise)
class EnterpriseAdmin(ImportExportHistoryAdmin):
    resource_classes = (EnterpriseResource,)
    inlines = (EnterpriseAliasInline,)
    list_display = ("name", "name_zh", "kind", "country", "district", "industry", "uscc", "uscc_check_valid")
    list_filter = ("kind", ("country", admin.AllValuesFieldListFilter), "uscc_check_valid")
    search_fields = ("name", "name_zh", "aliases__name", "uscc", "registry_id")
    pinyin_search_fields = ("search_pinyin", "aliases__search_pinyin")
    autocomplete_fields = ("source",)
    fields = (*Enterprise.FIELDS, "uscc_check_valid", *TIMESTAMPS)
    readonly_fields = ("uscc_check_valid", *TIMESTAMPS)
    actions = ("merge_into",)

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Changed aliases replace the enterprise's through :func:`enterprise_update`, which records
        the change in its history. Saved uncommitted first, so the change message lists them."""
        if formset.model is not EnterpriseAlias:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        if formset.has_changed():
            enterprise_update(enterprise=form.instance, user=request.user, data={}, aliases=alias_inputs(formset))

    def has_merge_permission(self, request: HttpRequest) -> bool:
        # Admins only, as in the API: a merge changes deals of every delegation (delegations.merging).
        return request.user.is_superuser

    @admin.action(description="Merge into…", permissions=["merge"])
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Enterprise]) -> HttpResponse | None:
        """Select the duplicates and the record that stays: a page asks which stays and why, the
        next shows what each merge will move (and anything that refuses it), and only the
        confirmation merges, all or nothing, through the same service as the API."""
        selected = queryset.order_by("pk")
        if selected.count() < 2:
            self.message_user(
                request, "Select the duplicates together with the record that stays (two or more).", messages.WARNING
            )
            return None
        step = request.POST.get("step")
        form = MergeForm(request.POST if step else None, selected=selected)
        if step and form.is_valid():
            survivor = form.cleaned_data["survivor"]
            reason = form.cleaned_data["reason"]
            merged = [enterprise for enterprise in selected if enterprise.pk != survivor.pk]
            previews = [merging.merge_preview(merged=enterprise, survivor=survivor) for enterprise in merged]
            if step == "confirm" and not any(preview.problems for preview in previews):
                # Named before they go (a deleted record has no id).
                names = ", ".join(f"{enterprise.name} (#{enterprise.pk})" for enterprise in merged)
                try:
                    with transaction.atomic():
                        for enterprise in merged:
                            merging.enterprise_merge(
                                merged=enterprise, survivor=survivor, user=request.user, reason=reason
                            )
                except (DomainError, PermissionDenied) as error:
                    self.message_user(request, str(error), messages.ERROR)
                    return None
                self.message_user(request, f"Merged {names} into {survivor.name} (#{survivor.pk}).", messages.SUCCESS)
                return None
            return self._merge_page(request, form, selected, previews=previews)
        return self._merge_page(request, form, selected, previews=None)

    def _merge_page(
        self,
        request: HttpRequest,
        form: MergeForm,
        selected: QuerySet[Enterprise],
        *,
        previews: list[merging.MergePreview] | None,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge enterprises" if previews is None else "Merge enterprises: what will move",
            "opts": self.model._meta,
            "form": form,
            "selected": selected,
            "previews": previews,
            "refused": previews is not None and any(preview.problems for preview in previews),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/delegations/enterprise/merge.html", context)


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    """The merges done, newest first; a merge not yet undone can be undone (the "Undo" action)."""

    list_display = ("merged_name", "merged_id", "survivor_name", "survivor_id", "merged_by", "merged_at", "undone_at")
    list_select_related = ("merged_by",)
    list_filter = (("undone_at", admin.EmptyFieldListFilter), "merged_at")
    search_fields = ("merged_name", "survivor_name", "reason")
    fields = (
        "merged_id",
        "merged_name",
        "survivor_id",
        "survivor_name",
        "reason",
        "merged_by",
        "merged_at",
        "undone_by",
        "undone_at",
        "snapshot",
        "aliases",
        "links",
    )
    readonly_fields = fields
    actions = ("undo",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The record of a merge is what makes it reversible.
        return False

    def has_undo_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(description="Undo the selected merges", permissions=["undo"])
    def undo(self, request: HttpRequest, queryset: QuerySet[Merge]) -> None:
        """Undo each selected merge (newest first, so that a chain of merges unwinds), reporting
        those that cannot be undone exactly."""
        for merge in queryset.order_by("-merged_at", "-id"):
            try:
                merging.enterprise_unmerge(merge=merge, user=request.user)
            except (DomainError, PermissionDenied) as error:
                self.message_user(request, f"{merge}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Undone: {merge}.", messages.SUCCESS)


@admin.register(Participation)
class ParticipationAdmin(HistoryRecordAdmin):
    list_display = ("delegation", "edition", "registered_organisations", "professional_audience")
    list_filter = (("edition", RelatedAdminListFilter), ("delegation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("delegation__name", "edition__name", "edition__expo__name", "edition__expo__short_name")
    autocomplete_fields = ("delegation", "edition", "enterprises", "source")
    fields = (*Participation.FIELDS, *TIMESTAMPS)

    def get_queryset(self, request):
        # Not list_select_related: a participation is called after its delegation and edition wherever
        # it is listed (autocomplete included), and the change list keeps this selection.
        return super().get_queryset(request).select_related("delegation", "edition__expo")


@admin.register(Settlement)
class SettlementAdmin(RecordAdmin):
    list_display = ("enterprise", "status", "participation", "announced_on")
    list_select_related = ("enterprise", "participation__delegation", "participation__edition__expo")
    list_filter = ("status", ("participation__edition", RelatedAdminListFilter), "announced_on")
    search_fields = ("enterprise__name", "enterprise__name_zh", "participation__delegation__name", "notes")
    autocomplete_fields = ("participation", "enterprise", "source")
    fields = (*Settlement.FIELDS, *TIMESTAMPS)


@admin.register(PromotionalActivity)
class PromotionalActivityAdmin(RecordAdmin):
    list_display = ("title", "participation", "held_on", "location")
    list_select_related = ("participation__delegation", "participation__edition__expo")
    list_filter = (("participation__edition", RelatedAdminListFilter), "held_on")
    search_fields = ("title", "title_zh", "location", "description", "participation__delegation__name")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("participation", "source")
    fields = (*PromotionalActivity.FIELDS, *TIMESTAMPS)
