"""What is missing or doubtful in deals, deal by deal, for the quality report: each check takes
the deals to look at (already scoped to the reader) and yields ``(deal_id, sentence)`` for each
deal it finds, in id order, the sentence saying what is wrong in plain words."""

import datetime
from collections.abc import Iterator
from typing import cast

from django.db.models import QuerySet

from deals.models import Deal

# A table rate more than this many days from the day a deal is valued at is stale: the rate of a
# month or more before (or after) a signing may be far from the one of that day.
STALE_RATE_DAYS = 31

SIGNED = (Deal.Stage.SIGNED, Deal.Stage.EXECUTED)


def signed_without_date_findings(queryset: QuerySet[Deal]) -> Iterator[tuple[int, str]]:
    """The signed and executed deals of ``queryset`` with no signing date."""
    deals = queryset.filter(stage__in=SIGNED, signed_on__isnull=True).order_by("pk")
    for deal_id, stage in deals.values_list("pk", "stage").iterator():
        yield deal_id, f"The deal is {stage} but has no signing date."


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
