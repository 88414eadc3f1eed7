"""``manage.py generate_demo --deals 100000 [--seed N]``: fill the database with synthetic demo data."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deals.demo import DemoDataExists, generate_demo, source_title


class Command(BaseCommand):
    help = "Create synthetic deals, with the expos, delegations, enterprises and rates they need, for demos."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deals", type=int, required=True, help="How many deals to create.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same data (default 0).")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per bulk insert (default 5000).")

    def handle(self, *args, deals: int, seed: int, batch_size: int, **options) -> None:
        if deals < 1:
            raise CommandError("--deals must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        try:
            counts = generate_demo(deals=deals, seed=seed, batch_size=batch_size)
        except DemoDataExists as error:
            raise CommandError(f"{error} Use another --seed, or a fresh database.") from error
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Created {source_title(seed)} in {elapsed:.1f} s:")
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            self.stdout.write(f"  {name.replace('_', ' '):<{width}}  {count:>9,}")
        self.stdout.write(self.style.SUCCESS(f"{counts['deals']:,} deals in {elapsed:.1f} s."))
