"""Merging a duplicate enterprise into the record that stays, the survivor, and undoing it.

A merge moves every reference to the merged enterprise to the survivor, in one transaction:
each foreign key and many-to-many relation of another model to ``Enterprise`` (found through the
model's relations, so a relation added later moves too), today the deals it bought or sold,
the participations that registered it and its settlements. Its names (English and Chinese)
become aliases of the survivor (kind ``merged``), and its own aliases move with their kinds. The
merged record is then deleted: the deletion feed lists it as ``merged`` with the survivor's id.
Each record changed, the two enterprises included, has a history row naming who merged and why.

A merge is refused (nothing is written) when a moved reference would break a rule of its
record: the merge into itself, a deal whose buyer and seller would be the same enterprise, two
settlements of one participation for the survivor, or any other constraint of the model moved.
Where the survivor is already linked to a record through a many-to-many relation (both were
registered with one participation), the merged enterprise's link is dropped, and given back by
an undo.

Everything a merge did is kept in a :class:`delegations.models.Merge`, and
:func:`enterprise_unmerge` undoes it exactly: the merged enterprise is back with its id and
every column (``updated_at`` aside, which is the time of the undo, so that clients syncing with
``updated_since`` fetch it again), its aliases are back, every reference moved points to it again
and the survivor loses the aliases it gained. It is refused while a reference moved no longer
points to the survivor (changed or deleted since), or when the survivor is gone.

Only admins merge and unmerge: a merge changes the deals of every delegation that dealt with the
enterprise, beyond any editor's scope."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone
from simple_history.models import HistoricalChanges

from delegations.models import Enterprise, EnterpriseAlias, Merge
from framework import access, sync
from framework.access import User
from framework.errors import DomainError


class MergeRefused(DomainError):
    """The request cannot be a merge: the survivor is the merged record itself, or no reason is given."""

    code = "merge_refused"


class MergeConflict(DomainError):
    """Moving the references to the survivor would break a rule of a record they belong to."""

    code = "merge_conflict"
    status_code = 409


class UnmergeConflict(DomainError):
    """The merge cannot be undone exactly: it was undone already, or what it moved has changed since."""

    code = "unmerge_conflict"
    status_code = 409


@dataclass(frozen=True)
class Relation:
    """A relation of another model to ``Enterprise`` that a merge moves."""

    rel: ForeignObjectRel

    @property
    def model(self) -> type[Model]:
        return self.rel.related_model

    @property
    def field_name(self) -> str:
        return self.rel.field.name

    @property
    def through(self) -> Any:
        """The link model of a many-to-many relation."""
        return getattr(self.rel, "through")  # noqa: B009 - only a many-to-many relation has it

    @property
    def label(self) -> str:
        """E.g. "deals (buyer)", "participations (enterprises)"."""
        return f"{self.model._meta.verbose_name_plural} ({self.rel.field.verbose_name})"


def merged_relations() -> list[Relation]:
    """Every relation of another model to ``Enterprise`` that a merge moves: all but the change
    histories (which keep what was) and the aliases (which a merge moves by their names)."""
    return [
        Relation(rel)
        for rel in Enterprise._meta.related_objects
        if rel.related_model is not EnterpriseAlias
        and not issubclass(rel.related_model, HistoricalChanges)
        and not rel.hidden
    ]


@dataclass(frozen=True)
class Move:
    """What a merge would move along one relation: ``count`` records of ``label``."""

    label: str
    count: int


@dataclass(frozen=True)
class MergePreview:
    """What merging ``merged`` into ``survivor`` would do, and the rules it would break."""

    merged: Enterprise
    survivor: Enterprise
    moves: list[Move]
    aliases_moved: list[str]
    aliases_added: list[str]
    problems: list[str]


def _require_admin(user: User) -> None:
    # None is the system (a script or the seed), as for every service.
    if user is not None and access.role_of(user) is not access.Role.ADMIN:
        raise PermissionDenied("Only admins merge enterprises: a merge changes deals of other delegations.")


def _through_fields(relation: Relation) -> tuple[str, str]:
    """The link model's columns of the relation's owner and of the enterprise."""
    field: Any = relation.rel.field
    return f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"


def _many_to_one(relations: list[Relation]) -> dict[type[Model], list[str]]:
    """The foreign keys to ``Enterprise`` moved, by model."""
    by_model: dict[type[Model], list[str]] = defaultdict(list)
    for relation in relations:
        if not relation.rel.many_to_many:
            by_model[relation.model].append(relation.field_name)
    return by_model


def _referring(model: type[Model], fields: list[str], enterprise_id: int) -> list[Model]:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}_id": enterprise_id})
    return list(model._base_manager.filter(condition).order_by("pk"))


def _describe(record: Model) -> str:
    return f"{record._meta.verbose_name} {record.pk} ({record})"


def _broken_rules(record: Model) -> list[str]:
    """What ``record``, as changed in memory, breaks of its model's rules."""
    try:
        record.full_clean(exclude=[field.name for field in record._meta.many_to_many])
    except ValidationError as error:
        return [f"{_describe(record)} would break a rule: {' '.join(error.messages)}"]
    return []


def _repointed(merged: Enterprise, survivor: Enterprise) -> tuple[list[tuple[Model, list[str]]], list[str]]:
    """The records referring to ``merged`` by foreign key, each with the fields changed to
    ``survivor`` (in memory), and the rules they would break so."""
    changed: list[tuple[Model, list[str]]] = []
    problems: list[str] = []
    for model, fields in _many_to_one(merged_relations()).items():
        for record in _referring(model, fields, merged.pk):
            moved = [name for name in fields if getattr(record, f"{name}_id") == merged.pk]
            for name in moved:
                setattr(record, name, survivor)
            changed.append((record, moved))
            problems += _broken_rules(record)
    return changed, problems


def _alias_plan(
    merged: Enterprise, survivor: Enterprise
) -> tuple[list[EnterpriseAlias], list[EnterpriseAlias], list[str]]:
    """The merged enterprise's aliases the survivor takes, those it has already (by name, or as
    its own name), and the merged names it gains as aliases."""
    taken = {survivor.name, survivor.name_zh, *survivor.aliases.values_list("name", flat=True)} - {""}
    moved: list[EnterpriseAlias] = []
    dropped: list[EnterpriseAlias] = []
    for alias in merged.aliases.order_by("pk"):
        if alias.name in taken:
            dropped.append(alias)
        else:
            moved.append(alias)
            taken.add(alias.name)
    added = []
    for name in (merged.name, merged.name_zh):
        if name and name not in taken:
            added.append(name)
            taken.add(name)
    return moved, dropped, added


def merge_preview(*, merged: Enterprise, survivor: Enterprise) -> MergePreview:
    """What merging ``merged`` into ``survivor`` would move, per relation, and what it would
    refuse (``problems``; a merge with any is refused). Writes nothing."""
    moves = []
    for relation in merged_relations():
        if relation.rel.many_to_many:
            through = relation.through
            count = through.objects.filter(**{_through_fields(relation)[1]: merged.pk}).count()
        else:
            count = relation.model._base_manager.filter(**{f"{relation.field_name}_id": merged.pk}).count()
        moves.append(Move(label=relation.label, count=count))
    problems = ["An enterprise cannot be merged into itself."] if merged.pk == survivor.pk else []
    if not problems:
        problems = _repointed(merged, survivor)[1]
    moved, _dropped, added = _alias_plan(merged, survivor)
    return MergePreview(
        merged=merged,
        survivor=survivor,
        moves=moves,
        aliases_moved=[alias.name for alias in moved],
        aliases_added=added,
        problems=problems,
    )


def _columns(record: Model) -> dict[str, str | None]:
    """Each concrete column of ``record`` as text (None for NULL), restorable by :func:`_restored`."""
    columns: dict[str, str | None] = {}
    for field in record._meta.concrete_fields:
        value = field.value_from_object(record)
        columns[field.attname] = None if value is None else field.value_to_string(record)
    return columns


def _restored(model: type[Model], columns: dict[str, Any]) -> Model:
    """An unsaved ``model`` record with the columns :func:`_columns` took."""
    values = {}
    for field in model._meta.concrete_fields:
        value = columns.get(field.attname)
        values[field.attname] = None if value is None else field.to_python(value)
    return model(**values)


def _alias_row(alias: EnterpriseAlias) -> dict[str, Any]:
    return {"id": alias.pk, "name": alias.name, "kind": alias.kind}


def _save_with_history(record: Model, *, user: User, reason: str, fields: list[str]) -> None:
    """Save ``fields`` of ``record`` (and its timestamp), its history naming ``user`` and ``reason``."""
    if user is not None:
        record._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    record._change_reason = reason  # type: ignore[attr-defined]  # read by simple_history
    names = {field.name for field in record._meta.concrete_fields}
    record.save(update_fields=[*fields, *(["updated_at"] if "updated_at" in names else [])])


def _move_links(merged: Enterprise, survivor: Enterprise, *, user: User, reason: str) -> list[dict[str, Any]]:
    """Move the many-to-many links of ``merged`` to ``survivor`` (dropping those the survivor has
    already) and save each record linked, so its history shows its links as they now are."""
    links: list[dict[str, Any]] = []
    for relation in merged_relations():
        if not relation.rel.many_to_many:
            continue
        through = relation.through
        owner_column, enterprise_column = _through_fields(relation)
        rows = list(through.objects.filter(**{enterprise_column: merged.pk}).order_by("pk"))
        owners = [getattr(row, owner_column) for row in rows]
        linked = set(
            through.objects.filter(**{enterprise_column: survivor.pk, f"{owner_column}__in": owners}).values_list(
                owner_column, flat=True
            )
        )
        for row in rows:
            owner = getattr(row, owner_column)
            dropped = owner in linked
            links.append(
                {
                    "model": relation.model._meta.label,
                    "field": relation.field_name,
                    "pk": owner,
                    "row": row.pk,
                    "dropped": dropped,
                }
            )
            if dropped:
                through.objects.filter(pk=row.pk).delete()
            else:
                through.objects.filter(pk=row.pk).update(**{enterprise_column: survivor.pk})
        for owner_record in relation.model._base_manager.filter(pk__in=owners).order_by("pk"):
            _save_with_history(owner_record, user=user, reason=reason, fields=[])
    return links


@transaction.atomic
def enterprise_merge(*, merged: Enterprise, survivor: Enterprise, user: User, reason: str) -> Merge:
    """Merge ``merged`` into ``survivor`` (see the module's description) and return the record of
    what the merge did. Raises :class:`MergeRefused` (into itself, no reason), :class:`MergeConflict`
    (naming every record whose rules a move would break) and ``PermissionDenied`` (not an admin);
    nothing is written then."""
    _require_admin(user)
    if merged.pk == survivor.pk:
        raise MergeRefused("An enterprise cannot be merged into itself.", field="into")
    reason = reason.strip()
    if not reason:
        raise MergeRefused("Say why the two records are one enterprise.", field="reason")
    # Both locked, in one order, so that no write to either slips in between.
    list(Enterprise.objects.select_for_update().filter(pk__in=[merged.pk, survivor.pk]).order_by("pk"))
    merged.refresh_from_db()
    survivor.refresh_from_db()
    changed, problems = _repointed(merged, survivor)
    if problems:
        raise MergeConflict(
            f"Enterprise {merged.pk} cannot be merged into enterprise {survivor.pk}: {' '.join(problems)}",
            problems=problems,
        )
    moved_reason = (
        f"Enterprise {merged.pk} ({merged.name}) merged into enterprise {survivor.pk} ({survivor.name}): {reason}"
    )
    links: list[dict[str, Any]] = []
    for record, fields in changed:
        _save_with_history(record, user=user, reason=moved_reason, fields=fields)
        links += [{"model": record._meta.label, "field": name, "pk": record.pk} for name in fields]
    links += _move_links(merged, survivor, user=user, reason=moved_reason)

    moved, dropped, added_names = _alias_plan(merged, survivor)
    alias_rows = [_alias_row(alias) for alias in (*moved, *dropped)]
    EnterpriseAlias.objects.filter(pk__in=[alias.pk for alias in dropped]).delete()
    for alias in moved:
        alias.enterprise = survivor
        alias.save(update_fields=["enterprise"])
    added = []
    for name in added_names:
        alias = EnterpriseAlias(enterprise=survivor, name=name, kind=EnterpriseAlias.Kind.MERGED)
        alias.full_clean()
        alias.save()
        added.append(alias.pk)

    merge = Merge.objects.create(
        merged_id=merged.pk,
        survivor_id=survivor.pk,
        merged_name=merged.name,
        survivor_name=survivor.name,
        reason=reason,
        snapshot=_columns(merged),
        aliases={
            "rows": alias_rows,
            "moved": [alias.pk for alias in moved],
            "added": added,
            "added_names": added_names,
        },
        links=links,
        merged_by=user if user is not None and user.is_authenticated else None,
    )
    _save_with_history(
        survivor, user=user, reason=f"Enterprise {merged.pk} ({merged.name}) merged into this one: {reason}", fields=[]
    )
    if user is not None:
        merged._history_user = user  # type: ignore[attr-defined]  # read by simple_history
    merged._change_reason = f"Merged into enterprise {survivor.pk} ({survivor.name}): {reason}"  # type: ignore[attr-defined]
    sync.delete_merged(merged, survivor=survivor)
    sync.data_changed()
    return merge


def merge_moves(merge: Merge) -> list[Move]:
    """The references ``merge`` moved, counted by relation, in the order of :func:`merged_relations`."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for link in merge.links:
        counts[(link["model"], link["field"])] += 1
    moves = []
    for relation in merged_relations():
        key = (relation.model._meta.label, relation.field_name)
        if key in counts:
            moves.append(Move(label=relation.label, count=counts[key]))
    return moves


def merge_aliases_added(merge: Merge) -> list[str]:
    """The names the survivor gained as aliases: the merged enterprise's aliases it took, then its names."""
    moved = set(merge.aliases["moved"])
    return [row["name"] for row in merge.aliases["rows"] if row["id"] in moved] + merge.aliases["added_names"]


def standing_merge(merged_id: int) -> Merge | None:
    """The merge, not undone, that took away the enterprise ``merged_id``, if there is one."""
    return Merge.objects.filter(merged_id=merged_id, undone_at__isnull=True).first()


def _restore_links(merge: Merge, restored: Enterprise, *, user: User, reason: str) -> list[str]:
    """Point every reference ``merge`` moved back to ``restored``; what no longer points to the
    survivor is left as it is and returned as a problem (the caller then rolls back)."""
    problems: list[str] = []
    relations = {(relation.model._meta.label, relation.field_name): relation for relation in merged_relations()}
    by_record: dict[tuple[str, int], list[str]] = defaultdict(list)
    owners: dict[str, set[int]] = defaultdict(set)
    for link in merge.links:
        relation = relations.get((link["model"], link["field"]))
        if relation is None:
            problems.append(f"The relation {link['model']}.{link['field']} no longer exists.")
        elif not relation.rel.many_to_many:
            by_record[(link["model"], link["pk"])].append(link["field"])
            continue
        else:
            through = relation.through
            owner_column, enterprise_column = _through_fields(relation)
            if link["dropped"]:
                through.objects.create(pk=link["row"], **{owner_column: link["pk"], enterprise_column: restored.pk})
            elif not through.objects.filter(
                pk=link["row"], **{owner_column: link["pk"], enterprise_column: merge.survivor_id}
            ).update(**{enterprise_column: restored.pk}):
                problems.append(
                    f"{relation.model._meta.verbose_name} {link['pk']} no longer lists enterprise {merge.survivor_id}."
                )
            owners[link["model"]].add(link["pk"])
    for (label, pk), fields in by_record.items():
        model = relations[(label, fields[0])].model
        record = model._base_manager.filter(pk=pk).first()
        if record is None:
            problems.append(f"{model._meta.verbose_name} {pk} has been deleted since the merge.")
            continue
        if any(getattr(record, f"{name}_id") != merge.survivor_id for name in fields):
            problems.append(f"{_describe(record)} no longer refers to enterprise {merge.survivor_id}.")
            continue
        for name in fields:
            setattr(record, name, restored)
        problems += _broken_rules(record)
        _save_with_history(record, user=user, reason=reason, fields=fields)
    for label, pks in owners.items():
        model = next(relation.model for relation in relations.values() if relation.model._meta.label == label)
        for owner_record in model._base_manager.filter(pk__in=pks).order_by("pk"):
            _save_with_history(owner_record, user=user, reason=reason, fields=[])
    return problems


@transaction.atomic
def enterprise_unmerge(*, merge: Merge, user: User) -> Merge:
    """Undo ``merge`` exactly (see the module's description) and return it, with when and by whom
    it was undone. Raises :class:`UnmergeConflict`, naming what stands in the way, and
    ``PermissionDenied`` (not an admin); nothing is written then."""
    _require_admin(user)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise UnmergeConflict(f"The merge of enterprise {merge.merged_id} was undone already.")
    survivor = Enterprise.objects.select_for_update().filter(pk=merge.survivor_id).first()
    if survivor is None:
        raise UnmergeConflict(
            f"Enterprise {merge.merged_id} cannot be restored: enterprise {merge.survivor_id}, "
            "which it was merged into, no longer exists."
        )
    restored = _restored(Enterprise, merge.snapshot)
    assert isinstance(restored, Enterprise)  # noqa: S101 - _restored builds the model it is given
    # The time of the undo: clients syncing with updated_since fetch the record again.
    restored.updated_at = timezone.now()
    try:
        restored.full_clean()
    except ValidationError as error:
        raise UnmergeConflict(
            f"Enterprise {merge.merged_id} cannot be restored: {' '.join(error.messages)}", problems=error.messages
        ) from error
    # Raw: with the id, created_at and every column as kept (save() would stamp created_at anew).
    restored.save_base(raw=True, force_insert=True)
    reason = f"Merge into enterprise {survivor.pk} ({survivor.name}) undone; it was: {merge.reason}"
    Enterprise.history.bulk_history_create(
        [restored],
        default_user=user if user is not None and user.is_authenticated else None,
        default_change_reason=reason,
    )
    problems = _restore_links(merge, restored, user=user, reason=reason)
    if problems:
        # Raised inside the transaction: everything restored so far rolls back.
        raise UnmergeConflict(
            f"The merge of enterprise {merge.merged_id} cannot be undone exactly: {' '.join(problems)}",
            problems=problems,
        )
    EnterpriseAlias.objects.filter(pk__in=merge.aliases["added"], enterprise=survivor).delete()
    rows = merge.aliases["rows"]
    EnterpriseAlias.objects.filter(pk__in=[row["id"] for row in rows]).delete()
    for row in rows:
        alias = EnterpriseAlias(pk=row["id"], enterprise=restored, name=row["name"], kind=row["kind"])
        alias.save(force_insert=True)
    _save_with_history(
        survivor,
        user=user,
        reason=f"Merge of enterprise {merge.merged_id} ({merge.merged_name}) into this one undone; "
        f"it was: {merge.reason}",
        fields=[],
    )
    sync.forget_merge(Enterprise, merge.merged_id)
    merge.undone_at = timezone.now()
    merge.undone_by = user if user is not None and user.is_authenticated else None
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge
