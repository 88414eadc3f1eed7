"""The admin for what is expo-wide: sources, venues, expos and editions."""

from django.contrib import admin

from expo.models import Edition, Expo, Source, Venue
from framework.admin import RecordAdmin
from framework.models import TIMESTAMPS


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ("title", "kind", "publisher", "author", "published_on")
    list_filter = ("kind", "published_on")
    search_fields = ("title", "author", "publisher", "url", "file")
    fields = (*Source.FIELDS, *TIMESTAMPS)


@admin.register(Venue)
class VenueAdmin(RecordAdmin):
    list_display = ("name", "name_zh", "district", "city", "country")
    list_filter = (("country", admin.AllValuesFieldListFilter), ("city", admin.AllValuesFieldListFilter))
    search_fields = ("name", "name_zh", "district", "city")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("source",)
    fields = (*Venue.FIELDS, *TIMESTAMPS)


@admin.register(Expo)
class ExpoAdmin(RecordAdmin):
    list_display = ("name", "short_name", "name_zh", "host_venue")
    list_select_related = ("host_venue",)
    list_filter = ("host_venue",)
    search_fields = ("name", "short_name", "name_zh")
    pinyin_search_fields = ("search_pinyin",)
    autocomplete_fields = ("host_venue", "source")
    fields = (*Expo.FIELDS, *TIMESTAMPS)


@admin.register(Edition)
class EditionAdmin(RecordAdmin):
    list_display = ("__str__", "expo", "number", "start_date", "end_date", "venue")
    list_filter = ("expo", "venue", "start_date")
    search_fields = ("name", "name_zh", "expo__name", "expo__short_name", "expo__name_zh")
    pinyin_search_fields = ("search_pinyin", "expo__search_pinyin")
    autocomplete_fields = ("expo", "venue", "source", "dates_source")
    fields = (*Edition.FIELDS, *TIMESTAMPS)

    def get_queryset(self, request):
        # Not list_select_related: an edition without a name is called after its expo wherever it
        # is listed (autocomplete, other admins' filters), and the change list keeps this selection.
        return super().get_queryset(request).select_related("expo", "venue")
