"""Filters for deals (``DealFilterSet``, shared by the deal list and everything that takes its
filters) and for markets, categories and exchange rates."""

import datetime

import django_filters
from django.db.models import Q, QuerySet

from deals.models import Category, Deal, ExchangeRate, Market
from delegations.filtersets import DelegationTreeFilter
from framework import access
from framework.api.filters import (
    BooleanFilter,
    DecimalFilter,
    FilterSet,
    IdFilter,
    IsoDateTimeFilter,
    OrderingFilter,
    SearchFilter,
)
from framework.codes import COUNTRY_CHOICES, CURRENCY_CHOICES

MONEY = {"max_digits": 20, "decimal_places": 2}

# What a deal search looks in (the admin's search too): the deal's own text, its line items'
# products, and the names of its parties, delegation and edition.
DEAL_SEARCH_FIELDS = (
    "title",
    "description",
    "line_items__product",
    *(f"{party}__{name}" for party in ("buyer", "seller") for name in ("name", "name_zh", "aliases__name")),
    "delegation__name",
    "delegation__name_zh",
    "edition__name",
    "edition__name_zh",
)
DEAL_SEARCH_PINYIN_FIELDS = (
    *(f"{party}__{name}" for party in ("buyer", "seller") for name in ("search_pinyin", "aliases__search_pinyin")),
    "delegation__search_pinyin",
    "edition__search_pinyin",
)


class DealFilterSet(FilterSet):
    delegation = DelegationTreeFilter(help_text="Deals of this delegation and of every delegation below it.")
    edition = IdFilter(field_name="edition", help_text="Deals signed at this edition.")
    expo = IdFilter(field_name="edition__expo", help_text="Deals signed at any edition of this expo.")
    buyer = IdFilter(field_name="buyer", help_text="Deals with this buyer.")
    seller = IdFilter(field_name="seller", help_text="Deals with this seller.")
    buyer_country = django_filters.MultipleChoiceFilter(
        field_name="buyer__country", choices=COUNTRY_CHOICES, help_text="Buyer's ISO 3166-1 code; repeat for several."
    )
    seller_country = django_filters.MultipleChoiceFilter(
        field_name="seller__country",
        choices=COUNTRY_CHOICES,
        help_text="Seller's ISO 3166-1 code; repeat for several.",
    )
    stage = django_filters.MultipleChoiceFilter(
        choices=Deal.Stage.choices, help_text="Repeat for several: `?stage=signed&stage=executed`."
    )
    currency = django_filters.MultipleChoiceFilter(
        choices=CURRENCY_CHOICES, help_text="Currency signed in (ISO 4217); repeat for several."
    )
    value_usd_min = DecimalFilter(
        field_name="value_usd",
        lookup_expr="gte",
        help_text="USD value at least this (deals with no value are left out).",
        **MONEY,
    )
    value_usd_max = DecimalFilter(
        field_name="value_usd",
        lookup_expr="lte",
        help_text="USD value at most this (deals with no value are left out).",
        **MONEY,
    )
    has_value = BooleanFilter(
        field_name="amount",
        lookup_expr="isnull",
        exclude=True,
        help_text="`true`: only deals with a value; `false`: only those whose value no source gives.",
    )
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", help_text="Signed on or after.")
    signed_before = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", help_text="Signed on or before."
    )
    category = IdFilter(
        field_name="line_items__category", distinct=True, help_text="Deals with a line item in this category."
    )
    market = IdFilter(field_name="markets", distinct=True, help_text="Deals aimed at this downstream market.")
    is_first_deal = BooleanFilter(
        field_name="first_deal_of",
        lookup_expr="isnull",
        exclude=True,
        help_text="`true`: only deals that were a delegation's first at their edition; `false`: only the others.",
    )
    regional_debut = BooleanFilter(help_text="`true`: only deals with a product debuting in a region.")
    search = SearchFilter(
        fields=DEAL_SEARCH_FIELDS,
        pinyin_fields=DEAL_SEARCH_PINYIN_FIELDS,
        help_text="Words in the title, description or line-item products, or in the names (English, "
        "Chinese or pinyin) of the buyer or seller (or their aliases), the delegation or the edition.",
    )
    updated_since = IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Deals changed at or after this time (ISO 8601; UTC unless an offset is given), and deals "
        "whose embargo ended since then, which the public could not see before.",
    )
    ordering = OrderingFilter(
        fields=("signed_on", "value_usd", "title", "stage", "id", "created_at", "updated_at"),
        nulls_last=("value_usd",),
        # Each has an index in its order, the id after it (or is a column of values nearly all
        # distinct, read backwards from its ascending index, each run of equal values sorted by id).
        cursor_orderings=(
            "signed_on",
            "-signed_on",
            "value_usd",
            "-value_usd",
            "title",
            "-title",
            "stage",
            "-stage",
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
            "id",
            "-id",
        ),
        help_text="Sort by signed_on, value_usd, title, stage, id, created_at or updated_at; "
        "`-` for descending, comma-separated for several. By value_usd, deals with no value come last "
        "either way.",
    )

    class Meta:
        model = Deal
        fields = ()

    def filter_updated_since(self, queryset: QuerySet, name: str, value: datetime.datetime) -> QuerySet:
        # Ended as the public sees it (framework.access.visibility_time): a client that asked at
        # ``value`` saw the embargoes ended by then rounded down, and is given every one since.
        embargo_ended = Q(embargo_until__gte=access.visibility_time(value), embargo_until__lte=access.visibility_time())
        return queryset.filter(Q(updated_at__gte=value) | embargo_ended)


class MarketFilterSet(FilterSet):
    search = SearchFilter(
        fields=("name", "name_zh"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the name (English, Chinese or pinyin).",
    )
    ordering = OrderingFilter(fields=("name", "id", "created_at", "updated_at"))

    class Meta:
        model = Market
        fields = ()


class CategoryFilterSet(FilterSet):
    search = SearchFilter(
        fields=("name", "name_zh", "description"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the name (English, Chinese or pinyin) or description.",
    )
    ordering = OrderingFilter(fields=("name", "id", "created_at", "updated_at"))

    class Meta:
        model = Category
        fields = ()


class ExchangeRateFilterSet(FilterSet):
    currency = django_filters.MultipleChoiceFilter(choices=CURRENCY_CHOICES, help_text="Repeat for several.")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="On or after.")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="On or before.")
    ordering = OrderingFilter(fields=("currency", "date", "id", "created_at", "updated_at"))

    class Meta:
        model = ExchangeRate
        fields = ()
