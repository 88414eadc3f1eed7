"""The deletion feed: what left each collection, for clients that keep a copy."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from framework.api.serializers import DeletionSerializer
from framework.api.viewsets import ModelViewSet
from framework.filtersets import DeletionFilterSet
from framework.models import Deletion


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
# Only listed (see framework.api.urls): an entry has nothing more to show on its own.
class DeletionViewSet(ModelViewSet):
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    queryset = Deletion.objects.all()
    http_method_names = ["get", "head", "options"]
