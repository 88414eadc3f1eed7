"""Read logic for delegations, enterprises and what a participation brings about: each API view
takes its queryset from here, with the relations its responses render fetched once."""

from django.db.models import Count, QuerySet

from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement


def delegation_subtree_ids(*, root_ids: list[int]) -> set[int]:
    """The given delegations and every delegation below them (one query per level of the tree)."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(Delegation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def delegation_list() -> QuerySet[Delegation]:
    return Delegation.objects.select_related("parent", "source")


def enterprise_list() -> QuerySet[Enterprise]:
    return Enterprise.objects.select_related("source")


def participation_list() -> QuerySet[Participation]:
    return Participation.objects.select_related("delegation", "edition__expo", "source").annotate(
        enterprise_count=Count("enterprises", distinct=True)
    )


def settlement_list() -> QuerySet[Settlement]:
    return Settlement.objects.select_related(
        "participation__delegation", "participation__edition__expo", "enterprise", "source"
    )


def activity_list() -> QuerySet[PromotionalActivity]:
    return PromotionalActivity.objects.select_related(
        "participation__delegation", "participation__edition__expo", "source"
    )
