"""One benchmark run: the database prepared, every measurement taken in turn (one that fails is
reported and the others still run), the table printed and the JSON written."""

import datetime
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from benchmarks import database
from benchmarks.measurements import MEASUREMENTS, PAGES_DESCRIPTION, Bench
from benchmarks.report import Progress, Row, git_commit, table, write_json


def run(*, deals: int, fresh: bool, seconds: float, json_path: Path) -> int:
    """Run every measurement on ``deals`` demo deals; 0 if each was taken (met or not), 1 if one failed."""
    say = Progress()
    started_at = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    data = database.prepare(deals=deals, fresh=fresh, say=say)
    bench = Bench(deals=deals, seconds=seconds, server_env=dict(os.environ), say=say)
    bench.setup()
    failures = {}
    try:
        for name, measure in MEASUREMENTS:
            say(f"Measuring: {name}")
            try:
                measure(bench)
            except Exception as error:  # reported; the other measurements still run
                say(f"{name} failed: {error}")
                failures[name] = str(error)
                bench.rows.append(Row(name, None, f"FAILED: {str(error).splitlines()[0][:80]}"))
    finally:
        bench.teardown()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    details = {
        "deals": deals,
        "public_deals": bench.public_deals,
        "data": data,
        "database": settings.DATABASES["default"]["NAME"],
        "postgresql": server_version,
        "seconds_per_measurement": seconds,
        "pages": PAGES_DESCRIPTION,
        "started_at": started_at.isoformat(),
        "duration_seconds": round(time.monotonic() - say.started, 1),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "failures": failures,
        "measurements": bench.details,
    }
    write_json(json_path, rows=bench.rows, details=details)
    print()
    print(f"Expo Deals API benchmarks: {deals:,} deals ({bench.public_deals:,} public), PostgreSQL {server_version}")
    print(f"Deal lists: {PAGES_DESCRIPTION}.")
    print()
    print(table(bench.rows))
    print()
    if deals < 1_000_000:
        print("The statistics and CSV targets are set at 1,000,000 deals: `make bench DEALS=1000000` checks them.")
    print(
        f"Load average before/after: {' '.join(f'{x:.2f}' for x in load_before)} / "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
        f"{details['duration_seconds']:.0f} s in all. JSON: {json_path}"
    )
    return 1 if failures else 0
