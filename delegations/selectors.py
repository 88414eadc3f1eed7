"""Read logic for delegations: the tree, its subtrees and ancestors."""

from dataclasses import dataclass, field

from django.contrib.auth.models import User

from delegations.models import Delegation


def delegation_subtree_ids(*, root_ids: list[int]) -> set[int]:
    """The given delegations and every delegation below them (one query per level of the tree)."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(Delegation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def editor_delegation_ids(user: User) -> frozenset[int]:
    """The delegations ``user`` edits: those assigned to them and every delegation below."""
    assigned = list(user.editor_assignments.values_list("delegation_id", flat=True))
    return frozenset(delegation_subtree_ids(root_ids=assigned))


@dataclass
class DelegationTree:
    """Every delegation's parent (``parents[id]``, ``None`` at the top), with the ancestors and
    subtrees that follow from them, worked out without further queries."""

    parents: dict[int, int | None]
    _children: dict[int, list[int]] | None = field(default=None, init=False, repr=False)

    def lineage(self, delegation_id: int) -> list[int]:
        """The delegation and its ancestors, top first (a cycle stops the walk)."""
        chain = [delegation_id]
        node = self.parents.get(delegation_id)
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        return chain[::-1]

    def ancestor_at(self, delegation_id: int, level: int) -> int:
        """The delegation's ancestor at depth ``level``; the delegation itself when it is no deeper."""
        lineage = self.lineage(delegation_id)
        return lineage[min(level, len(lineage) - 1)]

    def subtree(self, root_id: int) -> set[int]:
        """The delegation and every delegation below it."""
        if self._children is None:
            self._children = {}
            for child, parent in self.parents.items():
                if parent is not None:
                    self._children.setdefault(parent, []).append(child)
        found = {root_id}
        frontier = [root_id]
        while frontier:
            frontier = [child for node in frontier for child in self._children.get(node, ()) if child not in found]
            found.update(frontier)
        return found


def delegation_tree() -> DelegationTree:
    """The whole delegation tree, in one query."""
    return DelegationTree(parents=dict(Delegation.objects.order_by().values_list("id", "parent_id")))
