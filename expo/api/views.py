"""Endpoints for expos, editions, venues and sources."""

from expo.api.serializers import EditionSerializer, ExpoSerializer, SourceSerializer, VenueSerializer
from expo.filtersets import EditionFilterSet, ExpoFilterSet, SourceFilterSet, VenueFilterSet
from expo.models import Edition, Expo, Source, Venue
from framework.api.viewsets import ModelViewSet, collection_schema


@collection_schema(tag="expos", singular="expo", plural="expos")
class ExpoViewSet(ModelViewSet):
    serializer_class = ExpoSerializer
    filterset_class = ExpoFilterSet
    queryset = Expo.objects.all()


@collection_schema(tag="expos", singular="edition", plural="editions")
class EditionViewSet(ModelViewSet):
    serializer_class = EditionSerializer
    filterset_class = EditionFilterSet
    queryset = Edition.objects.all()


@collection_schema(tag="expos", singular="venue", plural="venues")
class VenueViewSet(ModelViewSet):
    serializer_class = VenueSerializer
    filterset_class = VenueFilterSet
    queryset = Venue.objects.all()


@collection_schema(tag="sources", singular="source", plural="sources")
class SourceViewSet(ModelViewSet):
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    queryset = Source.objects.all()
