"""Endpoints for expos, editions, venues, sources and reported figures."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from expo.api.serializers import (
    DeletionSerializer,
    EditionSerializer,
    ExpoSerializer,
    ReportedFigureSerializer,
    SourceSerializer,
    VenueSerializer,
)
from expo.api.viewsets import ModelViewSet, collection_schema
from expo.filtersets import (
    DeletionFilterSet,
    EditionFilterSet,
    ExpoFilterSet,
    ReportedFigureFilterSet,
    SourceFilterSet,
    VenueFilterSet,
)
from expo.models import Deletion, Edition, Expo, ReportedFigure, Source, Venue


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


@collection_schema(tag="sources", singular="reported figure", plural="reported figures")
class ReportedFigureViewSet(ModelViewSet):
    serializer_class = ReportedFigureSerializer
    filterset_class = ReportedFigureFilterSet
    queryset = ReportedFigure.objects.all()


@extend_schema_view(
    list=extend_schema(
        tags=["sync"],
        summary="List deletions",
        description="Records deleted from any collection, and deals withdrawn from public view, oldest first: "
        "each entry is visible to whoever could read the record. To keep a copy of a collection, pull "
        "`/api/{collection}/?updated_since=T&ordering=updated_at` for what changed and "
        "`/api/deletions/?collection={collection}&updated_since=T` for what to remove, where T is a little "
        "before the newest time seen in the last pull.",
    )
)
# Only listed (see expo.api.urls): an entry has nothing more to show on its own.
class DeletionViewSet(ModelViewSet):
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    queryset = Deletion.objects.all()
    http_method_names = ["get", "head", "options"]
