"""The admin for delegations, the enterprises registered with them, and what their participations bring about."""

from django.contrib import admin

from delegations.models import (
    Delegation,
    EditorAssignment,
    Enterprise,
    EnterpriseAlias,
    Participation,
    PromotionalActivity,
    Settlement,
)
from delegations.resources import EnterpriseResource
from delegations.services import AliasInput, enterprise_update
from framework.admin import HistoryRecordAdmin, ImportExportHistoryAdmin, RecordAdmin, RelatedAdminListFilter
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
    autocomplete_fields = ("parent", "source")
    fields = (*Delegation.FIELDS, *TIMESTAMPS)


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
    search_fields = ("name", "name_zh", "uscc", "registry_id")
    autocomplete_fields = ("source",)
    fields = (*Enterprise.FIELDS, "uscc_check_valid", *TIMESTAMPS)
    readonly_fields = ("uscc_check_valid", *TIMESTAMPS)

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Changed aliases replace the enterprise's through :func:`enterprise_update`, which records
        the change in its history. Saved uncommitted first, so the change message lists them."""
        if formset.model is not EnterpriseAlias:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        if formset.has_changed():
            enterprise_update(enterprise=form.instance, user=request.user, data={}, aliases=alias_inputs(formset))


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
    search_fields = ("title", "location", "description", "participation__delegation__name")
    autocomplete_fields = ("participation", "source")
    fields = (*PromotionalActivity.FIELDS, *TIMESTAMPS)
