"""Filters for expos, editions, venues and sources."""

import django_filters

from expo.models import Edition, Expo, Source, Venue
from framework.api.filters import FilterSet, IdFilter, IntegerFilter, OrderingFilter, SearchFilter
from framework.codes import COUNTRY_CHOICES


class SourceFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Source.Kind.choices, help_text="Repeat for several.")
    published_after = django_filters.DateFilter(
        field_name="published_on", lookup_expr="gte", help_text="Published on or after."
    )
    published_before = django_filters.DateFilter(
        field_name="published_on", lookup_expr="lte", help_text="Published on or before."
    )
    search = SearchFilter(fields=("title", "author", "publisher"), help_text="Words in title, author or publisher.")
    ordering = OrderingFilter(fields=("title", "published_on", "id", "created_at", "updated_at"))

    class Meta:
        model = Source
        fields = ()


class VenueFilterSet(FilterSet):
    country = django_filters.MultipleChoiceFilter(choices=COUNTRY_CHOICES, help_text="ISO 3166-1 alpha-2 code.")
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="City, exactly (any case).")
    search = SearchFilter(
        fields=("name", "name_zh", "district", "city"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the names (English, Chinese or pinyin) or place.",
    )
    ordering = OrderingFilter(fields=("name", "id", "created_at", "updated_at"))

    class Meta:
        model = Venue
        fields = ()


class ExpoFilterSet(FilterSet):
    search = SearchFilter(
        fields=("name", "short_name", "name_zh"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the names (English, Chinese or pinyin).",
    )
    ordering = OrderingFilter(fields=("name", "id", "created_at", "updated_at"))

    class Meta:
        model = Expo
        fields = ()


class EditionFilterSet(FilterSet):
    expo = IdFilter(field_name="expo", help_text="Editions of this expo.")
    venue = IdFilter(field_name="venue", help_text="Editions held at this venue.")
    number = IntegerFilter(field_name="number", min_value=1, max_value=32767, help_text="The edition's number.")
    starts_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", help_text="Starts on or after."
    )
    starts_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", help_text="Starts on or before."
    )
    search = SearchFilter(
        fields=("name", "name_zh", "expo__name", "expo__short_name", "expo__name_zh"),
        pinyin_fields=("search_pinyin", "expo__search_pinyin"),
        help_text="Words in the edition's or its expo's names (English, Chinese or pinyin).",
    )
    ordering = OrderingFilter(fields=("start_date", "number", "id", "created_at", "updated_at"))

    class Meta:
        model = Edition
        fields = ()
