"""``manage.py rebuild_deal_summaries``: compute the kept deal summaries again from the deals."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from deals import funnel_summaries, summaries
from deals.models import DealFunnelSummary, DealSummary, DealSummaryParty
from framework.access import visibility_time


class Command(BaseCommand):
    help = (
        "Compute the summaries behind /api/stats/deals/ and /api/stats/funnel/ again from the deals (PostgreSQL). "
        "Triggers keep them in step with every write; run this after loading data with the triggers off "
        "(pg_restore --disable-triggers)."
    )

    def handle(self, *args, **options) -> None:
        if not summaries.supported(connection):
            self.stdout.write(f"Nothing to do: {connection.vendor} keeps no summaries; statistics are computed.")
            return
        started = time.perf_counter()
        summaries.rebuild(at=visibility_time())
        funnel_summaries.rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{DealSummary.objects.count():,} groups and {DealSummaryParty.objects.count():,} enterprise counts, "
                f"{DealFunnelSummary.objects.count():,} funnel groups, in {elapsed:.1f} s."
            )
        )
