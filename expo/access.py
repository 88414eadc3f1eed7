"""Who sees and changes which rows (SPEC §4), decided here for every API queryset.

- anonymous: reads published records only (deals past any embargo); writes nothing;
- analyst (group "Analysts"): reads everything, writes nothing;
- delegation editor (group "Delegation editors", with editor assignments): reads what the
  public reads plus everything of their delegations; writes deals, participations,
  settlements and activities of the delegations assigned to them and every delegation below;
  other rows do not exist for their writes;
- admin (superuser): reads and writes everything.
"""

import enum
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from delegations.selectors import delegation_subtree_ids

ANALYSTS = "Analysts"
EDITORS = "Delegation editors"


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

    @property
    def field(self) -> str:
        return self.delegation_path.split("__", 1)[0]


# The models editors write (and the deletion feed, which follows deals), by "app_label.ModelName".
SCOPES: dict[str, Scope] = {
    "deals.Deal": Scope(delegation_path="delegation", publishable=True),
    "delegations.Participation": Scope(delegation_path="delegation"),
    "delegations.Settlement": Scope(delegation_path="participation__delegation"),
    "delegations.PromotionalActivity": Scope(delegation_path="participation__delegation"),
    # Read only: an entry of the deletion feed is visible to those who could see the record.
    "expo.Deletion": Scope(delegation_path="delegation_id", publishable=True),
}


@dataclass
class Access:
    """What one user may do; computed once per request."""

    role: Role
    editable_delegation_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def reads_everything(self) -> bool:
        return self.role in (Role.ANALYST, Role.ADMIN)


def access_of(user) -> Access:
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
            assigned = list(user.editor_assignments.values_list("delegation_id", flat=True))
            result = Access(Role.EDITOR, frozenset(delegation_subtree_ids(root_ids=assigned)))
        elif ANALYSTS in groups:
            result = Access(Role.ANALYST)
        else:
            result = Access(Role.ANONYMOUS)
    user._expo_access = result
    return result


def role_of(user) -> Role:
    return access_of(user).role


def scope_of(model: type[Model]) -> Scope | None:
    return SCOPES.get(model._meta.label)


def published_condition(*, prefix: str = "") -> Q:
    """Published and past any embargo, now. Now is taken to the whole second, rounded down (an
    embargo ends at most a second late, never early), so the queries of one second are the same
    and their counts can be cached (expo.api.pagination)."""
    now = timezone.now().replace(microsecond=0)
    return Q(**{f"{prefix}is_published": True}) & (
        Q(**{f"{prefix}embargo_until__isnull": True}) | Q(**{f"{prefix}embargo_until__lte": now})
    )


def scope_for_read(queryset: QuerySet, user) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may read."""
    access = access_of(user)
    scope = scope_of(queryset.model)
    if access.reads_everything or scope is None or not scope.publishable:
        return queryset
    visible = published_condition()
    if access.role is Role.EDITOR:
        visible |= Q(**{f"{scope.delegation_path}__in": access.editable_delegation_ids})
    return queryset.filter(visible)


def scope_for_write(queryset: QuerySet, user) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may change or delete; others do not exist for them."""
    access = access_of(user)
    if access.role is Role.ADMIN:
        return queryset
    scope = scope_of(queryset.model)
    if access.role is Role.EDITOR and scope is not None:
        return queryset.filter(**{f"{scope.delegation_path}__in": access.editable_delegation_ids})
    return queryset.none()


def may_write_for(user, model: type[Model], *, data: dict, instance: Model | None = None) -> bool:
    """Whether ``user`` may write a ``model`` row with ``data`` (the validated request) on top
    of ``instance``: for an editor, the row's delegation must be one of theirs."""
    access = access_of(user)
    if access.role is Role.ADMIN:
        return True
    scope = scope_of(model)
    if access.role is not Role.EDITOR or scope is None:
        return False
    target = data.get(scope.field, getattr(instance, scope.field, None) if instance is not None else None)
    for part in scope.delegation_path.split("__")[1:]:
        target = getattr(target, part, None)
    return target is not None and target.pk in access.editable_delegation_ids


def ensure_groups() -> None:
    """Create the role groups where missing (migration expo 0003 creates them too)."""
    for name in (ANALYSTS, EDITORS):
        Group.objects.get_or_create(name=name)
