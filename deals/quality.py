"""What the quality report (framework.quality) finds in deals."""

from operator import attrgetter

from django.db.models import QuerySet

from deals.models import Deal
from framework import quality

SIGNED_STAGES = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED)


def signed_without_date(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """The signed or executed deals of ``deals`` whose signing date is not recorded."""
    return deals.filter(stage__in=SIGNED_STAGES, signed_on__isnull=True).only("id", "title", "stage")


def register_checks() -> None:
    """Register the deal checks with the quality report."""
    quality.register_query_check(
        "signed_without_date",
        model=Deal,
        description="A signed or executed deal with no signing date: it falls in no month of the statistics "
        "and matches no `signed_after`/`signed_before` filter.",
        matches=signed_without_date,
        sentence=lambda deal: f"{deal.get_stage_display()} deal '{deal.title}' has no signing date.",
        label=attrgetter("title"),
    )
