"""Incremental sync: what a client that keeps a copy of the collections needs besides
``updated_since``. Every record deleted from a collection, and every deal withdrawn from public
view, leaves an entry in the deletion feed (``/api/deletions/``), readable by whoever could read
the record."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from redis.exceptions import RedisError

from expo import access
from expo.models import Deletion

logger = logging.getLogger(__name__)

# Each collection's model, by "app_label.ModelName", and the collection's name in its URL.
COLLECTIONS: dict[str, str] = {
    "expo.Source": "sources",
    "expo.Venue": "venues",
    "expo.Expo": "expos",
    "expo.Edition": "editions",
    "expo.ReportedFigure": "reported-figures",
    "delegations.Delegation": "delegations",
    "delegations.Enterprise": "enterprises",
    "delegations.Participation": "participations",
    "delegations.Settlement": "settlements",
    "delegations.PromotionalActivity": "activities",
    "deals.Deal": "deals",
    "deals.Market": "markets",
    "deals.Category": "categories",
    "deals.ExchangeRate": "exchange-rates",
}


def _readers(instance: Model) -> dict:
    """The columns of a deletion entry that say who may read it: those who could read the record."""
    scope = access.scope_of(type(instance))
    if scope is None or not scope.publishable:
        return {}
    return {
        "is_published": instance.is_published,
        "embargo_until": instance.embargo_until,
        "delegation_id": getattr(instance, f"{scope.field}_id"),
    }


def record_deletion(sender: type[Model], instance: Model, **kwargs) -> None:
    Deletion.objects.create(
        collection=COLLECTIONS[sender._meta.label],
        record_id=instance.pk,
        kind=Deletion.Kind.DELETED,
        **_readers(instance),
    )


def record_withdrawal(sender: type[Model], instance: Model, created: bool, **kwargs) -> None:
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
    return cache.get_or_set(DATA_VERSION_KEY, 0, timeout=None)


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


def record_change(sender: type[Model], **kwargs) -> None:
    """A record changed: now, and again when the transaction commits (a count taken meanwhile
    from the rows as they were before is not kept past the commit)."""
    _bump_data_version()
    transaction.on_commit(_bump_data_version)


# Changes to these also change what lists of collections hold, beyond the collections' own records.
CHANGED_WITH = ("deals.DealLineItem",)


def connect() -> None:
    """Record deletions of every collection's records, and withdrawals of publishable ones; keep
    the data version with every change."""
    from django.apps import apps

    for label in (*COLLECTIONS, *CHANGED_WITH):
        model = apps.get_model(label)
        post_save.connect(record_change, sender=model, dispatch_uid=f"change-{label}")
        post_delete.connect(record_change, sender=model, dispatch_uid=f"change-deleted-{label}")
        for many_to_many in model._meta.local_many_to_many:
            m2m_changed.connect(
                record_change,
                sender=many_to_many.remote_field.through,
                dispatch_uid=f"change-{label}-{many_to_many.name}",
            )
    for label, collection in COLLECTIONS.items():
        model = apps.get_model(label)
        post_delete.connect(record_deletion, sender=model, dispatch_uid=f"deletion-{collection}")
        scope = access.scope_of(model)
        if scope is not None and scope.publishable:
            post_save.connect(record_withdrawal, sender=model, dispatch_uid=f"withdrawal-{collection}")
