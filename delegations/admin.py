"""The admin for delegations, the enterprises registered with them, and what their participations bring about."""

from django.contrib import admin

from delegations.models import (
    Delegation,
    EditorAssignment,
    Enterprise,
    Participation,
    PromotionalActivity,
    Settlement,
)
from delegations.resources import EnterpriseResource
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
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("parent", "source")
    fields = (*Delegation.FIELDS, *TIMESTAMPS)


@admin.register(Enterprise)
class EnterpriseAdmin(ImportExportHistoryAdmin):
    resource_classes = (EnterpriseResource,)
    list_display = ("name", "name_zh", "kind", "country", "district", "industry", "uscc")
    list_filter = ("kind", ("country", admin.AllValuesFieldListFilter))
    search_fields = ("name", "name_zh", "aliases__name", "uscc", "registry_id")
    pinyin_search_fields = ("search_pinyin", "aliases__search_pinyin")
    autocomplete_fields = ("source",)
    fields = (*Enterprise.FIELDS, *TIMESTAMPS)


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
