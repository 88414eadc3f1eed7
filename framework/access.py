"""Who sees and changes which rows (SPEC §4), decided here for every API queryset.

- anonymous: reads published records only (deals past any embargo); writes nothing;
- analyst (group "Analysts"): reads everything, writes nothing;
- delegation editor (group "Delegation editors", with editor assignments): reads what the
  public reads plus everything of their delegations; writes deals, participations,
  settlements and activities of the delegations assigned to them and every delegation below;
  other rows do not exist for their writes; creates rows of the collections no delegation owns
  that an app lets them create (enterprises: a deal's new counterparty), but changes and
  deletes none of those;
- admin (superuser): reads and writes everything.
"""

import datetime
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import models as auth
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from framework.errors import DomainError

ANALYSTS = "Analysts"
EDITORS = "Delegation editors"

# A request's user (signed in or anonymous), or none outside a request.
User = auth.User | AnonymousUser | None


class Role(enum.Enum):
    ANONYMOUS = "anonymous"
    ANALYST = "analyst"
    EDITOR = "editor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Scope:
    """How a model's rows belong to a delegation (a path of relations) and whether they have a
    published flag and embargo time."""

    delegation_path: str
    publishable: bool = False
    # Whether delegation editors write the collection (within their delegations); else it is read only.
    editable: bool = True

    @property
    def field(self) -> str:
        return self.delegation_path.split("__", 1)[0]


# The scoped models, by "app_label.ModelName": each app registers its own (register_scope).
SCOPES: dict[str, Scope] = {}


def register_scope(model: type[Model], scope: Scope) -> None:
    """Scope ``model``'s rows by delegation: editors write those of their delegations (where the
    scope is editable), and, where it is publishable, others read only the published ones."""
    SCOPES[model._meta.label] = scope


# The models, by "app_label.ModelName", whose rows no delegation owns and delegation editors may
# create (not change or delete): each app registers its own (register_editor_creates).
EDITOR_CREATES: set[str] = set()


def register_editor_creates(model: type[Model]) -> None:
    """Let delegation editors create ``model`` rows (which no delegation owns); changing and
    deleting them stays with admins."""
    EDITOR_CREATES.add(model._meta.label)


def editor_creates(model: type[Model]) -> bool:
    """Whether delegation editors may create ``model`` rows though no delegation owns them."""
    return model._meta.label in EDITOR_CREATES


def _no_delegations(user: object) -> frozenset[int]:
    return frozenset()


# The delegations an editor writes: those assigned to them and every one below (registered by the
# app that keeps the assignments; no editor writes anything until it is).
_editor_delegations: Callable[[auth.User], frozenset[int]] = _no_delegations


def register_editor_delegations(delegations_of: Callable[[auth.User], frozenset[int]]) -> None:
    """Say how the delegations an editor writes are found: ``delegations_of(user)``."""
    global _editor_delegations
    _editor_delegations = delegations_of


@dataclass
class Access:
    """What one user may do; computed once per request."""

    role: Role
    editable_delegation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def reads_everything(self) -> bool:
        return self.role in (Role.ANALYST, Role.ADMIN)


def access_of(user: User) -> Access:
    """The caller's access, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated:
        return Access(Role.ANONYMOUS)
    cached = getattr(user, "_expo_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        result = Access(Role.ADMIN)
    else:
        groups = set(user.groups.values_list("name", flat=True))
        if EDITORS in groups:
            result = Access(Role.EDITOR, _editor_delegations(user))
        elif ANALYSTS in groups:
            result = Access(Role.ANALYST)
        else:
            result = Access(Role.ANONYMOUS)
    user._expo_access = result  # type: ignore[attr-defined]  # kept on the user object for the request
    return result


def role_of(user: User) -> Role:
    return access_of(user).role


def scope_of(model: type[Model]) -> Scope | None:
    return SCOPES.get(model._meta.label)


def editor_writable(model: type[Model]) -> bool:
    """Whether delegation editors write ``model``'s collection (within their delegations)."""
    scope = scope_of(model)
    return scope is not None and scope.editable


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def visibility_time(moment: datetime.datetime | None = None) -> datetime.datetime:
    """``moment`` (default: now) as the public's visibility condition reads it: rounded down to
    a whole multiple of ``LIST_COUNT_CACHE_SECONDS`` since the epoch (to the whole second when
    counts are not kept). An embargo so ends up to that long late, never early, and the public's
    queries are the same throughout the time a count is kept, so the kept count serves them
    (framework.api.pagination)."""
    window = datetime.timedelta(seconds=max(settings.LIST_COUNT_CACHE_SECONDS, 1))
    moment = timezone.now() if moment is None else moment
    try:
        return EPOCH + (moment - EPOCH) // window * window
    except OverflowError:  # within a window of year 1: nothing is earlier
        return moment


def published_condition(*, prefix: str = "") -> Q:
    """Published and past any embargo, now (as :func:`visibility_time` reads it)."""
    return Q(**{f"{prefix}is_published": True}) & (
        Q(**{f"{prefix}embargo_until__isnull": True}) | Q(**{f"{prefix}embargo_until__lte": visibility_time()})
    )


def scope_for_read(queryset: QuerySet, user: User) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may read."""
    access = access_of(user)
    scope = scope_of(queryset.model)
    if access.reads_everything or scope is None or not scope.publishable:
        return queryset
    visible = published_condition()
    if access.role is Role.EDITOR:
        visible |= Q(**{f"{scope.delegation_path}__in": access.editable_delegation_ids})
    return queryset.filter(visible)


def scope_for_write(queryset: QuerySet, user: User) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may change or delete; others do not exist for them."""
    access = access_of(user)
    if access.role is Role.ADMIN:
        return queryset
    scope = scope_of(queryset.model)
    if access.role is Role.EDITOR and scope is not None and scope.editable:
        return queryset.filter(**{f"{scope.delegation_path}__in": access.editable_delegation_ids})
    return queryset.none()


def may_write_for(user: User, model: type[Model], *, data: Mapping[str, Any], instance: Model | None = None) -> bool:
    """Whether ``user`` may write a ``model`` row with ``data`` (the validated request) on top
    of ``instance`` (``None`` for a new row): for an editor, the row's delegation must be one of
    theirs, or the row a new one of a collection they create (:func:`editor_creates`)."""
    access = access_of(user)
    if access.role is Role.ADMIN:
        return True
    if access.role is Role.EDITOR and instance is None and editor_creates(model):
        return True
    scope = scope_of(model)
    if access.role is not Role.EDITOR or scope is None or not scope.editable:
        return False
    target = data.get(scope.field, getattr(instance, scope.field, None) if instance is not None else None)
    for part in scope.delegation_path.split("__")[1:]:
        target = getattr(target, part, None)
    return target is not None and target.pk in access.editable_delegation_ids


class OutOfScope(DomainError):
    """A delegation editor wrote a row outside their delegations (or a collection they do not write)."""

    code = "out_of_scope"

    def __init__(self, *, model: type[Model]) -> None:
        scope = scope_of(model)
        # The API answers it on the field that ties the row to a delegation.
        super().__init__("Not one of the delegations you edit.", field=scope.field if scope else "non_field_errors")


def check_write(user: User, model: type[Model], *, data: Mapping[str, Any], instance: Model | None = None) -> None:
    """Raise :class:`OutOfScope` when ``user`` is a delegation editor who may not write a
    ``model`` row with ``data`` on top of ``instance`` (see :func:`may_write_for`). Who may write
    a collection at all is the caller's to decide (the API's roles, the admin's permissions)."""
    if role_of(user) is Role.EDITOR and not may_write_for(user, model, data=data, instance=instance):
        raise OutOfScope(model=model)


def ensure_groups() -> None:
    """Create the role groups where missing (migration expo 0003 creates them too)."""
    for name in (ANALYSTS, EDITORS):
        Group.objects.get_or_create(name=name)
