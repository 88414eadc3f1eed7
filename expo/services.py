"""Writes of what is expo-wide: sources, venues, expos and editions. Each is checked against
every rule of its model and saved with its writer in the history (framework.services)."""

from expo.models import Edition, Expo, Source, Venue
from framework.access import User
from framework.services import Data, Writes, record_create, record_delete, record_update


def source_create(*, user: User, data: Data) -> Source:
    """A new source with ``data`` (field name → value)."""
    return record_create(model=Source, user=user, data=data)


def source_update(*, source: Source, user: User, data: Data) -> Source:
    """``source`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=source, user=user, data=data)


def source_delete(*, source: Source, user: User) -> None:
    """Delete ``source``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=source, user=user)


def venue_create(*, user: User, data: Data) -> Venue:
    """A new venue with ``data`` (field name → value)."""
    return record_create(model=Venue, user=user, data=data)


def venue_update(*, venue: Venue, user: User, data: Data) -> Venue:
    """``venue`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=venue, user=user, data=data)


def venue_delete(*, venue: Venue, user: User) -> None:
    """Delete ``venue``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=venue, user=user)


def expo_create(*, user: User, data: Data) -> Expo:
    """A new expo with ``data`` (field name → value)."""
    return record_create(model=Expo, user=user, data=data)


def expo_update(*, expo: Expo, user: User, data: Data) -> Expo:
    """``expo`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=expo, user=user, data=data)


def expo_delete(*, expo: Expo, user: User) -> None:
    """Delete ``expo``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=expo, user=user)


def edition_create(*, user: User, data: Data) -> Edition:
    """A new edition with ``data`` (field name → value)."""
    return record_create(model=Edition, user=user, data=data)


def edition_update(*, edition: Edition, user: User, data: Data) -> Edition:
    """``edition`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=edition, user=user, data=data)


def edition_delete(*, edition: Edition, user: User) -> None:
    """Delete ``edition``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=edition, user=user)


SOURCE_WRITES = Writes(model=Source, keyword="source", create=source_create, update=source_update, delete=source_delete)
VENUE_WRITES = Writes(model=Venue, keyword="venue", create=venue_create, update=venue_update, delete=venue_delete)
EXPO_WRITES = Writes(model=Expo, keyword="expo", create=expo_create, update=expo_update, delete=expo_delete)
EDITION_WRITES = Writes(
    model=Edition, keyword="edition", create=edition_create, update=edition_update, delete=edition_delete
)
