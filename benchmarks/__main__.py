"""``python -m benchmarks [--deals N] [--fresh] [--seconds S] [--json PATH]``: measure the API
on PostgreSQL (``DATABASE_URL``, else ``expo_bench`` on 127.0.0.1) and print the table."""

import argparse
import os
import secrets
import signal
import sys
from pathlib import Path

import psycopg

from benchmarks.servers import HOST, ROOT, WRK_INSTALL_HINT, wrk_path


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the API on PostgreSQL against its performance targets and print the table.",
        epilog="The database is DATABASE_URL's, else expo_bench on 127.0.0.1; it is created and filled if needed.",
    )
    parser.add_argument("--deals", type=int, default=100_000, help="Demo deals to measure on (default 100000).")
    parser.add_argument("--fresh", action="store_true", help="Drop the benchmark database and generate it again.")
    parser.add_argument(
        "--seconds", type=float, default=10, help="Duration of each throughput measurement (default 10)."
    )
    parser.add_argument("--json", type=Path, help="Where to write the results (default artifacts/bench-<deals>.json).")
    arguments = parser.parse_args(argv)
    if arguments.deals < 1000:
        parser.error("--deals must be at least 1000.")
    if arguments.seconds < 1:
        parser.error("--seconds must be at least 1.")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if wrk_path() is None:
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 2
    # The measured servers run production's settings, which want these from the environment.
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = HOST
    # A plain `kill` unwinds like Ctrl-C, so the servers started are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    import django

    django.setup()
    from django.db import OperationalError

    from benchmarks.database import DatabaseRefused
    from benchmarks.run import run

    json_path = arguments.json or ROOT / "artifacts" / f"bench-{arguments.deals}.json"
    try:
        return run(deals=arguments.deals, fresh=arguments.fresh, seconds=arguments.seconds, json_path=json_path)
    except (DatabaseRefused, OperationalError, psycopg.OperationalError) as error:
        print(f"The benchmark database cannot be used: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
