"""The viewset every collection extends: scoped and selected through one queryset method,
filtered by a strict FilterSet, paginated, and refusing unknown query parameters."""

from collections.abc import Callable

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from expo.api.filters import check_query_parameters


class ModelViewSet(viewsets.ModelViewSet):
    """List, retrieve, create, update, partial update and delete, with:

    - ``get_queryset`` returning the selector's queryset (relations fetched once per request);
    - list parameters limited to the FilterSet's filters plus ``limit``/``offset``; other
      actions take no query parameters; anything else is a 400 naming it;
    - writes in one transaction; deleting a record still referred to is a 409."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def allowed_query_parameters(self) -> tuple[set[str], set[str]]:
        """The parameters this request may carry, and those of them that may repeat."""
        if self.action != "list":
            return set(), set()
        filterset_class = getattr(self, "filterset_class", None)
        allowed = {"limit", "offset"}
        multi_valued: set[str] = set()
        if filterset_class is not None:
            allowed |= filterset_class.parameter_names()
            multi_valued = filterset_class.multi_value_parameters()
        return allowed, multi_valued

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        allowed, multi_valued = self.allowed_query_parameters()
        check_query_parameters(request.query_params, allowed=allowed, multi_valued=multi_valued)

    def reread(self, serializer) -> None:
        """Render a written record as a GET would: through the selector, annotations included."""
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @transaction.atomic
    def perform_create(self, serializer) -> None:
        serializer.save()
        self.reread(serializer)

    @transaction.atomic
    def perform_update(self, serializer) -> None:
        serializer.save()
        self.reread(serializer)

    @transaction.atomic
    def perform_destroy(self, instance) -> None:
        instance.delete()


def collection_schema(*, tag: str, singular: str, plural: str, **overrides) -> Callable:
    """Summaries and the tag for a collection's six operations, e.g. "List deals",
    "Create a deal"; ``overrides`` replaces any operation's ``extend_schema``."""
    article = "an" if singular[0] in "aeiou" else "a"
    operations = {
        "list": extend_schema(tags=[tag], summary=f"List {plural}"),
        "retrieve": extend_schema(tags=[tag], summary=f"Get {article} {singular}"),
        "create": extend_schema(tags=[tag], summary=f"Create {article} {singular}"),
        "update": extend_schema(tags=[tag], summary=f"Replace {article} {singular}"),
        "partial_update": extend_schema(tags=[tag], summary=f"Update fields of {article} {singular}"),
        "destroy": extend_schema(
            tags=[tag], summary=f"Delete {article} {singular}", description="A 409 while other records refer to it."
        ),
    }
    operations.update(overrides)
    return extend_schema_view(**operations)
