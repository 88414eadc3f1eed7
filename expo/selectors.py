"""Read logic for expos, editions, venues, sources and reported figures."""

from django.db.models import QuerySet

from expo.models import Edition, Expo, ReportedFigure, Source, Venue


def source_list() -> QuerySet[Source]:
    return Source.objects.all()


def venue_list() -> QuerySet[Venue]:
    return Venue.objects.select_related("source")


def expo_list() -> QuerySet[Expo]:
    return Expo.objects.select_related("host_venue", "source")


def edition_list() -> QuerySet[Edition]:
    return Edition.objects.select_related("expo", "venue", "dates_source", "source")


def reported_figure_list() -> QuerySet[ReportedFigure]:
    return ReportedFigure.objects.select_related("delegation", "edition__expo", "source")
