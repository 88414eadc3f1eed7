"""Writes of delegations, enterprises, participations, settlements and promotional activities,
and who edits delegations. Each record is checked against every rule of its model and against
the writer's scope (an editor writes the participations, settlements and activities of their own
delegations), and saved with its writer in the history (framework.services)."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from delegations.models import Delegation, EditorAssignment, Enterprise, Participation, PromotionalActivity, Settlement
from framework import access
from framework.access import User
from framework.services import Data, Writes, record_create, record_delete, record_update


@transaction.atomic
def editor_create(*, username: str, delegations: Iterable[Delegation]) -> AbstractUser:
    """A new user ``username`` in the delegation editors' group, assigned to ``delegations`` (and
    so to every delegation below them). It has no usable password: it signs in with API tokens."""
    user = get_user_model().objects.create_user(username=username)
    user.groups.add(Group.objects.get_or_create(name=access.EDITORS)[0])
    for delegation in delegations:
        assignment = EditorAssignment(user=user, delegation=delegation)
        assignment.full_clean()
        assignment.save()
    return user


def delegation_create(*, user: User, data: Data) -> Delegation:
    """A new delegation with ``data`` (field name → value)."""
    return record_create(model=Delegation, user=user, data=data)


def delegation_update(*, delegation: Delegation, user: User, data: Data) -> Delegation:
    """``delegation`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=delegation, user=user, data=data)


def delegation_delete(*, delegation: Delegation, user: User) -> None:
    """Delete ``delegation``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=delegation, user=user)


def enterprise_create(*, user: User, data: Data) -> Enterprise:
    """A new enterprise with ``data`` (field name → value)."""
    return record_create(model=Enterprise, user=user, data=data)


def enterprise_update(*, enterprise: Enterprise, user: User, data: Data) -> Enterprise:
    """``enterprise`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=enterprise, user=user, data=data)


def enterprise_delete(*, enterprise: Enterprise, user: User) -> None:
    """Delete ``enterprise``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=enterprise, user=user)


def participation_create(*, user: User, data: Data) -> Participation:
    """A new participation of a delegation in an edition with ``data`` (field name → value)."""
    return record_create(model=Participation, user=user, data=data)


def participation_update(*, participation: Participation, user: User, data: Data) -> Participation:
    """``participation`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=participation, user=user, data=data)


def participation_delete(*, participation: Participation, user: User) -> None:
    """Delete ``participation``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=participation, user=user)


def settlement_create(*, user: User, data: Data) -> Settlement:
    """A new settlement with ``data`` (field name → value)."""
    return record_create(model=Settlement, user=user, data=data)


def settlement_update(*, settlement: Settlement, user: User, data: Data) -> Settlement:
    """``settlement`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=settlement, user=user, data=data)


def settlement_delete(*, settlement: Settlement, user: User) -> None:
    """Delete ``settlement``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=settlement, user=user)


def activity_create(*, user: User, data: Data) -> PromotionalActivity:
    """A new promotional activity with ``data`` (field name → value)."""
    return record_create(model=PromotionalActivity, user=user, data=data)


def activity_update(*, activity: PromotionalActivity, user: User, data: Data) -> PromotionalActivity:
    """``activity`` with the fields in ``data`` changed, and only those written."""
    return record_update(record=activity, user=user, data=data)


def activity_delete(*, activity: PromotionalActivity, user: User) -> None:
    """Delete ``activity``; ``ProtectedError`` while other records refer to it."""
    record_delete(record=activity, user=user)


DELEGATION_WRITES = Writes(
    model=Delegation, keyword="delegation", create=delegation_create, update=delegation_update, delete=delegation_delete
)
ENTERPRISE_WRITES = Writes(
    model=Enterprise, keyword="enterprise", create=enterprise_create, update=enterprise_update, delete=enterprise_delete
)
PARTICIPATION_WRITES = Writes(
    model=Participation,
    keyword="participation",
    create=participation_create,
    update=participation_update,
    delete=participation_delete,
)
SETTLEMENT_WRITES = Writes(
    model=Settlement, keyword="settlement", create=settlement_create, update=settlement_update, delete=settlement_delete
)
ACTIVITY_WRITES = Writes(
    model=PromotionalActivity,
    keyword="activity",
    create=activity_create,
    update=activity_update,
    delete=activity_delete,
)
