"""Incremental sync: what a client that keeps a copy of the collections needs besides
``updated_since``. Every record deleted from a collection, and every deal withdrawn from public
view, leaves an entry in the deletion feed (``/api/deletions/``), readable by whoever could read
the record. A record merged into another (see :func:`delete_merged`) is listed as merged, with
the id of the record it was merged into."""

import logging
from typing import Any, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from redis.exceptions import RedisError

from framework import access
from framework.models import Deletion

logger = logging.getLogger(__name__)

# Each collection's model, by "app_label.ModelName", and the collection's name in its URL: each app
# registers its own (register_collection).
COLLECTIONS: dict[str, str] = {}


# Any: a record of a publishable scope (its app's base class) has is_published and embargo_until.
def _readers(instance: Any) -> dict:
    """The columns of a deletion entry that say who may read it: those who could read the record."""
    scope = access.scope_of(type(instance))
    if scope is None or not scope.publishable:
        return {}
    return {
        "is_published": instance.is_published,
        "embargo_until": instance.embargo_until,
        "delegation_id": getattr(instance, f"{scope.field}_id"),
    }


def record_deletion(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    survivor_id = getattr(instance, "merged_into_id", None)
    Deletion.objects.create(
        collection=COLLECTIONS[sender._meta.label],
        record_id=instance.pk,
        kind=Deletion.Kind.DELETED if survivor_id is None else Deletion.Kind.MERGED,
        survivor_id=survivor_id,
        **_readers(instance),
    )


def delete_merged(record: Model, *, survivor: Model) -> None:
    """Delete ``record``, whose references now point to ``survivor`` (a record of the same
    collection): the deletion feed lists it as merged, with the survivor's id."""
    record.merged_into_id = survivor.pk  # type: ignore[attr-defined]  # read by record_deletion
    record.delete()


def forget_merge(model: type[Model], record_id: int) -> None:
    """The record ``record_id`` of ``model``, merged away, is back (a merge undone): its entries as
    merged leave the feed, so that a client pulling from before the merge does not remove the
    record it now lists as changed (one that pulled since removed it, and gets it back as
    changed)."""
    Deletion.objects.filter(
        collection=COLLECTIONS[model._meta.label], record_id=record_id, kind=Deletion.Kind.MERGED
    ).delete()
    data_changed()


def record_withdrawal(sender: type[Model], instance: Any, created: bool, **kwargs: Any) -> None:
    """A saved record the public could see when it was loaded, and no longer can, is withdrawn."""
    loaded = getattr(instance, "loaded_visibility", None)
    if created or loaded is None:
        return
    if instance.public_at(*loaded) and not instance.public_at(instance.is_published, instance.embargo_until):
        Deletion.objects.create(
            collection=COLLECTIONS[sender._meta.label],
            record_id=instance.pk,
            kind=Deletion.Kind.WITHDRAWN,
            delegation_id=_readers(instance)["delegation_id"],
        )
    instance.loaded_visibility = (instance.is_published, instance.embargo_until)


DATA_VERSION_KEY = "expo:data-version"


def data_version() -> int:
    """A number that changes whenever a record of a collection does: what is cached from the
    records (list counts) is cached under it, so a change makes it stale at once."""
    # Set when missing, so never None.
    return cast(int, cache.get_or_set(DATA_VERSION_KEY, 0, timeout=None))


def _bump_data_version() -> None:
    try:
        try:
            cache.incr(DATA_VERSION_KEY)
        except ValueError:
            cache.add(DATA_VERSION_KEY, 1, timeout=None)
    except (RedisError, OSError):
        # The write stands without the cache; what was kept expires by itself (a Redis that
        # restarts comes back empty).
        logger.warning("The data version could not be changed: the cache is unavailable.", exc_info=True)


def data_changed() -> None:
    """Records changed: change the data version now, and again when the transaction commits (a
    count taken meanwhile from the rows as they were before is not kept past the commit). Bulk
    writes, which send no signals, call it once when they are done."""
    _bump_data_version()
    transaction.on_commit(_bump_data_version)


def record_change(sender: type[Model], **kwargs: Any) -> None:
    """A record changed (a signal's receiver): see :func:`data_changed`."""
    data_changed()


def register_collection(model: type[Model], name: str, *, changed_with: tuple[type[Model], ...] = ()) -> None:
    """Make ``model`` the collection ``name`` (its URL's name): its deletions (and, for a
    publishable scope, withdrawals) enter the deletion feed, and its changes, or those of the
    ``changed_with`` models a list of it shows, change the data version. Register the model's
    scope (framework.access) first."""
    label = model._meta.label
    COLLECTIONS[label] = name
    for changed in (model, *changed_with):
        changed_label = changed._meta.label
        post_save.connect(record_change, sender=changed, dispatch_uid=f"change-{changed_label}")
        post_delete.connect(record_change, sender=changed, dispatch_uid=f"change-deleted-{changed_label}")
        for many_to_many in changed._meta.local_many_to_many:
            m2m_changed.connect(
                record_change,
                sender=many_to_many.remote_field.through,
                dispatch_uid=f"change-{changed_label}-{many_to_many.name}",
            )
    post_delete.connect(record_deletion, sender=model, dispatch_uid=f"deletion-{name}")
    scope = access.scope_of(model)
    if scope is not None and scope.publishable:
        post_save.connect(record_withdrawal, sender=model, dispatch_uid=f"withdrawal-{name}")
