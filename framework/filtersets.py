"""Filters for the deletion feed."""

import django_filters
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from framework.api.filters import FilterSet, IsoDateTimeFilter, OrderingFilter
from framework.models import Deletion
from framework.sync import COLLECTIONS

# The collections are registered as the apps get ready: choices taken before then would miss them.
if not apps.ready:
    raise ImproperlyConfigured("framework.filtersets is imported before every app is ready.")


class DeletionFilterSet(FilterSet):
    collection = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in sorted(COLLECTIONS.values())], help_text="Repeat for several."
    )
    updated_since = IsoDateTimeFilter(
        field_name="deleted_at",
        lookup_expr="gte",
        help_text="Deleted or withdrawn at or after this time (ISO 8601; UTC unless an offset is given).",
    )
    ordering = OrderingFilter(fields=("deleted_at", "id"))

    class Meta:
        model = Deletion
        fields = ()
