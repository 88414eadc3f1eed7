"""Endpoints for expos, editions, venues, sources and reported figures."""

from expo import selectors
from expo.api.serializers import (
    EditionSerializer,
    ExpoSerializer,
    ReportedFigureSerializer,
    SourceSerializer,
    VenueSerializer,
)
from expo.api.viewsets import ModelViewSet, collection_schema
from expo.filtersets import (
    EditionFilterSet,
    ExpoFilterSet,
    ReportedFigureFilterSet,
    SourceFilterSet,
    VenueFilterSet,
)


@collection_schema(tag="expos", singular="expo", plural="expos")
class ExpoViewSet(ModelViewSet):
    serializer_class = ExpoSerializer
    filterset_class = ExpoFilterSet

    def selector(self):
        return selectors.expo_list()


@collection_schema(tag="expos", singular="edition", plural="editions")
class EditionViewSet(ModelViewSet):
    serializer_class = EditionSerializer
    filterset_class = EditionFilterSet

    def selector(self):
        return selectors.edition_list()


@collection_schema(tag="expos", singular="venue", plural="venues")
class VenueViewSet(ModelViewSet):
    serializer_class = VenueSerializer
    filterset_class = VenueFilterSet

    def selector(self):
        return selectors.venue_list()


@collection_schema(tag="sources", singular="source", plural="sources")
class SourceViewSet(ModelViewSet):
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet

    def selector(self):
        return selectors.source_list()


@collection_schema(tag="sources", singular="reported figure", plural="reported figures")
class ReportedFigureViewSet(ModelViewSet):
    serializer_class = ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet

    def selector(self):
        return selectors.reported_figure_list()
