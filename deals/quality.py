"""What the quality report (framework.quality) finds in deals: each check looks only at the deals
the reader may read, and says what is wrong in plain words."""

import datetime
from collections.abc import Iterator
from operator import attrgetter
from typing import cast

from django.db.models import QuerySet

from deals.models import Deal
from framework import quality

SIGNED_STAGES = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED)


def signed_without_date(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """The signed or executed deals of ``deals`` whose signing date is not recorded."""
    return deals.filter(stage__in=SIGNED_STAGES, signed_on__isnull=True).only("id", "title", "stage")


# A table rate more than this many days from the day a deal is valued at is stale: the rate of a
# month or more before (or after) a signing may be far from the one of that day.
STALE_RATE_DAYS = 31


def stale_rate_findings(queryset: QuerySet[Deal], max_age_days: int = STALE_RATE_DAYS) -> Iterator[tuple[int, str]]:
    """The deals of ``queryset`` valued with a rate of the exchange rate table whose date is more
    than ``max_age_days`` days from the deal's signing date (from the day it was created where it
    is not signed). Rates the source states, USD deals and deals with no value are not looked at."""
    deals = queryset.filter(usd_rate_source=Deal.RateSource.TABLE, usd_rate_date__isnull=False).order_by("pk")
    rows = deals.values_list("pk", "currency", "usd_rate_date", "signed_on", "created_at").iterator()
    for deal_id, currency, rate_date, signed_on, created_at in rows:
        rate_date = cast(datetime.date, rate_date)  # filtered on: never empty here
        day, of = (signed_on, "its signing date") if signed_on else (_day(created_at), "the day it was recorded")
        age = abs((day - rate_date).days)
        if age > max_age_days:
            yield (
                deal_id,
                f"The deal is valued with the {currency} rate of {rate_date.isoformat()}, {age} days from "
                f"{of} ({day.isoformat()}): more than {max_age_days}. Add a rate nearer that day, or give the "
                "USD value its source states.",
            )


def _day(moment: datetime.datetime) -> datetime.date:
    """The UTC day of ``moment`` (times are stored in UTC)."""
    return moment.astimezone(datetime.UTC).date()


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
    quality.register_check(
        "stale_rate",
        model=Deal,
        description=f"A deal valued with a rate of the exchange rate table dated more than {STALE_RATE_DAYS} days "
        "from its signing date (from the day it was recorded where it is not signed): add a rate nearer that "
        "day, or give the USD value the source states.",
        find=stale_rate_findings,
        label=attrgetter("title"),
    )
