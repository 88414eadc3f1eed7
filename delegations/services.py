"""Writes of delegations, enterprises (with their aliases), participations, settlements and
promotional activities, and who edits delegations. Each record is checked against every rule of
its model and against the writer's scope (an editor writes the participations, settlements and
activities of their own delegations, and creates enterprises), and saved with its writer in the
history (framework.services)."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction

from delegations import duplicates
from delegations.models import (
    Delegation,
    EditorAssignment,
    Enterprise,
    EnterpriseAlias,
    Participation,
    PromotionalActivity,
    Settlement,
)
from framework import access
from framework.access import User
from framework.errors import DomainError
from framework.services import Data, Writes, record_create, record_delete, record_update

# The longest reason a history row keeps (django-simple-history's column).
REASON_LENGTH = 100


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


@dataclass(frozen=True)
class AliasInput:
    """An alias as a write gives it."""

    name: str
    kind: str = EnterpriseAlias.Kind.SHORT

    @classmethod
    def of(cls, alias: EnterpriseAlias) -> "AliasInput":
        return cls(name=alias.name, kind=alias.kind)


class ProbableDuplicate(DomainError):
    """A new enterprise looks like saved ones (``candidates``, see delegations.duplicates), and
    the writer did not say it is distinct from them."""

    code = "probable_duplicate"
    status_code = 409

    def __init__(self, *, candidates: list[duplicates.Candidate]) -> None:
        self.candidates = candidates
        listing = "; ".join(
            f"{candidate.enterprise.name} (id {candidate.enterprise.pk}, score {candidate.score}: "
            f"{', '.join(reason.code for reason in candidate.reasons)})"
            for candidate in candidates
        )
        super().__init__(
            f"Probably a duplicate of: {listing}. If it is another enterprise, send their ids in distinct_from.",
            field="distinct_from",
        )


def _checked_aliases(aliases: list[AliasInput]) -> list[EnterpriseAlias]:
    """Unsaved aliases, each checked by the model's rules; errors name ``aliases.<index>.<field>``."""
    checked: list[EnterpriseAlias] = []
    seen: set[str] = set()
    for index, given in enumerate(aliases):
        alias = EnterpriseAlias(name=given.name, kind=given.kind)
        try:
            alias.full_clean(exclude=["enterprise"], validate_constraints=False)
            alias.validate_constraints(exclude=["enterprise"])
        except ValidationError as error:
            raise ValidationError(
                {f"aliases.{index}.{name}": messages for name, messages in error.message_dict.items()}
            ) from error
        if alias.name in seen:
            twice = ValidationError("This alias is given twice.", code="duplicate_alias")
            raise ValidationError({f"aliases.{index}.name": [twice]})
        seen.add(alias.name)
        checked.append(alias)
    return checked


def _aliases_reason(before: Iterable[AliasInput], after: Iterable[AliasInput]) -> str:
    """What changed in the aliases, as a history reason: "aliases added: 震坤行 (short); removed: ZKH"."""
    old = {alias.name: alias.kind for alias in before}
    new = {alias.name: alias.kind for alias in after}
    parts = []
    added = [f"{name} ({kind})" for name, kind in new.items() if old.get(name) != kind]
    removed = [name for name in old if name not in new]
    if added:
        parts.append("added: " + ", ".join(added))
    if removed:
        parts.append("removed: " + ", ".join(removed))
    reason = "aliases " + "; ".join(parts)
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"


def _write_aliases(enterprise: Enterprise, aliases: list[EnterpriseAlias]) -> None:
    """Make ``aliases`` the enterprise's: those no longer given deleted, the others kept or added."""
    wanted = {alias.name: alias for alias in aliases}
    for stored in list(enterprise.aliases.all()):
        alias = wanted.pop(stored.name, None)
        if alias is None:
            stored.delete()
        elif alias.kind != stored.kind:
            stored.kind = alias.kind
            stored.save(update_fields=["kind"])
    for alias in wanted.values():
        alias.enterprise = enterprise
        alias.save()


@transaction.atomic
def enterprise_create(
    *,
    user: User,
    data: Data,
    aliases: Iterable[AliasInput] = (),
    refuse_duplicates: bool = False,
    distinct_from: Collection[int] = (),
) -> Enterprise:
    """A new enterprise with ``data`` (field name → value) and ``aliases``, the aliases named in
    its history's reason. With ``refuse_duplicates``, raises :class:`ProbableDuplicate` when
    saved enterprises other than those in ``distinct_from`` score the threshold of
    ``delegations.duplicates`` or more against it; nothing is written then."""
    given = list(aliases)
    checked = _checked_aliases(given)

    def rules(enterprise: Enterprise) -> None:
        if refuse_duplicates:
            subject = duplicates.Subject.of(enterprise, aliases=[alias.name for alias in given])
            found = duplicates.probable_duplicates(subject, ignore=distinct_from)
            if found:
                raise ProbableDuplicate(candidates=found)
        if given:
            # simple_history reads the reason from the record it saves.
            enterprise._change_reason = _aliases_reason([], given)  # type: ignore[attr-defined]

    enterprise = record_create(model=Enterprise, user=user, data=data, rules=rules)
    enterprise.__dict__.pop("_change_reason", None)
    _write_aliases(enterprise, checked)
    return enterprise


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, user: User, data: Data, aliases: Iterable[AliasInput] | None = None
) -> Enterprise:
    """``enterprise`` with the fields in ``data`` changed, and only those written; its aliases
    replaced by ``aliases`` where given (``None`` leaves them), a change of them named in the
    history's reason."""
    if aliases is None:
        return record_update(record=enterprise, user=user, data=data)
    given = list(aliases)
    checked = _checked_aliases(given)
    before = [AliasInput.of(alias) for alias in enterprise.aliases.all()]
    changed = sorted((alias.name, alias.kind) for alias in before) != sorted((a.name, a.kind) for a in given)
    if changed:
        enterprise._change_reason = _aliases_reason(before, given)  # type: ignore[attr-defined]
    try:
        record_update(record=enterprise, user=user, data=data)
    finally:
        enterprise.__dict__.pop("_change_reason", None)
    if changed:
        _write_aliases(enterprise, checked)
    return enterprise


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
