"""A start-up check of what the API's serializers declare for the queries that fetch their
responses (:mod:`framework.api.fieldsets`) and the list fast path (:mod:`framework.api.values`):
every ``Meta.reads`` entry names a field of its serializer and paths that resolve on its model,
every field's own ``reads`` resolves, every ``Meta.annotations`` entry names a field and gives
an expression its model can annotate, and every other field reads something its model has. A
declaration that names nothing is an error of ``manage.py check`` (and so of ``runserver``,
``migrate`` and ``make serve``), not a list that fails on its first request.

The serializers checked are those of every view in the URL conf and every serializer they
embed: nested ones, the briefs of related records and the records ``?expand=`` embeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField

from framework.api.fieldsets import expanded_serializer

# Every serializer a view renders or embeds declares its fields (a Serializer, never a bare BaseSerializer).
SerializerClass = type[serializers.Serializer]


def view_serializers(patterns: Iterable[URLPattern | URLResolver] | None = None) -> list[SerializerClass]:
    """The serializer classes the views of ``patterns`` (by default the URL conf's) render
    with, an action's own included, in the order first met."""
    found: dict[SerializerClass, None] = {}
    for callback in _callbacks(get_resolver().url_patterns if patterns is None else patterns):
        initkwargs = getattr(callback, "initkwargs", {}) or {}
        serializer_class = initkwargs.get("serializer_class") or getattr(
            getattr(callback, "cls", None), "serializer_class", None
        )
        if serializer_class is not None:
            found[serializer_class] = None
    return list(found)


def _callbacks(patterns: Iterable[URLPattern | URLResolver]) -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        else:
            yield pattern.callback


def with_embedded(serializer_classes: Iterable[SerializerClass]) -> list[SerializerClass]:
    """``serializer_classes`` and every serializer class their responses embed, however deep."""
    found: dict[SerializerClass, None] = {}
    waiting = list(serializer_classes)
    while waiting:
        serializer_class = waiting.pop(0)
        if serializer_class in found:
            continue
        found[serializer_class] = None
        waiting.extend(embedded_serializers(serializer_class))
    return list(found)


def embedded_serializers(serializer_class: SerializerClass) -> list[SerializerClass]:
    """The serializer classes ``serializer_class``'s fields embed: nested serializers, the
    briefs of related records and what ``?expand=`` embeds instead."""
    found: list[SerializerClass] = []
    for serializer_field in serializer_class().fields.values():
        if isinstance(serializer_field, serializers.ListSerializer):
            found.append(cast(SerializerClass, type(serializer_field.child)))
        elif isinstance(serializer_field, serializers.BaseSerializer):
            found.append(cast(SerializerClass, type(serializer_field)))
        relation = (
            serializer_field.child_relation if isinstance(serializer_field, ManyRelatedField) else serializer_field
        )
        brief = getattr(relation, "brief", None)
        if brief is not None:
            found.append(brief)
        full = expanded_serializer(serializer_field)
        if full is not None:
            found.append(full)
    return found


def path_problem(model: type[models.Model], path: str) -> str | None:
    """Why the ``__`` path ``path`` does not resolve on ``model``, or ``None`` where it does."""
    parts = path.split("__")
    current = model
    for index, part in enumerate(parts):
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return f"{current.__name__} has no field {part!r}"
        if index < len(parts) - 1:
            if model_field.related_model is None:
                return f"{current.__name__}.{part} is not a relation, so nothing follows it"
            current = model_field.related_model
    return None


def declaration_errors(serializer_class: SerializerClass) -> list[tuple[str, str]]:
    """``(check id, message)`` for each ``Meta.reads``, ``Meta.annotations`` or field ``reads``
    entry of ``serializer_class`` that names nothing."""
    meta = getattr(serializer_class, "Meta", None)
    reads = getattr(meta, "reads", None) or {}
    annotations = getattr(meta, "annotations", None) or {}
    serializer_fields = serializer_class().fields
    field_reads = {
        name: declared
        for name, serializer_field in serializer_fields.items()
        if (declared := getattr(serializer_field, "reads", None)) is not None
    }
    model = getattr(meta, "model", None)
    if model is None:
        if reads or annotations or field_reads:
            return [("framework.E100", "declares what its fields read but has no Meta.model to read it from.")]
        return []
    found = []
    for name, paths in reads.items():
        if name not in serializer_fields:
            found.append(("framework.E101", f"Meta.reads names {name!r}, which is not one of its fields."))
        found.extend(_paths_errors(model, f"Meta.reads[{name!r}]", paths))
    for name, paths in field_reads.items():
        found.extend(_paths_errors(model, f"The field {name!r}'s reads", paths))
    for name, serializer_field in serializer_fields.items():
        if name in reads or name in annotations or name in field_reads or serializer_field.write_only:
            continue
        attribute = serializer_field.source_attrs[0] if serializer_field.source_attrs else None
        if attribute is not None and not _model_has(model, attribute):
            found.append(
                (
                    "framework.E105",
                    f"The field {name!r} reads {attribute!r}, which is neither a field nor an attribute of "
                    f"{model.__name__}, nor in Meta.annotations.",
                )
            )
    for name, make in annotations.items():
        if name not in serializer_fields:
            found.append(("framework.E103", f"Meta.annotations names {name!r}, which is not one of its fields."))
            continue
        problem = _annotation_problem(model, name, make)
        if problem is not None:
            found.append(("framework.E104", f"Meta.annotations[{name!r}] {problem}"))
    return found


def _paths_errors(model: type[models.Model], what: str, paths: Any) -> list[tuple[str, str]]:
    if isinstance(paths, str) or not isinstance(paths, Iterable):
        return [("framework.E102", f"{what} must be a tuple of paths, not {paths!r}.")]
    found = []
    for path in paths:
        problem = path_problem(model, path) if isinstance(path, str) else f"{path!r} is not a path"
        if problem is not None:
            found.append(("framework.E102", f"{what} names {path!r}, which {model.__name__} cannot read: {problem}."))
    return found


def _model_has(model: type[models.Model], attribute: str) -> bool:
    try:
        model._meta.get_field(attribute)
    except FieldDoesNotExist:
        # A property, a method or a relation's accessor.
        return hasattr(model, attribute)
    return True


def _annotation_problem(model: type[models.Model], name: str, make: Any) -> str | None:
    if not callable(make):
        return f"must be a function giving the expression, not {make!r}."
    try:
        # Annotating resolves the expression's references, without a query.
        model._default_manager.annotate(**{name: make()})
    except (FieldError, ValueError, TypeError) as error:
        return f"cannot annotate {model.__name__}: {str(error).rstrip('.')}."
    return None


def check_serializer_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The system check: an error for each declaration of an API serializer that names nothing."""
    return [
        checks.Error(message, obj=f"{serializer_class.__module__}.{serializer_class.__qualname__}", id=check_id)
        for serializer_class in with_embedded(view_serializers())
        for check_id, message in declaration_errors(serializer_class)
    ]
