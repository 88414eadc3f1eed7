"""Bulk writes: create and change many records of a collection in one request, all or nothing.

``POST /api/<collection>/bulk/`` with ``{"items": [...]}``: an item without ``id`` is a new record
(the body a POST to the collection takes), an item with ``id`` changes that record (as a PATCH:
only the fields sent change). The items are checked and written in order in one transaction, each
exactly as its single write would be (same serializer, same scope checks, same services, history
with the caller and the reason "bulk"); a later item sees the rows of earlier ones. When any item
is refused, nothing is written and the 400 lists every refused item's errors under
``items.<index>.<field>``. Otherwise the answer is ``{"created", "updated", "results"}``, each
record rendered as a GET renders it, in item order."""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import Direction, extend_schema
from drf_standardized_errors.formatter import flatten_errors
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError
from rest_framework.relations import ManyRelatedField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from framework.api.conditional import idempotency_key, replay_or_run
from framework.api.errors import CONVERTED_EXCEPTIONS, api_exception
from framework.api.fields import PRELOADED_RECORDS, BriefRelatedField, field_path
from framework.history import change_reason

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

    from framework.api.viewsets import ModelViewSet as ViewSetBase
else:
    ViewSetBase = object

MAX_ITEMS = 1000
CHANGE_REASON = "bulk"
# The id of an item that changes a record: what a detail URL would take.
ID_FIELD = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
# How an item that is not an object is named in its error.
JSON_TYPES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}
# What an item's write may raise and the caller is told about, under the item's index.
ITEM_EXCEPTIONS = (APIException, *CONVERTED_EXCEPTIONS)


class BulkRequestSerializer(serializers.Serializer):
    """The body of a bulk write. Each item is checked by the collection's own serializer."""

    items = serializers.ListField(
        allow_empty=False,
        max_length=MAX_ITEMS,
        help_text=f"1 to {MAX_ITEMS} items: without `id` a new record, with `id` the changes to that record.",
    )


class BulkResultSerializer(serializers.Serializer):
    """The answer to a bulk write (documented per collection: ``results`` holds its records)."""

    created = serializers.IntegerField(help_text="How many records were created.")
    updated = serializers.IntegerField(help_text="How many records were changed.")
    results = serializers.ListField(help_text="Every record written, in item order, as a GET renders it.")


# Adds POST …/bulk/ to a collection's view set (an framework.api.viewsets.ModelViewSet; a comment, not
# a docstring: the schema would take a docstring as every operation's description). Every item
# goes through the view's own perform_create / perform_update, so whatever a single write checks
# and records, each item does too; the caller needs the permissions of both writes where the
# items hold both kinds. Document it per collection with bulk_schema().
class BulkWriteMixin(ViewSetBase):
    @extend_schema(request=BulkRequestSerializer, responses={200: BulkResultSerializer})
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = idempotency_key(request)
        if key is None:
            with transaction.atomic():
                return self.bulk_write(request)
        return replay_or_run(request, key, lambda: self.bulk_write(request))

    def bulk_write(self, request: Request) -> Response:
        """Write the request's items in order; raise a 400 naming every refused item (the caller's
        transaction then rolls every write back)."""
        envelope = BulkRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        items = envelope.validated_data["items"]
        self.check_bulk_permissions(request, items)
        targets, errors = bulk_targets(items)
        records = self.lock_for_bulk(set(targets.values()))
        with self.acting_as("create"):
            self.preloaded = preload_related(cast(serializers.Serializer, self.get_serializer()), items)
        counts = {"created": 0, "updated": 0}
        written = []
        # Each record is read back once, all together, after the last write.
        self.reread_later = True
        with change_reason(CHANGE_REASON):
            self.bulk_begin()
            for index, item in enumerate(items):
                if index in errors:
                    continue
                if index in targets:
                    # A change sees what every item before it wrote.
                    self.bulk_flush()
                try:
                    serializer = self.bulk_write_item(request, item, target=targets.get(index), records=records)
                except ITEM_EXCEPTIONS as error:
                    errors[index] = item_errors(error)
                    continue
                counts["updated" if index in targets else "created"] += 1
                written.append(cast(Model, serializer.instance))
            if not errors:
                self.bulk_flush()
        # The response is about many records: no single record's ETag.
        self.rendered_instance = None
        if errors:
            raise ValidationError(by_attr(errors))
        records = self.planned(self.selector()).in_bulk([record.pk for record in written])
        results = self.get_serializer([records[record.pk] for record in written], many=True).data
        return Response({**counts, "results": results})

    def bulk_write_item(
        self, request: Request, item: dict, *, target: int | None, records: dict[int, Model]
    ) -> serializers.BaseSerializer:
        """Create ``item``, or apply it to record ``target``, as the single write would, under a
        savepoint (a refused item leaves nothing behind); the serializer holds the record written."""
        instance = None
        if target is not None:
            instance = records.get(target)
            if instance is None:
                raise ValidationError({"id": [ErrorDetail("No record with this id that you may change.", "not_found")]})
        # A create the view only checks and keeps (bulk_defers_creates) writes nothing to undo.
        undo = nullcontext() if instance is None and self.bulk_defers_creates else transaction.atomic()
        with self.acting_as("create" if instance is None else "partial_update"), undo:
            serializer = self.item_serializer(instance, item)
            serializer.is_valid(raise_exception=True)
            if instance is None:
                self.perform_create(serializer)
            else:
                self.check_object_permissions(request, instance)
                self.perform_update(serializer)
        return serializer

    # Whether perform_create, during a bulk write, only checks the record and keeps it for
    # bulk_flush() to write (it must then write nothing itself).
    bulk_defers_creates = False
    # The records the items name, read ahead (see preload_related).
    preloaded: dict[str, dict[int, Model]] | None = None

    def bulk_begin(self) -> None:
        """Before the first item of a bulk write: where a view that defers creates starts its batch."""

    def bulk_flush(self) -> None:
        """Write what the items so far kept (a view that defers creates): before each change
        and after the last item when none was refused."""

    def get_serializer_context(self) -> Mapping[str, Any]:
        context = super().get_serializer_context()
        if self.preloaded is not None:
            context = {**context, PRELOADED_RECORDS: self.preloaded}
        return context

    def item_serializer(self, instance: Model | None, item: dict) -> serializers.BaseSerializer:
        """The serializer of the current action for ``item`` (on ``instance`` for a change), as
        ``get_serializer`` gives it; one per action serves every item, as a list serializer's
        child does: building its fields costs more than checking an item."""
        kept = self.__dict__.setdefault("_item_serializers", {})
        serializer = kept.get(self.action)
        if serializer is None:
            serializer = kept[self.action] = self.get_serializer(instance, data=item, partial=instance is not None)
            return serializer
        serializer.instance = instance
        serializer.initial_data = item
        # What checking and rendering the previous item left behind.
        for attribute in ("_validated_data", "_errors", "_data"):
            serializer.__dict__.pop(attribute, None)
        return serializer

    @contextmanager
    def acting_as(self, name: str) -> Iterator[None]:
        """Run the block as the collection's single-write action ``name`` (``create``,
        ``partial_update``): permissions and serializers are chosen as for that write."""
        bulk_action = self.action
        self.action = name
        try:
            yield
        finally:
            self.action = bulk_action

    def check_bulk_permissions(self, request: Request, items: list) -> None:
        """Check the caller as a create would be (items without ``id``) and as a change would be
        (items with one): a 401 or 403 when either is refused."""
        actions = {"partial_update" if "id" in item else "create" for item in items if isinstance(item, dict)}
        for name in sorted(actions):
            with self.acting_as(name):
                self.check_permissions(request)

    def lock_for_bulk(self, pks: set[int]) -> dict[int, Model]:
        """The records the caller may change among ``pks``, by id, each locked until the
        transaction ends. Locked in id order, so two bulk writes cannot deadlock on each other."""
        if not pks:
            return {}
        # As in ModelViewSet.get_object: lock before reading, on the bare table (see there why).
        model = self.selector().model
        list(model.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
        return self.get_queryset().in_bulk(pks)


def preload_related(serializer: serializers.Serializer, items: list) -> dict[str, dict[int, Model]]:
    """The records the items' related fields name by id (where ``serializer`` takes them as
    :class:`BriefRelatedField`, nested ones included), by field path and id: one query per
    kind of record, rather than one per id of every item."""
    wanted: dict[str, tuple[BriefRelatedField, set[int]]] = {}
    for item in items:
        if isinstance(item, dict):
            _collect_ids(serializer.fields, item, wanted)
    # Fields that read the same rows (a deal's buyer and seller) share one query.
    querysets: dict[tuple, QuerySet] = {}
    by_query: dict[tuple, set[int]] = defaultdict(set)
    keys = {}
    for path, (field, ids) in wanted.items():
        queryset = cast(QuerySet, field.get_queryset())
        keys[path] = key = (queryset.model, str(queryset.query))
        querysets.setdefault(key, queryset)
        by_query[key] |= ids
    found = {key: querysets[key].in_bulk(ids) for key, ids in by_query.items()}
    return {path: found[key] for path, key in keys.items()}


def _is_id(value: object) -> bool:
    return type(value) is int and 0 < value < 2**63


def _collect_ids(fields: Any, data: dict, wanted: dict[str, tuple[BriefRelatedField, set[int]]]) -> None:
    """Add the ids ``data`` gives the related fields among ``fields`` to ``wanted`` (by field path)."""
    for name, field in fields.items():
        if field.read_only or name not in data:
            continue
        value = data[name]
        if isinstance(field, BriefRelatedField):
            if _is_id(value):
                wanted.setdefault(field_path(field), (field, set()))[1].add(value)
        elif isinstance(field, ManyRelatedField) and isinstance(field.child_relation, BriefRelatedField):
            if isinstance(value, list):
                ids = wanted.setdefault(field_path(field), (field.child_relation, set()))[1]
                ids.update(each for each in value if _is_id(each))
        elif isinstance(field, serializers.ListSerializer) and isinstance(field.child, serializers.Serializer):
            if isinstance(value, list):
                for each in value:
                    if isinstance(each, dict):
                        _collect_ids(field.child.fields, each, wanted)
        elif isinstance(field, serializers.Serializer) and isinstance(value, dict):
            _collect_ids(field.fields, value, wanted)


def bulk_targets(items: list) -> tuple[dict[int, int], dict[int, list | dict]]:
    """The id each changing item names, by item index; and the errors of items refused by their
    shape alone: not an object, a malformed id, or an id an earlier item already names."""
    targets: dict[int, int] = {}
    errors: dict[int, list | dict] = {}
    first_with: dict[int, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            kind = JSON_TYPES.get(type(item), type(item).__name__)
            errors[index] = [ErrorDetail(f"Expected an object of the record's fields, not {kind}.", "not_an_object")]
            continue
        if "id" not in item:
            continue
        try:
            pk = ID_FIELD.run_validation(item["id"])
        except ValidationError as error:
            errors[index] = {"id": error.detail}
            continue
        if pk in first_with:
            message = f"Item {first_with[pk]} already changes this record: send each id once."
            errors[index] = {"id": [ErrorDetail(message, "duplicate")]}
            continue
        first_with[pk] = index
        targets[index] = pk
    return targets, errors


def item_errors(error: Exception) -> dict:
    """What a refused item's write raised, as the errors of that item: by field where the
    error names fields, else under ``non_field_errors``."""
    # What an item's write may raise becomes an APIException.
    detail = cast(APIException, api_exception(error)).detail
    if isinstance(detail, dict):
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: detail if isinstance(detail, list) else [detail]}


def by_attr(errors: dict[int, list | dict]) -> dict[str, list[ErrorDetail]]:
    """Item errors (by item index) keyed by their full ``attr``, e.g. ``items.3.line_items.0.product``,
    in item order: the error response lists them so, however deep each one is."""
    flat: dict[str, list[ErrorDetail]] = {}
    for index in sorted(errors):
        for error in flatten_errors(errors[index], attr=f"items.{index}"):
            # An error's attr is never None under the attr prefix given.
            flat.setdefault(cast(str, error.attr), []).append(ErrorDetail(error.detail, error.code))
    return flat


def bulk_schema(*, tag: str, singular: str, plural: str, note: str = "", **kwargs: Any) -> Callable:
    """The summary, description (ending with ``note``, a rule of the collection's own) and tag of a
    collection's bulk write; ``kwargs`` go to ``extend_schema`` (e.g. ``examples``)."""
    return extend_schema(
        tags=[tag],
        summary=f"Create or update {plural} in one request",
        description=(
            f"`items` holds 1 to {MAX_ITEMS} {plural}: an item without `id` is a new {singular}, with the body "
            f"`POST` takes; an item with `id` changes that {singular} as `PATCH` does (only the fields sent "
            "change). The items are written in order in one transaction, each checked as its single write "
            "would be, and a later item sees what earlier ones wrote. If any item is refused nothing is "
            "written, and the 400 lists the errors of every refused item with `attr` "
            "`items.<index>.<field>` or `items.<index>.non_field_errors`; an id that does not exist or "
            f"that you may not change is an error on `items.<index>.id`. Each {singular} is "
            "recorded in its history with you and the reason `bulk`. An `Idempotency-Key` header makes a "
            "retry return the first answer." + (f" {note}" if note else "")
        ),
        **kwargs,
    )


def _item_serializer(auto_schema: "AutoSchema", action: str = "create") -> type[serializers.Serializer]:
    """The serializer the view takes for ``action``, the single write an item stands for."""
    # Documented only on the view sets that mix BulkWriteMixin in.
    view = cast(BulkWriteMixin, auto_schema.view)
    with view.acting_as(action):
        return cast(type[serializers.Serializer], view.get_serializer_class())


def _component_stem(auto_schema: "AutoSchema") -> str:
    name = _item_serializer(auto_schema).__name__
    return name.removesuffix("Serializer")


class BulkRequestSerializerExtension(OpenApiSerializerExtension):
    """``{items: [...]}`` where an item is the collection's create body, or the body of its PATCH
    with the ``id`` of the record it changes (``<Name>BulkUpdateRequest``)."""

    target_class = BulkRequestSerializer

    def get_name(self, auto_schema: "AutoSchema", direction: Direction) -> str:
        return f"{_component_stem(auto_schema)}Bulk"

    def map_serializer(self, auto_schema: "AutoSchema", direction: Direction) -> dict:
        create = auto_schema.resolve_serializer(_item_serializer(auto_schema, "create")(), direction)
        update_serializer = _item_serializer(auto_schema, "partial_update")
        changes = auto_schema.resolve_serializer(update_serializer(partial=True), direction)
        update = ResolvedComponent(
            name=f"{_component_stem(auto_schema)}BulkUpdateRequest",
            type=ResolvedComponent.SCHEMA,
            object=update_serializer,
            schema={
                "allOf": [
                    changes.ref,
                    {
                        "type": "object",
                        "properties": {
                            "id": {
                                "type": "integer",
                                "minimum": ID_FIELD.min_value,
                                "maximum": ID_FIELD.max_value,
                                "description": "The record to change.",
                            }
                        },
                        "required": ["id"],
                    },
                ],
                "description": "The changes to one record: only the fields sent change.",
            },
        )
        auto_schema.registry.register_on_missing(update)
        return {
            "type": "object",
            "description": "Records to create (no `id`) and changes to records (with their `id`), written in order.",
            "properties": {
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                    "items": {"anyOf": [create.ref, update.ref]},
                }
            },
            "required": ["items"],
        }


class BulkResultSerializerExtension(OpenApiSerializerExtension):
    """``{created, updated, results}`` with the collection's records in ``results``."""

    target_class = BulkResultSerializer

    def get_name(self, auto_schema: "AutoSchema", direction: Direction) -> str:
        return f"{_component_stem(auto_schema)}BulkResult"

    def map_serializer(self, auto_schema: "AutoSchema", direction: Direction) -> dict:
        record = auto_schema.resolve_serializer(_item_serializer(auto_schema)(), direction)
        fields = BulkResultSerializer().fields
        return {
            "type": "object",
            "description": "What a bulk write wrote.",
            "properties": {
                "created": {"type": "integer", "description": fields["created"].help_text},
                "updated": {"type": "integer", "description": fields["updated"].help_text},
                "results": {"type": "array", "items": record.ref, "description": fields["results"].help_text},
            },
            "required": ["created", "updated", "results"],
        }
