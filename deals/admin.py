"""The admin for deals, their line items, markets and categories, and the exchange rates that value deals in USD."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import capfirst

from deals import services
from deals.models import Category, Deal, DealLineItem, DealStageChange, ExchangeRate, Market
from deals.resources import DealResource
from deals.services import DEAL_EDITABLE_FIELDS, VALUATION_FIELDS, deal_execute, deal_set_usd_value
from framework.admin import ImportExportHistoryAdmin, RecordAdmin, RelatedAdminListFilter
from framework.errors import DomainError


@admin.register(Market)
class MarketAdmin(RecordAdmin):
    list_display = ("name",)
    list_filter = (("deals__edition", RelatedAdminListFilter),)
    search_fields = ("name",)
    autocomplete_fields = ("source",)
    fields = ("name", "source", "created_at", "updated_at")

    def get_deleted_objects(self, objs, request):
        """As Django's, with the deals a market is linked to among what protects it (see market_delete)."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for market in objs:
            try:
                services.market_unlinked(market)
            except ProtectedError as error:
                protected += [f"{capfirst(deal._meta.verbose_name)}: {deal}" for deal in error.protected_objects]
        return to_delete, model_count, perms_needed, protected


@admin.register(Category)
class CategoryAdmin(RecordAdmin):
    list_display = ("name", "description")
    list_filter = (("line_items__deal__edition", RelatedAdminListFilter),)
    search_fields = ("name", "description")
    autocomplete_fields = ("source",)
    fields = ("name", "description", "source", "created_at", "updated_at")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(RecordAdmin):
    list_display = ("currency", "date", "rate_to_usd", "source")
    list_select_related = ("source",)
    list_filter = (("currency", admin.AllValuesFieldListFilter), "date")
    search_fields = ("currency",)
    date_hierarchy = "date"
    autocomplete_fields = ("source",)
    fields = ("currency", "date", "rate_to_usd", "source", "created_at", "updated_at")


class DealAdminForm(forms.ModelForm):
    """A deal's form that values it in USD as it validates: a missing exchange rate is a form error."""

    valuation_fields = tuple(VALUATION_FIELDS)

    class Meta:
        model = Deal
        # What the API may change, and the markets; the stage moves only through its actions.
        fields = (*DEAL_EDITABLE_FIELDS, "markets")

    def clean(self):
        cleaned_data = super().clean()
        if any(self.has_error(name) for name in self.valuation_fields):
            return cleaned_data
        for name in self.valuation_fields:
            setattr(self.instance, name, cleaned_data[name])
        try:
            deal_set_usd_value(deal=self.instance)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned_data


class DealLineItemInline(admin.TabularInline):
    model = DealLineItem
    extra = 0
    fields = ("product", "category", "hs_code", "amount")
    autocomplete_fields = ("category",)


class DealStageChangeInline(admin.TabularInline):
    """The deal's stage moves, as made through the API's sign, execute and cancel actions."""

    model = DealStageChange
    extra = 0
    fields = ("changed_at", "from_stage", "to_stage", "changed_by", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class FirstDealListFilter(admin.SimpleListFilter):
    title = "first deal"
    parameter_name = "first_deal"

    def lookups(self, request, model_admin):
        return (("yes", "First deal of a delegation"), ("no", "Not a first deal"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(first_deal_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(first_deal_of__isnull=True)
        return queryset


@admin.register(Deal)
class DealAdmin(ImportExportHistoryAdmin):
    form = DealAdminForm
    resource_classes = (DealResource,)
    inlines = (DealLineItemInline, DealStageChangeInline)
    actions = ("execute_deals",)
    list_display = (
        "title",
        "buyer",
        "seller",
        "delegation",
        "edition",
        "stage",
        "amount_with_currency",
        "value_in_usd",
        "signed_on",
        "is_published",
    )
    list_select_related = ("buyer", "seller", "delegation", "edition__expo")
    list_filter = (
        "stage",
        ("edition", RelatedAdminListFilter),
        ("currency", admin.AllValuesFieldListFilter),
        "is_published",
        "regional_debut",
        FirstDealListFilter,
    )
    search_fields = ("title", "buyer__name", "buyer__name_zh", "seller__name", "seller__name_zh")
    date_hierarchy = "signed_on"
    autocomplete_fields = ("buyer", "seller", "delegation", "edition", "first_deal_of", "markets", "source")
    readonly_fields = ("stage", "value_usd", "usd_rate", "usd_rate_date", *RecordAdmin.readonly_fields)
    fieldsets = (
        (None, {"fields": ("title", "description", "stage", "signed_on")}),
        ("Parties", {"fields": ("buyer", "seller", "delegation", "edition")}),
        ("Value", {"fields": ("amount", "currency", "value_usd", "usd_rate", "usd_rate_date")}),
        ("Highlights", {"fields": ("first_deal_of", "regional_debut", "debut_region", "markets")}),
        ("Publication", {"fields": ("is_published", "embargo_until")}),
        ("Record", {"fields": ("source", "created_at", "updated_at")}),
    )

    @admin.display(description="amount", ordering="amount")
    def amount_with_currency(self, deal: Deal) -> str:
        return f"{deal.amount:,.2f} {deal.currency}"

    @admin.display(description="value (USD)", ordering="value_usd")
    def value_in_usd(self, deal: Deal) -> str:
        return f"{deal.value_usd:,.2f}"

    @admin.action(description="Execute the selected signed deals")
    def execute_deals(self, request, queryset) -> None:
        executed, refused = 0, []
        with transaction.atomic():
            for deal in queryset.select_for_update(of=("self",)):
                try:
                    deal_execute(deal=deal, user=request.user)
                    executed += 1
                except DomainError as error:
                    refused.append(f"{deal.title}: {error.message}")
        if executed:
            self.message_user(request, f"Executed {executed} deal(s).", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)
