"""``python -m benchmarks.soak`` (``make soak``): the app as ``make serve`` runs it, under load and
through faults, on a PostgreSQL server of the run's own (never the machine's shared one):

1. mixed reads: wrk on loopback, 64 connections for 30 s, cycling through a realistic mix of
   reads; every answer must be 2xx, with no socket error; throughput and latency are reported
   for the whole mix and for each shape of request in it (as wrk saw them, and in the server);
2. idempotent creates: 50 clients at once creating deals with ``Idempotency-Key``, dropping
   connections, sending duplicates and retrying; one row per key;
3. a database restart: PostgreSQL stopped and started again under pollers; 503 while it is
   down, 200 again soon after, from the same gunicorn processes.

It prints a table of every figure with its check, writes ``artifacts/soak.json`` and exits 1 if
any check failed (2 if it could not run)."""

import argparse
import datetime
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.cluster import INSTALL_HINT, PrivateCluster, server_programs
from benchmarks.report import Progress, Row, git_commit, table, write_json
from benchmarks.servers import (
    HOST,
    REQUEST_ID_PREFIX,
    ROOT,
    WRK_INSTALL_HINT,
    Gunicorn,
    Load,
    get,
    percentile,
    wrk,
    wrk_path,
)

if TYPE_CHECKING:
    from benchmarks.idempotent_creates import Writers
    from benchmarks.mixed_reads import MixedRequest

DATABASE = "expo_soak"
DEALS = 20_000
SECONDS = 30
CONNECTIONS = 64
# Fewer than make serve's default (twice the cores plus one): PostgreSQL, wrk and the clients
# share the machine's cores with the workers.
WORKERS = 4
# What make serve runs: the same configuration module, given the workers in WEB_CONCURRENCY and
# its default timeout in GUNICORN_TIMEOUT.
GUNICORN_CONFIG = "python:config.gunicorn_conf"
GUNICORN_TIMEOUT = 60
WRK_TIMEOUT_SECONDS = 10
MIXED_REQUESTS = 500
CLIENTS = 50
KEYS_PER_CLIENT = 4
BASELINE_SECONDS = 3
OUTAGE_SECONDS = 5
RECOVERY_BOUND_SECONDS = 10
STEADY_SECONDS = 3
# Production's throttles stay on, with rates no test reaches: every request of the soak comes from
# one address (and the creates from one editor), which production's rates would turn into 429s. A
# rate per second keeps DRF's list of recent requests per client a second long, as short as
# production's per-minute lists at their low rates.
UNREACHED_RATE = "100000/s"
# Settings of the caller's environment that would point the servers at something else.
NOT_INHERITED = ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "STATIC_ROOT")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="Load and fault runs against gunicorn with the production settings, on a PostgreSQL "
        "server of the run's own; prints the table and writes artifacts/soak.json.",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("SOAK_SECONDS") or SECONDS),
        help=f"Duration of the mixed reads (default SOAK_SECONDS, else {SECONDS}).",
    )
    parser.add_argument(
        "--connections", type=int, default=CONNECTIONS, help=f"wrk's connections (default {CONNECTIONS})."
    )
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS}).")
    parser.add_argument("--deals", type=int, default=DEALS, help=f"Demo deals to generate (default {DEALS}).")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"Clients creating deals (default {CLIENTS}).")
    parser.add_argument("--keys", type=int, default=KEYS_PER_CLIENT, help="Idempotency keys per client (default 4).")
    parser.add_argument(
        "--outage",
        type=float,
        default=OUTAGE_SECONDS,
        help=f"Seconds PostgreSQL stays down (default {OUTAGE_SECONDS}).",
    )
    parser.add_argument("--json", type=Path, help="Where to write the results (default artifacts/soak.json).")
    arguments = parser.parse_args(argv)
    if arguments.seconds < 1:
        parser.error("--seconds must be at least 1.")
    if arguments.deals < 100:
        parser.error("--deals must be at least 100.")
    if min(arguments.connections, arguments.workers, arguments.clients, arguments.keys) < 1:
        parser.error("--connections, --workers, --clients and --keys must be at least 1.")
    if arguments.outage < 1:
        parser.error("--outage must be at least 1.")
    return arguments


def server_environment(database_url: str, *, static_root: str) -> dict[str, str]:
    """The environment of the servers, and of this process: production's settings over plain
    HTTP on loopback, on the run's own database and static files, with throttles no test
    reaches."""
    environment = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        STATIC_ROOT=static_root,
        # The servers answer on http://127.0.0.1, with no proxy to say a request came over HTTPS.
        SECURE_SSL_REDIRECT="false",
        THROTTLE_ANON_RATE=UNREACHED_RATE,
        THROTTLE_USER_RATE=UNREACHED_RATE,
        LOG_FORMAT="json",
    )
    return environment


def log_records(log: str) -> list[dict]:
    """The JSON records of a server's log (lines that are not JSON, such as a warning printed
    by Python itself, are left out)."""
    records = []
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def logged_errors(records: list[dict]) -> list[str]:
    """The records at level ERROR or above, each as ``logger: message`` (its first line)."""
    return [
        f"{record.get('logger')}: {(str(record.get('message') or '').splitlines() or [''])[0]}"
        for record in records
        if record.get("level") in ("ERROR", "CRITICAL")
    ]


def logged_failures(records: list[dict]) -> list[str]:
    """What the log says went wrong besides the database being away: requests answered 5xx
    other than 503, and gunicorn's own errors (a worker timed out, crashed or failed to boot)."""
    failures = [
        f"{record.get('method')} {record.get('path')} {record.get('status')}"
        for record in records
        if record.get("logger") == "expo.request" and int(record.get("status") or 0) >= 500 and record["status"] != 503
    ]
    return failures + [
        f"gunicorn: {record.get('message')}"
        for record in records
        if record.get("logger") == "gunicorn.error" and record.get("level") in ("ERROR", "CRITICAL")
    ]


def server_times(records: list[dict], shape_of_path: dict[str, str]) -> dict[str, dict]:
    """The time the server took on the requests wrk timed by shape, from its log: how many of
    each shape it answered, and their p50 and p99 (milliseconds). ``shape_of_path`` names the
    shape of each path sent (with its query)."""
    durations: dict[str, list[float]] = {}
    for record in records:
        timed = str(record.get("request_id") or "").startswith(REQUEST_ID_PREFIX)
        if record.get("logger") != "expo.request" or record.get("duration_ms") is None or not timed:
            continue
        query = record.get("query") or ""
        shape = shape_of_path.get(f"{record.get('path')}?{query}" if query else str(record.get("path")))
        if shape is not None:
            durations.setdefault(shape, []).append(float(record["duration_ms"]))
    found = {}
    for shape, taken in sorted(durations.items()):
        ordered = sorted(taken)
        found[shape] = {
            "requests": len(ordered),
            "p50_ms": round(percentile(ordered, 50), 1),
            "p99_ms": round(percentile(ordered, 99), 1),
        }
    return found


def shape_of(path: str) -> str:
    """``path`` with its numbers left out: requests of one shape differ only by the records named."""
    return re.sub(r"\d+", "N", path)


class Soak:
    """One run: its options, the servers' environment, and what the parts found."""

    def __init__(self, arguments: argparse.Namespace, environment: dict[str, str], say: Progress) -> None:
        self.arguments = arguments
        self.environment = environment
        self.say = say
        self.run = secrets.token_hex(3)
        self.rows: list[Row] = []
        self.details: dict = {}
        self.failures: dict[str, str] = {}
        self.analyst_headers: dict[str, str] = {}
        self.writers: Writers | None = None

    def server(self, *, ready_path: str) -> Gunicorn:
        return Gunicorn(
            workers=self.arguments.workers,
            env=self.environment,
            timeout=GUNICORN_TIMEOUT,
            ready_path=ready_path,
            config=GUNICORN_CONFIG,
        )

    def part(self, name: str, measure: Callable[[], None]) -> None:
        """Run one part; one that fails is reported as a row and the others still run."""
        self.say(name)
        try:
            measure()
        except Exception as error:  # reported; the other parts still run
            self.say(f"{name} failed: {error}")
            self.failures[name] = str(error)
            self.rows.append(Row(f"{name}: FAILED", None, str(error).splitlines()[0][:100], "", False))

    @property
    def passed(self) -> bool:
        return not self.failures and all(row.met is not False for row in self.rows)


def setup(soak: Soak) -> None:
    """An analyst with a token, for the reads that need one."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from framework import access
    from framework.api.tokens import token_issue

    access.ensure_groups()
    # No usable password: it signs in with its token only.
    analyst = get_user_model().objects.create_user(username=f"soak-analyst-{soak.run}")
    analyst.groups.add(Group.objects.get(name=access.ANALYSTS))
    soak.analyst_headers = {"Authorization": f"Token {token_issue(user=analyst, client='soak')[1]}"}


def mixed_reads(soak: Soak) -> None:
    """wrk cycling through the mix of reads; every answer 2xx, no socket error."""
    from django.db import connection

    from benchmarks.mixed_reads import Catalogue, mixed_requests, shares

    requests = mixed_requests(Catalogue.read(), count=MIXED_REQUESTS)
    connection.close()
    sent = [(each.path, soak.analyst_headers if each.as_analyst else {}) for each in requests]
    arguments = soak.arguments
    with soak.server(ready_path="/api/health/") as server:
        soak.say(f"gunicorn ({GUNICORN_CONFIG}, {arguments.workers} workers) on port {server.port}")
        # One request of each shape first: one that is refused is the mix's mistake, not the load's.
        checked: dict[str, tuple[str, dict]] = {}
        for path, headers in sent:
            checked.setdefault(shape_of(path), (path, headers))
        alone = {}
        for shape, (path, headers) in checked.items():
            started = time.perf_counter()
            status, body = get(server.port, path, headers=headers, timeout=60)
            alone[shape] = round((time.perf_counter() - started) * 1000, 1)
            if not 200 <= status < 300:
                raise RuntimeError(f"GET {path} answered {status} before the load: {body[:200]!r}")
        soak.say(
            f"wrk: {arguments.connections} connections for {arguments.seconds:g} s, "
            f"{len(sent)} requests of {len(checked)} shapes in turn"
        )
        load = wrk(
            server.port,
            sent,
            seconds=arguments.seconds,
            connections=arguments.connections,
            timeout=WRK_TIMEOUT_SECONDS,
            count_statuses=True,
            shapes=[each.shape for each in requests],
        )
        records = log_records(server.log_text())
        errors = logged_errors(records)
    soak.say(f"{load.requests:,} requests, {load.requests_per_second:.1f} req/s, non-2xx {load.non_2xx}")
    by_shape = shape_figures(load, server_times(records, {each.path: each.shape for each in requests}), requests)
    figures = load.as_dict()
    del figures["shapes"]
    soak.details["mixed_reads"] = {
        "connections": arguments.connections,
        "workers": arguments.workers,
        "wrk_timeout_seconds": WRK_TIMEOUT_SECONDS,
        "mix": shares(requests),
        # Each distinct request (its path with numbers left out), alone before the load (milliseconds).
        "shapes_ms": dict(sorted(alone.items())),
        **figures,
        "by_shape": by_shape,
        "errors_logged": dict(Counter(errors)),
    }
    soak.rows += mixed_read_rows(load, connections=arguments.connections, workers=arguments.workers, errors=errors)
    soak.rows += shape_rows(by_shape)


def listed(counts: dict[str, int]) -> str:
    """``{"503": 12, "200": 3}`` as ``503 ×12, 200 ×3``."""
    return ", ".join(f"{name} ×{count:,}" for name, count in counts.items()) or "none"


def mixed_read_rows(load: Load, *, connections: int, workers: int, errors: list[str]) -> list[Row]:
    statuses = ", ".join(f"{name} {count:,}" for name, count in (load.statuses or {}).items() if count)
    non_2xx = load.non_2xx
    return [
        Row(
            "mixed reads: requests",
            load.requests,
            f"in {load.seconds:.1f} s, {connections} connections, {workers} workers",
        ),
        Row(
            "mixed reads: throughput",
            load.requests_per_second,
            "req/s" + (f" ({load.untimed:,} answers not told apart by shape)" if load.untimed else ""),
        ),
        Row(
            "mixed reads: latency p50 / p90 / p99",
            f"{load.p50_ms:.0f} / {load.p90_ms:.0f} / {load.p99_ms:.0f}",
            f"ms (max {load.max_ms:,.0f} ms)",
        ),
        Row("mixed reads: non-2xx answers", non_2xx, f"({statuses})", "0", non_2xx == 0),
        Row(
            "mixed reads: socket errors",
            load.socket_errors,
            f"(connect {load.connect_errors}, read {load.read_errors}, write {load.write_errors}, "
            f"timeout {load.timeouts} at {WRK_TIMEOUT_SECONDS} s)",
            "0",
            load.socket_errors == 0,
        ),
        Row("mixed reads: errors in the server log", len(errors), "lines at level ERROR", "0", not errors),
    ]


def shape_figures(load: Load, server: dict[str, dict], requests: list["MixedRequest"]) -> dict[str, dict]:
    """Each shape of the mix by name: its share of the requests cycled through, what wrk measured
    of it (``wrk``: rate, latency, answers not 2xx; none if it was never answered) and what the
    server's log says it took (``server``). The kinds come in the order of their shares, the
    most asked first; the shapes of a kind by name."""
    from benchmarks.mixed_reads import shares

    measured = load.shapes or {}
    kinds = shares(requests)
    kind_of = {each.shape: each.kind for each in requests}
    counts = shares(requests, by="shape")
    ordered = sorted(counts, key=lambda shape: (-kinds[kind_of[shape]], kind_of[shape], shape))
    return {
        shape: {
            "share": counts[shape],
            "wrk": asdict(measured[shape]) if shape in measured else None,
            "server": server.get(shape),
        }
        for shape in ordered
    }


def shape_rows(by_shape: dict[str, dict]) -> list[Row]:
    """A row for each shape: its throughput, its latency as wrk saw it and in the server."""
    rows = []
    for shape, found in by_shape.items():
        measured, server = found["wrk"], found["server"]
        if measured is None:
            rows.append(Row(f"mixed reads: {shape}", None, f"never answered ({found['share']} of the mix)"))
            continue
        failed = f", {measured['non_2xx']:,} not 2xx" if measured["non_2xx"] else ""
        inside = "" if server is None else f"; server p50 {server['p50_ms']:.0f} ms, p99 {server['p99_ms']:.0f} ms"
        rows.append(
            Row(
                f"mixed reads: {shape}",
                measured["requests_per_second"],
                f"req/s (p50 {measured['p50_ms']:.0f} ms, p99 {measured['p99_ms']:.0f} ms{inside}; "
                f"{measured['requests']:,} answers{failed})",
            )
        )
    return rows


def idempotent_creates(soak: Soak) -> None:
    """Many clients creating deals with idempotency keys, dropping, duplicating and retrying."""
    from django.db import connection

    from benchmarks import idempotent_creates as creates

    arguments = soak.arguments
    writers = creates.prepare(clients=arguments.clients, run=soak.run)
    soak.writers = writers
    connection.close()
    with soak.server(ready_path="/api/health/") as server:
        soak.say(f"{arguments.clients} clients × {arguments.keys} keys on port {server.port}")
        started = time.monotonic()
        keys, answers = creates.run_clients(server.port, writers, run=soak.run, keys_per_client=arguments.keys)
        elapsed = time.monotonic() - started
        errors = logged_errors(log_records(server.log_text()))
    rows = creates.rows_per_key(keys)
    connection.close()
    summary = creates.summarize(keys, answers, rows)
    soak.say(f"{summary['requests']} requests in {elapsed:.1f} s: {summary['statuses']}")
    soak.details["idempotent_creates"] = {
        "clients": arguments.clients,
        "keys_per_client": arguments.keys,
        "seconds": round(elapsed, 3),
        **summary,
        "errors_logged": dict(Counter(errors)),
    }
    soak.rows += creates_rows(summary, clients=arguments.clients, keys=arguments.keys, seconds=elapsed, errors=errors)


def creates_rows(summary: dict, *, clients: int, keys: int, seconds: float, errors: list[str]) -> list[Row]:
    counts = summary["rows_per_key"]
    wrong = len(summary["keys_answered_with_another_deal"]) + len(summary["keys_never_answered"])
    statuses = listed(summary["statuses"])
    return [
        Row("idempotent creates: keys", summary["keys"], f"{clients} clients × {keys}, each with a token of its own"),
        Row(
            "idempotent creates: requests sent",
            summary["requests"],
            f"in {seconds:.1f} s: {summary['dropped']} dropped before the answer, "
            f"{summary['duplicates']} concurrent duplicates; {summary['replayed']} answered as replays",
        ),
        Row(
            "idempotent creates: retries",
            summary["retries_after_drop"] + summary["retries_on_failure"],
            f"{summary['retries_after_drop']} after a dropped connection, "
            f"{summary['retries_on_failure']} on no answer, 409 in progress or 503",
        ),
        Row(
            "idempotent creates: rows per key",
            f"{counts['min']} / {counts['max']}",
            f"min / max ({len(summary['keys_without_one_row'])} keys without exactly one)",
            "exactly 1",
            counts["min"] == counts["max"] == 1,
        ),
        Row(
            "idempotent creates: keys answered otherwise",
            wrong,
            "with another deal's id, or never with a 2xx",
            "0",
            wrong == 0,
        ),
        Row(
            "idempotent creates: 5xx answers",
            summary["server_errors"],
            f"(answers: {statuses})",
            "0",
            summary["server_errors"] == 0,
        ),
        Row("idempotent creates: errors in the server log", len(errors), "lines at level ERROR", "0", not errors),
    ]


def database_restart(soak: Soak, cluster: PrivateCluster) -> None:
    """PostgreSQL stopped and started under pollers, with a write while it is down."""
    from django.db import connection
    from django.urls import reverse

    from benchmarks import idempotent_creates as creates
    from benchmarks.restart import Pollers, Timeline, judge

    arguments = soak.arguments
    writers = soak.writers or creates.prepare(clients=1, run=soak.run)
    # This process keeps no session open across the restart.
    connection.close()
    paths = [reverse("health"), reverse("deal-list")]
    key = creates.key_of(soak.run, 0, 999)
    body, headers = creates.body_of(writers, key), creates.write_headers(writers.tokens[0], key)
    with soak.server(ready_path="/api/health/") as server:
        master, workers = server.master_pid, sorted(server.worker_pids())
        soak.say(f"gunicorn master {master}, workers {', '.join(map(str, workers))}; pollers on {', '.join(paths)}")
        with Pollers(server.port, paths) as pollers:
            time.sleep(BASELINE_SECONDS)
            stop_asked = time.monotonic()
            cluster.stop(mode="fast")
            down = time.monotonic()
            soak.say(f"PostgreSQL stopped in {down - stop_asked:.2f} s; a write while it is down")
            outage_write = creates.send_until_answered(
                server.port, reverse("deal-list"), body, headers, key=key, kind="outage", sends=1
            )[0]
            time.sleep(max(0.0, down + arguments.outage - time.monotonic()))
            start_asked = time.monotonic()
            cluster.start()
            up = time.monotonic()
            soak.say(f"PostgreSQL started again in {up - start_asked:.2f} s after {start_asked - down:.1f} s down")
            deadline = up + RECOVERY_BOUND_SECONDS + STEADY_SECONDS
            while time.monotonic() < deadline and not all(
                any(each.path == path and each.sent >= up and each.status == 200 for each in pollers.observations)
                for path in paths
            ):
                time.sleep(0.1)
            time.sleep(STEADY_SECONDS)
        later_writes = creates.send_until_answered(
            server.port, reverse("deal-list"), body, headers, key=key, kind="retry"
        )
        replay = creates.send_until_answered(server.port, reverse("deal-list"), body, headers, key=key, kind="replay")
        after = sorted(server.worker_pids())
        still_master = server.process is not None and server.process.poll() is None
        records = log_records(server.log_text())
    rows = creates.rows_per_key([key])[key]
    connection.close()
    timeline = Timeline(stop_asked=stop_asked, down=down, start_asked=start_asked, up=up)
    verdict = judge(pollers.observations, timeline, recovery_bound=RECOVERY_BOUND_SECONDS)
    final, replayed = later_writes[-1], replay[-1]
    writes_ok = (
        outage_write.status == 503
        and final.status == 201
        and replayed.status == 201
        and replayed.replayed
        and rows == [final.deal_id] == [replayed.deal_id]
    )
    failures = logged_failures(records)
    soak.details["database_restart"] = {
        "postgresql_port": cluster.port,
        "pollers": dict.fromkeys(paths, 2),
        "timeline": {
            "stop_asked": 0.0,
            "down": round(down - stop_asked, 3),
            "start_asked": round(start_asked - stop_asked, 3),
            "up": round(up - stop_asked, 3),
        },
        **verdict,
        "write_while_down": outage_write.as_record(),
        "writes_after_recovery": [each.as_record() for each in later_writes],
        "replay": [each.as_record() for each in replay],
        "rows_for_the_key": rows,
        "gunicorn": {
            "master": master,
            "master_running": still_master,
            "workers_before": workers,
            "workers_after": after,
        },
        "failures_logged": dict(Counter(failures)),
        "errors_logged": dict(Counter(logged_errors(records))),
    }
    soak.rows += restart_rows(
        verdict,
        writes={"while_down": outage_write, "after": later_writes, "replay": replayed, "rows": rows, "ok": writes_ok},
        processes={"master": master, "running": still_master, "before": workers, "after": after},
        failures=failures,
    )


def restart_rows(verdict: dict, *, writes: dict, processes: dict, failures: list[str]) -> list[Row]:
    checks = verdict["checks"]
    recovery = verdict["recovery_seconds"]
    recovery_text = ", ".join(
        f"{path} {seconds if seconds is not None else 'never'}" for path, seconds in recovery.items()
    )
    unchanged = processes["running"] and processes["before"] == processes["after"]
    return [
        Row(
            "database restart: outage",
            verdict["outage_seconds"],
            f"s down (stop took {verdict['stop_seconds']:.2f} s, start {verdict['start_seconds']:.2f} s)",
        ),
        Row(
            "database restart: answers before the stop",
            sum(verdict["before_stop"].values()),
            f"({listed(verdict['before_stop'])})",
            "all 200",
            checks["all 200 before the stop"],
        ),
        Row(
            "database restart: answers while down",
            sum(verdict["while_down"].values()),
            f"({listed(verdict['while_down'])}: {listed(verdict['said_while_down'])}; "
            f"Retry-After {listed(verdict['retry_after_while_down'])})",
            "only 503",
            checks["only 503 while down"] and checks["every 503 says why"],
        ),
        Row(
            "database restart: 500s, failed connections, timeouts",
            len(verdict["unexpected"]),
            f"of {verdict['requests']:,} answers ({listed(verdict['outcomes'])})",
            "0",
            checks["no other status, failed connection or timeout"],
        ),
        Row(
            "database restart: recovery",
            verdict["slowest_recovery_seconds"],
            f"s from PostgreSQL accepting connections to 200 ({recovery_text} s)",
            f"≤ {RECOVERY_BOUND_SECONDS} s, then only 200",
            checks[f"200 again within {RECOVERY_BOUND_SECONDS:g} s"] and checks["only 200 once recovered"],
        ),
        Row(
            "database restart: a write while down, retried after",
            f"{writes['while_down'].status} → {writes['after'][-1].status}",
            f"({len(writes['after'])} sends after recovery; a replay answered {writes['replay'].status}, "
            f"rows for the key: {len(writes['rows'])})",
            "503, then one row",
            writes["ok"],
        ),
        Row(
            "database restart: other failures in the server log",
            len(failures),
            "5xx but 503, worker timeouts or crashes",
            "0",
            not failures,
        ),
        Row(
            "database restart: gunicorn master and workers",
            "unchanged" if unchanged else "CHANGED",
            f"master {processes['master']}, workers {' '.join(map(str, processes['before']))}"
            + ("" if unchanged else f" → {' '.join(map(str, processes['after']))}"),
            "unchanged (no restart)",
            unchanged,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if wrk_path() is None:
        print(WRK_INSTALL_HINT, file=sys.stderr)
        return 2
    programs = server_programs()
    if programs is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    # A plain `kill` unwinds like Ctrl-C, so the servers and the cluster are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    say = Progress()
    started_at = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    json_path = arguments.json or ROOT / "artifacts" / "soak.json"
    with PrivateCluster(programs) as cluster, tempfile.TemporaryDirectory(prefix="expo-soak-static-") as static:
        say(f"PostgreSQL of this run's own on port {cluster.port} ({programs}), data in {cluster.folder}")
        environment = server_environment(cluster.url(DATABASE), static_root=static)
        for name in NOT_INHERITED:
            os.environ.pop(name, None)
        os.environ.update(environment)

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from benchmarks import database

        database.prepare(deals=arguments.deals, fresh=False, say=say)
        say("Collecting the static files, as make serve does")
        call_command("collectstatic", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
        soak = Soak(arguments, environment, say)
        setup(soak)
        soak.part("mixed reads", lambda: mixed_reads(soak))
        soak.part("idempotent creates", lambda: idempotent_creates(soak))
        soak.part("database restart", lambda: database_restart(soak, cluster))
    duration = time.monotonic() - say.started
    details = {
        "passed": soak.passed,
        "deals": arguments.deals,
        "postgresql": server_version,
        "settings": "config.settings.production over plain HTTP (SECURE_SSL_REDIRECT=false)",
        "throttle_rates": UNREACHED_RATE,
        "gunicorn": f"--config {GUNICORN_CONFIG}, WEB_CONCURRENCY={arguments.workers}",
        "seconds": arguments.seconds,
        "started_at": started_at.isoformat(),
        "duration_seconds": round(duration, 1),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "failures": soak.failures,
        **soak.details,
    }
    write_json(json_path, rows=soak.rows, details=details)
    print()
    print(
        f"Expo Deals API under load and faults: {arguments.deals:,} demo deals, PostgreSQL {server_version} "
        f"of the run's own, gunicorn with {arguments.workers} workers ({GUNICORN_CONFIG})"
    )
    print()
    print(table(soak.rows))
    print()
    print(
        f"{'PASSED' if soak.passed else 'FAILED'} in {duration:.0f} s. Load average before/after: "
        f"{' '.join(f'{x:.2f}' for x in load_before)} / {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs. JSON: {json_path}"
    )
    return 0 if soak.passed else 1


if __name__ == "__main__":
    sys.exit(main())
