"""The admin for deals, their line items, markets and categories, and the exchange rates that value deals in USD."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst

from deals import services
from deals.filtersets import DEAL_SEARCH_FIELDS, DEAL_SEARCH_PINYIN_FIELDS
from deals.models import Category, Deal, DealLineItem, DealStageChange, ExchangeRate, Market
from deals.resources import DealResource
from deals.services import (
    DEAL_EDITABLE_FIELDS,
    VALUATION_FIELDS,
    LineItemInput,
    deal_check_scope,
    deal_create,
    deal_execute,
    deal_set_usd_value,
    deal_update,
)
from framework.admin import ImportExportHistoryAdmin, RecordAdmin, RelatedAdminListFilter
from framework.errors import DomainError
from framework.models import TIMESTAMPS
from framework.services import adopt

# How much of a deal's title its change list shows.
TITLE_CHARS = 60


@admin.register(Market)
class MarketAdmin(RecordAdmin):
    list_display = ("name", "name_zh")
    list_filter = (("deals__edition", RelatedAdminListFilter),)
    search_fields = ("name", "name_zh")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("source",)
    fields = (*Market.FIELDS, *TIMESTAMPS)

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
    list_display = ("name", "name_zh", "description")
    list_filter = (("line_items__deal__edition", RelatedAdminListFilter),)
    search_fields = ("name", "name_zh", "description")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("source",)
    fields = (*Category.FIELDS, *TIMESTAMPS)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(RecordAdmin):
    list_display = ("currency", "date", "rate_to_usd", "source")
    list_select_related = ("source",)
    list_filter = (("currency", admin.AllValuesFieldListFilter), "date")
    search_fields = ("currency",)
    date_hierarchy = "date"
    autocomplete_fields = ("source",)
    fields = (*ExchangeRate.FIELDS, *TIMESTAMPS)


class DealAdminForm(forms.ModelForm):
    """A deal's form that values it in USD as it validates: a missing exchange rate, or a
    delegation the user may not write deals for, is a form error rather than a refused save."""

    valuation_fields = tuple(VALUATION_FIELDS)
    # The user the form is for; set by DealAdmin.get_form.
    user = None

    class Meta:
        model = Deal
        # What the API may change, and the markets; the stage moves only through its actions.
        fields = (*DEAL_EDITABLE_FIELDS, "markets")

    def clean(self):
        # A model form's clean() returns its cleaned data (the stubs allow None).
        cleaned_data = cast(dict[str, Any], super().clean())
        try:
            if not self.has_error("delegation"):
                stored = None if self.instance._state.adding else self.instance
                deal_check_scope(user=self.user, deal=stored, delegation=cleaned_data["delegation"])
            if any(self.has_error(name) for name in self.valuation_fields):
                return cleaned_data
            for name in self.valuation_fields:
                setattr(self.instance, name, cleaned_data[name])
            deal_set_usd_value(deal=self.instance)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return cleaned_data


class DealLineItemForm(forms.ModelForm):
    # Inputs as wide as their values, so the inline fits a laptop's window beside the navigation.
    class Meta:
        widgets = {
            "hs_code": forms.TextInput(attrs={"size": 10}),
            "amount": forms.NumberInput(attrs={"class": "vBigIntegerField"}),
        }


class DealLineItemInline(admin.TabularInline):
    model = DealLineItem
    form = DealLineItemForm
    extra = 0
    fields = ("product", "category", "hs_code", "amount")
    autocomplete_fields = ("category",)


def line_item_inputs(formset) -> list[LineItemInput]:
    """The line items an inline formset saved uncommitted leaves: those kept (as edited) and those added."""
    deleted = {item.pk for item in formset.deleted_objects}
    kept = [form.instance for form in formset.initial_forms if form.instance.pk not in deleted]
    return [LineItemInput.of(item) for item in [*kept, *formset.new_objects]]


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
    # What fits beside the navigation and the filters at a laptop's width (1366 px), newest signed
    # first; the date hierarchy above gives the dates, the deal's page its parties and publication,
    # and the search finds deals by buyer and seller.
    list_display = (
        "short_title",
        "stage",
        "value_in_usd",
        "amount_with_currency",
        "edition_name",
        "delegation_name",
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
    search_fields = DEAL_SEARCH_FIELDS
    pinyin_search_fields = DEAL_SEARCH_PINYIN_FIELDS
    date_hierarchy = "signed_on"
    autocomplete_fields = ("buyer", "seller", "delegation", "edition", "first_deal_of", "markets", "source")
    readonly_fields = (
        "stage",
        "value_usd",
        "usd_rate",
        "usd_rate_date",
        "usd_rate_source",
        *RecordAdmin.readonly_fields,
    )
    fieldsets = (
        (None, {"fields": ("title", "description", "stage", "signed_on")}),
        ("Parties", {"fields": ("buyer", "seller", "delegation", "edition")}),
        (
            "Value",
            {
                "description": "Leave the amount and currency empty where no source gives the value. Where the "
                "source states the USD value beside another currency, give it as the stated value: its rate "
                "is then used rather than the exchange rate table's.",
                "fields": (
                    "amount",
                    "currency",
                    "stated_value_usd",
                    "value_usd",
                    "usd_rate",
                    "usd_rate_date",
                    "usd_rate_source",
                ),
            },
        ),
        ("Highlights", {"fields": ("first_deal_of", "regional_debut", "debut_region", "markets")}),
        ("Publication", {"fields": ("is_published", "embargo_until")}),
        ("Record", {"fields": ("source", "created_at", "updated_at")}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj: Deal, form: DealAdminForm, change: bool) -> None:
        """Write the deal and its markets through the deal services, as the API does: a new one
        is an intention, a changed one has only the fields that differ from the stored deal written."""
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in DEAL_EDITABLE_FIELDS}
            adopt(obj, deal_create(**fields, markets=data["markets"], user=request.user))
            return
        # Compared with the stored deal, not the form's initial values: a revert from the History
        # page starts its form from the old version.
        stored = Deal.objects.get(pk=obj.pk)
        changes = {name: data[name] for name in DEAL_EDITABLE_FIELDS if getattr(stored, name) != data[name]}
        markets = data["markets"] if set(stored.markets.all()) != set(data["markets"]) else None
        # A form saved unchanged (or with only its line items changed) writes no change of the deal.
        if changes or markets is not None:
            deal_update(deal=obj, changes=changes, markets=markets, user=request.user)

    def save_related(self, request, form, formsets, change: bool) -> None:
        """The markets were written with the deal; changed line items replace the deal's through
        :func:`deal_update`. The formsets are saved uncommitted so the change message lists them."""
        for formset in formsets:
            formset.save(commit=False)
            if formset.model is DealLineItem and formset.has_changed():
                deal_update(deal=form.instance, changes={}, line_items=line_item_inputs(formset), user=request.user)

    @admin.display(description="title", ordering="title")
    def short_title(self, deal: Deal) -> str:
        """The title, cut to its first words when long; the whole title shows on hover."""
        return format_html('<span title="{}">{}</span>', deal.title, Truncator(deal.title).chars(TITLE_CHARS))

    # The edition and delegation as text, which the change list wraps (it keeps related records on one line).
    @admin.display(description="edition", ordering="edition")
    def edition_name(self, deal: Deal) -> str:
        return str(deal.edition)

    @admin.display(description="delegation", ordering="delegation")
    def delegation_name(self, deal: Deal) -> str:
        return str(deal.delegation)

    @admin.display(description="amount", ordering="amount", empty_value="no value given")
    def amount_with_currency(self, deal: Deal) -> str | None:
        return None if deal.amount is None else f"{deal.amount:,.2f} {deal.currency}"

    @admin.display(description="value (USD)", ordering="value_usd", empty_value="—")
    def value_in_usd(self, deal: Deal) -> str | None:
        return None if deal.value_usd is None else f"{deal.value_usd:,.2f}"

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
