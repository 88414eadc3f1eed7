"""Filters for delegations, enterprises, participations, settlements and activities."""

import django_filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES

from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from delegations.selectors import delegation_subtree_ids
from framework.api.filters import BooleanFilter, FilterSet, IdFilter, OrderingFilter, SearchFilter
from framework.codes import COUNTRY_CHOICES


class DelegationTreeFilter(IdFilter):
    """A delegation id that matches the delegation and every delegation below it."""

    def filter(self, queryset: QuerySet, value):
        if value in EMPTY_VALUES:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": delegation_subtree_ids(root_ids=[value])})


class DelegationFilterSet(FilterSet):
    parent = IdFilter(field_name="parent", help_text="Delegations directly under this one.")
    root = BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="`true`: only delegations with no parent."
    )
    within = DelegationTreeFilter(
        field_name="id", help_text="This delegation and every delegation below it, at any depth."
    )
    search = SearchFilter(
        fields=("name", "name_zh", "region"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the names (English, Chinese or pinyin) or region.",
    )
    ordering = OrderingFilter(fields=("name", "id", "created_at", "updated_at"))

    class Meta:
        model = Delegation
        fields = ()


class EnterpriseFilterSet(FilterSet):
    country = django_filters.MultipleChoiceFilter(
        choices=COUNTRY_CHOICES, help_text="ISO 3166-1 alpha-2 code; repeat for several."
    )
    kind = django_filters.MultipleChoiceFilter(choices=Enterprise.Kind.choices, help_text="Repeat for several.")
    district = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="Registered district.")
    city = django_filters.CharFilter(lookup_expr="iexact", max_length=100, help_text="City, exactly (any case).")
    uscc = django_filters.CharFilter(max_length=18, help_text="Unified Social Credit Code, exactly.")
    participation = IdFilter(field_name="participations", help_text="Registered for this participation.")
    search = SearchFilter(
        fields=("name", "name_zh", "aliases__name", "uscc", "registry_id", "industry"),
        pinyin_fields=("search_pinyin", "aliases__search_pinyin"),
        help_text="Words in the names (English, Chinese or pinyin) or aliases, industry, USCC or registry id.",
    )
    ordering = OrderingFilter(
        fields=("name", "country", "id", "created_at", "updated_at"),
        # Those an index serves in their order (names, nearly all distinct, read backwards, each
        # run of equal names sorted by id).
        cursor_orderings=("name", "-name", "updated_at", "-updated_at", "id", "-id"),
    )

    class Meta:
        model = Enterprise
        fields = ()


class ParticipationFilterSet(FilterSet):
    delegation = DelegationTreeFilter(help_text="This delegation and every delegation below it.")
    edition = IdFilter(field_name="edition", help_text="Participations in this edition.")
    expo = IdFilter(field_name="edition__expo", help_text="Participations in any edition of this expo.")
    ordering = OrderingFilter(fields=("id", ("edition__start_date", "edition_start_date"), "created_at", "updated_at"))

    class Meta:
        model = Participation
        fields = ()


class SettlementFilterSet(FilterSet):
    delegation = DelegationTreeFilter(
        field_name="participation__delegation", help_text="This delegation and every delegation below it."
    )
    edition = IdFilter(field_name="participation__edition", help_text="Settlements from this edition.")
    participation = IdFilter(field_name="participation", help_text="Settlements from this participation.")
    enterprise = IdFilter(field_name="enterprise", help_text="Settlements of this enterprise.")
    status = django_filters.MultipleChoiceFilter(choices=Settlement.Status.choices, help_text="Repeat for several.")
    ordering = OrderingFilter(fields=("id", "announced_on", "created_at", "updated_at"))

    class Meta:
        model = Settlement
        fields = ()


class PromotionalActivityFilterSet(FilterSet):
    delegation = DelegationTreeFilter(
        field_name="participation__delegation", help_text="This delegation and every delegation below it."
    )
    edition = IdFilter(field_name="participation__edition", help_text="Activities held at this edition.")
    participation = IdFilter(field_name="participation", help_text="Activities of this participation.")
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", help_text="Held on or after.")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", help_text="Held on or before.")
    search = SearchFilter(
        fields=("title", "title_zh", "description", "location"),
        pinyin_fields=("search_pinyin",),
        help_text="Words in the title (English, Chinese or pinyin), text or place.",
    )
    ordering = OrderingFilter(fields=("id", "held_on", "title", "created_at", "updated_at"))

    class Meta:
        model = PromotionalActivity
        fields = ()
