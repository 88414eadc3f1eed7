from django.core.management.base import BaseCommand

from config.seed import load_seed_facts


class Command(BaseCommand):
    help = (
        "Load the seed facts: the Qingpu District trading delegation at the 6th CIIE, as reported by "
        '"Procurement, cultural exchanges and opening-up thanks to CIIE". Safe to run again.'
    )

    def handle(self, *args, **options) -> None:
        result = load_seed_facts()
        if not result.created and not result.updated:
            self.stdout.write("Seed facts already loaded; nothing changed.")
            return
        for label, counts in (("Created", result.created), ("Updated", result.updated)):
            if counts:
                listed = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
                self.stdout.write(f"{label}: {listed}.")
        self.stdout.write(self.style.SUCCESS("Seed facts loaded."))
