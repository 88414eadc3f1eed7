"""The viewset every collection extends: scoped and selected through one queryset method,
filtered by a strict FilterSet, paginated, and refusing unknown query parameters."""

import builtins
from collections.abc import Callable
from typing import Any, cast

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from framework import access
from framework.api.conditional import (
    Stamped,
    check_if_match,
    etag_of,
    idempotency_key,
    last_modified_of,
    not_modified,
    replay_or_run,
)
from framework.api.fieldsets import (
    EVERYTHING,
    SELECTION_PARAMETERS,
    apply_plan,
    apply_selection,
    parse_selection,
    response_plan,
    shaped_fields,
)
from framework.api.filters import check_query_parameters
from framework.api.pagination import LimitOffsetPagination
from framework.api.values import values_renderer
from framework.services import required_writes_of, writes_of


# The viewset every collection extends (a comment, not a docstring: the schema would take a
# docstring as every operation's description). It gives list, retrieve, create, update, partial
# update and delete, with:
# - rows from the view's selector(), scoped to the caller by framework.access before any filter
#   (writes see only the rows the caller may change: others answer 404), fetched with exactly
#   the relations, columns and annotations the response renders (framework.api.fieldsets);
# - list parameters limited to the FilterSet's filters plus limit/offset (and cursor, where the
#   pagination_class is framework.api.pagination.CursorPagination); list and retrieve
#   take fields/omit/expand; other actions take no query parameters; anything else is a 400
#   naming it;
# - a weak ETag and a Last-Modified on every record it returns, the tag of what the response
#   renders for the caller's role (framework.api.conditional.etag_of); If-Match with a tag of an
#   older version of the row is a 412; If-None-Match with the current tag, or If-Modified-Since
#   no older than the row, a 304;
# - writes in one transaction, under a lock of the row they change; a POST with an
#   Idempotency-Key is done once; deleting a record still referred to is a 409.
class ModelViewSet(viewsets.ModelViewSet):
    queryset: QuerySet
    paginator: LimitOffsetPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # Actions (besides list) that take limit/offset.
    paginated_actions: tuple[str, ...] = ()

    # Actions whose responses may be narrowed with fields/omit and widened with expand.
    selectable_actions = ("list", "retrieve")
    selection = EVERYTHING
    # While an OPTIONS answer looks at the record as a write would (see options()).
    describing = False

    def selector(self) -> QuerySet:
        """The collection's rows, before scoping, filtering and planning."""
        return self.queryset.all()

    def planned(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` fetching what this request's response renders, and no more."""
        # A class is hashable: mypy checks a type[...] against its instances' __hash__.
        plan = response_plan(self.get_serializer_class(), self.selection, queryset.model)  # type: ignore[arg-type]
        # Writes load whole records: their rules and history read every column.
        return apply_plan(queryset, plan, restrict_columns=self.request.method in SAFE_METHODS)

    def get_queryset(self) -> QuerySet:
        queryset = self.planned(self.selector())
        if self.request.method in SAFE_METHODS:
            return access.scope_for_read(queryset, self.request.user)
        return access.scope_for_write(queryset, self.request.user)

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer:
        serializer = super().get_serializer(*args, **kwargs)
        apply_selection(serializer, self.selection)
        return serializer

    def get_object(self) -> Any:
        """The record, locked first when the request changes it, and checked against ``If-Match``."""
        if self.request.method in SAFE_METHODS or self.describing:
            return super().get_object()
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if str(lookup).isdigit() and int(lookup) < 2**63:
            # Lock before reading, so the read sees every write committed before ours. Unordered: a
            # default ordering through a nullable relation would join it, and PostgreSQL refuses
            # FOR UPDATE on the nullable side of an outer join.
            model = self.selector().model
            list(model.objects.select_for_update().filter(pk=lookup).order_by().values_list("pk", flat=True))
        instance = super().get_object()
        check_if_match(self.request, instance)
        return instance

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Only lists take filters; building the FilterSet for a detail or a write is wasted work.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def allowed_query_parameters(self) -> tuple[set[str], set[str]]:
        """The parameters this request may carry, and those of them that may repeat."""
        if self.action in self.paginated_actions:
            return {"limit", "offset"}, set()
        selectable = set(SELECTION_PARAMETERS) if self.action in self.selectable_actions else set()
        if self.action != "list":
            return selectable, set()
        filterset_class = getattr(self, "filterset_class", None)
        allowed = {*self.paginator.query_parameters, *selectable}
        multi_valued: set[str] = set()
        if filterset_class is not None:
            allowed |= filterset_class.parameter_names()
            multi_valued = filterset_class.multi_value_parameters()
        return allowed, multi_valued

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        allowed, multi_valued = self.allowed_query_parameters()
        check_query_parameters(self, request, allowed=allowed, multi_valued=multi_valued)
        if self.action in self.selectable_actions:
            fields = shaped_fields(self.get_serializer_class(), EVERYTHING)  # type: ignore[arg-type]
            self.selection = parse_selection(request.query_params, fields)

    # DRF calls it with its Request, as its own stubs declare (overriding Django's HttpRequest).
    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        # DRF describes the PUT a record takes by fetching it as PUT would, outside any transaction:
        # a look that locks nothing (PostgreSQL refuses FOR UPDATE there) and checks no If-Match.
        self.describing = True
        return super().options(request, *args, **kwargs)

    def etag(self, instance: Stamped, data: object) -> str:
        """The tag of ``data``, ``instance`` as this response renders it for the caller."""
        return etag_of(instance, data, viewer=access.role_of(self.request.user).value)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        instance = getattr(self, "rendered_instance", None)
        if instance is not None and (response.status_code < 300 or response.status_code == 304):
            # A 304 has no body to take the tag from: retrieve() kept the tag it compared.
            tag = getattr(self, "rendered_etag", None)
            response["ETag"] = tag if tag is not None else self.etag(instance, response.data)
            response["Last-Modified"] = last_modified_of(instance)
        # What a response holds depends on who asks: a shared cache must not hand it to another.
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return super().finalize_response(request, response, *args, **kwargs)

    # A page of records, rendered from .values() rows where the serializer allows (a comment:
    # the schema would take a docstring as every list's description).
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        readable = self.get_queryset()
        queryset = self.filter_queryset(readable)
        renderer = values_renderer(self.get_serializer_class(), self.selection, queryset.model)  # type: ignore[arg-type]
        if renderer is None:
            return super().list(request, *args, **kwargs)
        page = self.paginator.paginate_queryset(
            queryset,
            self.request,
            view=self,
            rows=renderer.rows(queryset),
            # The page's keys passed the filters: its rows are fetched by key without them.
            by_key=renderer.rows(readable),
        )
        return self.get_paginated_response(renderer.render(page, fallback=lambda keys: self.serialized(queryset, keys)))

    # builtins.list: in the class body, list names the action above.
    def serialized(self, queryset: QuerySet, keys: builtins.list) -> builtins.list:
        """The records of ``queryset`` with ``keys``, in that order, as the serializer renders them."""
        records = queryset.in_bulk(keys)
        return self.get_serializer([records[key] for key in keys], many=True).data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.rendered_instance = self.get_object()
        # Rendered even for a 304: the tag is of the body, embedded records included.
        data = self.get_serializer(self.rendered_instance).data
        self.rendered_etag = self.etag(self.rendered_instance, data)
        if not_modified(request, self.rendered_instance, self.rendered_etag):
            return Response(status=304)
        return Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = idempotency_key(request)
        if key is None:
            with transaction.atomic():
                return super().create(request, *args, **kwargs)
        return replay_or_run(request, key, lambda: super(ModelViewSet, self).create(request, *args, **kwargs))

    @transaction.atomic
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @transaction.atomic
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def check_write_scope(self, data: dict, instance: Any = None) -> None:
        """A 400 on the field that ties the row to a delegation when the caller may not write there."""
        access.check_write(self.request.user, self.selector().model, data=data, instance=instance)

    # A bulk write reads its records back together, after the last write.
    reread_later = False

    def reread(self, serializer: BaseSerializer) -> None:
        """Render a written record as a GET would: through the selector, annotations included."""
        if self.reread_later:
            return
        serializer.instance = self.planned(self.selector()).get(pk=cast(Model, serializer.instance).pk)
        self.rendered_instance = serializer.instance

    # Writes go through the services the collection's app registered (framework.services): they
    # check the model's rules and the caller's scope, and record the caller in the history.
    def perform_create(self, serializer: BaseSerializer) -> None:
        writes = required_writes_of(self.selector().model)
        serializer.instance = writes.create_record(user=self.request.user, data=serializer.validated_data)
        self.reread(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        writes = required_writes_of(self.selector().model)
        writes.update_record(record=serializer.instance, user=self.request.user, data=serializer.validated_data)
        self.reread(serializer)

    def perform_destroy(self, instance: Model) -> None:
        writes = writes_of(self.selector().model)
        if writes is None:
            # A collection whose view set writes through services of its own, and registers none.
            instance.delete()
            return
        writes.delete_record(record=instance, user=self.request.user)


def collection_schema(*, tag: str, singular: str, plural: str, **overrides: Any) -> Callable:
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
