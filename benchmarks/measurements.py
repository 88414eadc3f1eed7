"""The measurements: each adds its rows to the table and its details to the JSON of the run.

In process, requests go through Django's WSGI handler in this process, as a server hands them
over, with no network; over HTTP, through gunicorn (the production server) and wrk on loopback.
Every request must answer 200: anything else stops the measurement rather than being timed as
a fast answer.
"""

import http.client
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.models import Max, Min
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.report import Row
from benchmarks.servers import HOST, Gunicorn, Load, get, memory_kib, wrk
from deals.api.urls import router as deals_router
from deals.models import Deal
from delegations.api.urls import router as delegations_router
from delegations.models import Enterprise
from expo.api.urls import router as expo_router
from figures.api.urls import router as figures_router
from framework import access
from framework.models import ApiToken

LIST_LIMIT = 100
# The deal and enterprise lists are asked for pages picked at random among the first
# RANDOM_PAGES, the same sequence for the API and the raw view; deep pages are measured apart.
RANDOM_PAGES = 100
PAGES_DESCRIPTION = f"limit={LIST_LIMIT}, pages drawn at random among the first {RANDOM_PAGES} (the same for both)"
PATHS_PER_RUN = 500
DEEP_OFFSET = 49_900
DEPTH_SAMPLES = 20
QUERY_LIMITS = (10, 100, 1000)
STATISTICS_GROUPS = ("delegation,edition", "seller_country")
STATISTICS_SAMPLES = 10
# The deal searches measured: a party's name, two words (a name and a product's word) and a Chinese
# name, each as the public and as an analyst, its count counted each time.
SEARCH_TERMS = {"one word": "Dow", "two words": "Dow lathe", "Chinese": "东方峻景"}
SEARCH_SAMPLES = 20
WARM_UP_SECONDS = 2
# The API and the raw view are measured in turns, so load from elsewhere on the machine falls
# on both alike.
ROUNDS = 2
CONNECTIONS = 4
ANALYST_USERNAME = "benchmark-analyst"

TARGET_LIST_RATIO = 0.9
MOONSHOT_LIST_RATIO = 1.0
TARGET_DEPTH_RATIO = 1.5
TARGET_STATISTICS_MS = 250
TARGET_SEARCH_MS = 50
TARGET_CSV_ROWS_PER_SECOND = 100_000
TARGET_CSV_PEAK_MIB = 150
# The CSV export is read for at most this long: CSV_MIN_SECONDS, or a second per 5,000 rows.
CSV_MIN_SECONDS = 120
CSV_ROWS_PER_SECOND_BOUND = 5_000


class Failed(Exception):
    """A request answered something else than the page measured."""


@dataclass
class Bench:
    """One run: its size and settings, what the measurements found, and the callers they act as."""

    deals: int
    seconds: float
    server_env: dict[str, str]
    say: Callable[[str], None]
    rows: list[Row] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    public_deals: int = 0
    analyst_headers: dict[str, str] = field(default_factory=dict)

    def setup(self) -> None:
        """Count what the public sees and give this run an analyst with an API token."""
        self.public_deals = Deal.objects.filter(access.published_condition()).count()
        access.ensure_groups()
        user, created = get_user_model().objects.get_or_create(username=ANALYST_USERNAME)
        if created:
            user.set_unusable_password()  # it signs in with its token only
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=access.ANALYSTS))
        ApiToken.objects.filter(user=user).delete()
        _, token = ApiToken.objects.create(user=user, client="benchmarks")
        self.analyst_headers = {"Authorization": f"Token {token}"}

    def teardown(self) -> None:
        ApiToken.objects.filter(user__username=ANALYST_USERNAME).delete()


class InProcess:
    """Requests through Django's WSGI handler in this process, as gunicorn hands them over."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.factory = RequestFactory(HTTP_HOST=HOST)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[bytes, float]:
        """The body of ``GET path`` and the seconds it took; ``Failed`` unless it answered 200."""
        environ = self.factory.get(path, headers=headers).environ
        statuses = []
        started = time.perf_counter()
        # A plain function serves as start_response; the stubs ask for their protocol.
        response = self.handler(environ, lambda status, headers, exc_info=None: statuses.append(status))  # type: ignore[arg-type]
        try:
            body = b"".join(response)
        finally:
            response.close()
        elapsed = time.perf_counter() - started
        if not statuses[0].startswith("200 "):
            raise Failed(f"GET {path} answered {statuses[0]}: {body[:300]!r}")
        return body, elapsed


def random_pages(path: str, *, rows: int, seed: int = 0) -> list[str]:
    """``PATHS_PER_RUN`` requests of pages of ``path`` (``rows`` long) drawn among the first ones."""
    pages = max(1, min(RANDOM_PAGES, math.ceil(rows / LIST_LIMIT)))
    rng = random.Random(seed)
    return [f"{path}?limit={LIST_LIMIT}&offset={rng.randrange(pages) * LIST_LIMIT}" for _ in range(PATHS_PER_RUN)]


def deal_list_paths(bench: Bench) -> tuple[list[str], list[str]]:
    """The requests of the API's deal list and of the raw view's, page for page the same."""
    return (
        random_pages(reverse("deal-list"), rows=bench.public_deals),
        random_pages(reverse("raw-deal-list"), rows=bench.public_deals),
    )


def _same_json(api: bytes, raw: bytes, path: str) -> None:
    if orjson.loads(api) != orjson.loads(raw):
        raise Failed(f"The raw view and the API answer {path} differently: their throughputs do not compare.")


def _at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def list_in_process(bench: Bench) -> None:
    """Deal list throughput through the WSGI handler, the API against the raw view."""
    client = InProcess()
    api_paths, raw_paths = deal_list_paths(bench)
    for api_path, raw_path in list(zip(api_paths, raw_paths, strict=True))[:5]:
        _same_json(client.get(api_path)[0], client.get(raw_path)[0], api_path)
    totals = {"api": [0, 0.0], "raw": [0, 0.0]}
    for _ in range(ROUNDS):
        for name, paths in (("api", api_paths), ("raw", raw_paths)):
            count, elapsed = 0, 0.0
            started = time.perf_counter()
            while time.perf_counter() - started < bench.seconds / ROUNDS:
                client.get(paths[count % len(paths)])
                count += 1
            elapsed = time.perf_counter() - started
            totals[name][0] += count
            totals[name][1] += elapsed
    rates = {name: round(count / elapsed, 2) for name, (count, elapsed) in totals.items()}
    ratio = _ratio(rates["api"], rates["raw"])
    bench.details["deal_list_in_process"] = {
        "pages": PAGES_DESCRIPTION,
        "requests": {name: count for name, (count, _) in totals.items()},
        "requests_per_second": rates,
        "ratio": ratio,
    }
    bench.say(f"in process: API {rates['api']:.1f} req/s, raw {rates['raw']:.1f} req/s")
    bench.rows += [
        Row("deal list in process: API", rates["api"], "req/s"),
        Row("deal list in process: raw limit", rates["raw"], "req/s"),
        Row("deal list in process: API / raw", ratio, "×"),
    ]


def page_depth(bench: Bench) -> None:
    """Latency of a deep page of the deal list (offset 49,900) against the first, in process."""
    client = InProcess()
    deep = min(DEEP_OFFSET, max(0, bench.public_deals - 1) // LIST_LIMIT * LIST_LIMIT)
    paths = {0: f"{reverse('deal-list')}?limit={LIST_LIMIT}&offset=0"}
    paths[deep] = f"{reverse('deal-list')}?limit={LIST_LIMIT}&offset={deep}"
    samples: dict[int, list[float]] = {offset: [] for offset in paths}
    for path in paths.values():
        client.get(path)
    deadline = time.perf_counter() + max(3 * bench.seconds, 10)
    while len(samples[deep]) < DEPTH_SAMPLES and (len(samples[deep]) < 3 or time.perf_counter() < deadline):
        for offset, path in paths.items():
            samples[offset].append(round(client.get(path)[1] * 1000, 2))
    first, last = (round(statistics.median(samples[offset]), 2) for offset in (0, deep))
    ratio = _ratio(last, first)
    page = deep // LIST_LIMIT + 1
    bench.details["page_depth"] = {"offsets": [0, deep], "samples_ms": samples, "median_ms": [first, last]}
    shortened = "" if deep == DEEP_OFFSET else f" (the last: only {bench.public_deals:,} public deals)"
    bench.say(f"page 1: {first:.1f} ms, page {page}: {last:.1f} ms{shortened}")
    bench.rows += [
        Row("deal list page 1 latency", first, f"ms (median of {len(samples[0])})"),
        Row(f"deal list page {page} latency{shortened}", last, f"ms (median of {len(samples[deep])})"),
        Row(
            f"page {page} / page 1",
            ratio,
            "×",
            f"≤ {TARGET_DEPTH_RATIO}",
            ratio is not None and ratio <= TARGET_DEPTH_RATIO,
        ),
    ]


def list_endpoints() -> list[str]:
    """The path of every list endpoint: each collection of the routers, the deletion feed, the
    OCDS release package and the reconciliation of reported figures."""
    paths = [
        reverse(f"{basename}-list")
        for router in (expo_router, delegations_router, deals_router, figures_router)
        for _, _, basename in router.registry
    ]
    return [*paths, reverse("deletion-list"), reverse("ocds-releases"), reverse("stats-reconciliation")]


@override_settings(LIST_COUNT_CACHE_SECONDS=0)
def queries_per_request(bench: Bench) -> None:
    """Queries each list endpoint makes at limits 10, 100 and 1000, asked by the public, with
    every count counted (a count kept in the cache would make later requests one query less)."""
    client = InProcess()
    found = {}
    for path in list_endpoints():
        counts, shown = [], []
        for limit in QUERY_LIMITS:
            # A request empties the query log as it starts: the count must start from empty too.
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                body, _ = client.get(f"{path}?limit={limit}")
            data = orjson.loads(body)
            counts.append(len(captured))
            shown.append(len(data["releases"] if "releases" in data else data["results"]))
        found[path] = {"limits": QUERY_LIMITS, "queries": counts, "rows": shown}
        bench.rows.append(
            Row(
                f"queries {path}",
                "/".join(map(str, counts)),
                f"at limit 10/100/1000 ({'/'.join(map(str, shown))} rows)",
                "the same at every limit",
                len(set(counts)) == 1,
            )
        )
    bench.details["queries_per_request"] = found
    bench.say(f"queries counted on {len(found)} list endpoints")


def statistics_in_process(bench: Bench) -> None:
    """Median latency of the deal statistics, asked by an analyst (all deals), in process:
    computed each time (the target), and answered from the cache as a repeated request is."""
    client = InProcess()
    found = {}
    for kept in (False, True):
        with override_settings(STATISTICS_CACHE_SECONDS=settings.STATISTICS_CACHE_SECONDS if kept else 0):
            for group_by in STATISTICS_GROUPS:
                path = f"{reverse('stats-deals')}?group_by={group_by}"
                client.get(path, bench.analyst_headers)
                samples: list[float] = []
                deadline = time.perf_counter() + max(bench.seconds, 5)
                while len(samples) < STATISTICS_SAMPLES and (len(samples) < 3 or time.perf_counter() < deadline):
                    samples.append(round(client.get(path, bench.analyst_headers)[1] * 1000, 2))
                median = round(statistics.median(samples), 2)
                how = "kept" if kept else "computed"
                found[f"{group_by} ({how})"] = {"samples_ms": samples, "median_ms": median}
                bench.say(f"statistics group_by={group_by}, {how}: {median:.1f} ms")
                unit = f"ms (median of {len(samples)}, analyst)"
                if kept:
                    bench.rows.append(Row(f"statistics group_by={group_by}, from the cache", median, unit))
                else:
                    bench.rows.append(
                        Row(
                            f"statistics group_by={group_by}, computed",
                            median,
                            unit,
                            f"≤ {TARGET_STATISTICS_MS} ms at 1M deals",
                            median <= TARGET_STATISTICS_MS,
                        )
                    )
    bench.details["statistics_in_process"] = found


@override_settings(LIST_COUNT_CACHE_SECONDS=0)
def search_in_process(bench: Bench) -> None:
    """Median latency of the first page of a deal search (``SEARCH_TERMS``), in process, asked by
    the public and by an analyst, with its count counted every time (none kept in the cache)."""
    client = InProcess()
    found = {}
    for label, term in SEARCH_TERMS.items():
        path = f"{reverse('deal-list')}?{urlencode({'search': term})}"
        for caller, headers in (("public", {}), ("analyst", bench.analyst_headers)):
            count = orjson.loads(client.get(path, headers)[0])["count"]
            samples: list[float] = []
            deadline = time.perf_counter() + max(bench.seconds, 5)
            while len(samples) < SEARCH_SAMPLES and (len(samples) < 3 or time.perf_counter() < deadline):
                samples.append(round(client.get(path, headers)[1] * 1000, 2))
            median = round(statistics.median(samples), 2)
            found[f"{term} ({caller})"] = {"path": path, "count": count, "samples_ms": samples, "median_ms": median}
            bench.say(f"search {term!r} as {'the ' if caller == 'public' else 'an '}{caller}: {median:.1f} ms")
            bench.rows.append(
                Row(
                    f"search {term!r} ({label}), {caller}",
                    median,
                    f"ms (median of {len(samples)}; {count:,} found, counted each time)",
                    f"≤ {TARGET_SEARCH_MS} ms at 1M deals",
                    median <= TARGET_SEARCH_MS,
                )
            )
    bench.details["search_in_process"] = found


def _combined(loads: list[Load]) -> dict:
    """Rounds of one measurement together: throughput over all of them, latency of the slower."""
    requests = sum(load.requests for load in loads)
    seconds = sum(load.seconds for load in loads)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "requests_per_second": round(requests / seconds, 2) if seconds else 0.0,
        "p50_ms": max(load.p50_ms for load in loads),
        "p99_ms": max(load.p99_ms for load in loads),
        "errors": sum(load.errors for load in loads),
        "rounds": [load.as_dict() for load in loads],
    }


def _load_unit(load: dict) -> str:
    errors = f", {load['errors']} ERRORS" if load["errors"] else ""
    return f"req/s (p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms{errors})"


def list_over_http(bench: Bench, server: Gunicorn, *, variant: str = "") -> None:
    """Deal list throughput through gunicorn (2 workers) under wrk, the API against the raw view;
    ``variant`` names a server configured otherwise (e.g. counting every list's rows)."""
    api_paths, raw_paths = deal_list_paths(bench)
    _same_json(get(server.port, api_paths[0])[1], get(server.port, raw_paths[0])[1], api_paths[0])
    for paths in (api_paths, raw_paths):
        wrk(server.port, paths, seconds=WARM_UP_SECONDS, connections=CONNECTIONS)
    loads: dict[str, list[Load]] = {"api": [], "raw": []}
    for _ in range(ROUNDS):
        for name, paths in (("api", api_paths), ("raw", raw_paths)):
            loads[name].append(wrk(server.port, paths, seconds=bench.seconds / ROUNDS, connections=CONNECTIONS))
    api, raw = _combined(loads["api"]), _combined(loads["raw"])
    ratio = _ratio(api["requests_per_second"], raw["requests_per_second"])
    label = f"deal list over HTTP{variant}"
    bench.details["deal_list_over_http" + variant.replace(" ", "_").replace(",", "")] = {
        "pages": PAGES_DESCRIPTION,
        "workers": server.workers,
        "connections": CONNECTIONS,
        "api": api,
        "raw": raw,
        "ratio": ratio,
    }
    bench.say(f"{label}: API {api['requests_per_second']:.1f} req/s, raw {raw['requests_per_second']:.1f} req/s")
    bench.rows += [
        Row(f"{label}: API", api["requests_per_second"], _load_unit(api)),
        Row(f"{label}: raw limit", raw["requests_per_second"], _load_unit(raw)),
        Row(
            f"{label}: API / raw",
            ratio,
            "×",
            f"≥ {TARGET_LIST_RATIO} (moonshot ≥ {MOONSHOT_LIST_RATIO})",
            ratio is not None and ratio >= TARGET_LIST_RATIO and not api["errors"] + raw["errors"],
        ),
    ]


def _published_deal_ids(count: int) -> list[int]:
    """Up to ``count`` ids of deals the public sees, drawn at random (the same each run)."""
    bounds = Deal.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    rng = random.Random(0)
    span = range(bounds["low"], bounds["high"] + 1)
    candidates = rng.sample(span, min(len(span), 2 * count))
    public = set(
        Deal.objects.filter(access.published_condition(), id__in=candidates).values_list("id", flat=True).order_by()
    )
    return [deal_id for deal_id in candidates if deal_id in public][:count]


def others_over_http(bench: Bench, server: Gunicorn) -> None:
    """Throughput through gunicorn of a deal's detail (random public deals), the enterprise
    list (random pages) and the deal statistics (an analyst's)."""
    enterprises = Enterprise.objects.count()
    measured = {
        "deal detail": ([reverse("deal-detail", args=[pk]) for pk in _published_deal_ids(PATHS_PER_RUN)], {}),
        "enterprise list": (random_pages(reverse("enterprise-list"), rows=enterprises), {}),
        f"statistics group_by={STATISTICS_GROUPS[0]}": (
            [f"{reverse('stats-deals')}?group_by={STATISTICS_GROUPS[0]}"],
            bench.analyst_headers,
        ),
    }
    found = {}
    for name, (paths, headers) in measured.items():
        if not paths:
            raise Failed(f"No request to measure the {name} with.")
        status, body = get(server.port, paths[0], headers=headers)
        if status != 200:
            raise Failed(f"GET {paths[0]} answered {status}: {body[:300]!r}")
        wrk(server.port, paths, seconds=WARM_UP_SECONDS / 2, connections=CONNECTIONS, headers=headers)
        load = _combined([wrk(server.port, paths, seconds=bench.seconds, connections=CONNECTIONS, headers=headers)])
        found[name] = {"paths": f"{paths[0]} and {len(set(paths)) - 1} others", **load}
        bench.say(f"{name} over HTTP: {load['requests_per_second']:.1f} req/s")
        bench.rows.append(Row(f"{name} over HTTP", load["requests_per_second"], _load_unit(load)))
    bench.details["others_over_http"] = found


def http_throughput(bench: Bench) -> None:
    """The measurements through gunicorn with 2 sync workers, as production serves."""
    with Gunicorn(workers=2, env=bench.server_env, ready_path=f"{reverse('raw-deal-list')}?limit=1") as server:
        bench.say(f"gunicorn with 2 workers on port {server.port}")
        list_over_http(bench, server)
        others_over_http(bench, server)
    # The API keeps list counts in the cache; the raw view counts every time. Without the cache
    # the two do the same database work, and the ratio is the cost of the API's own code.
    counting = {**bench.server_env, "LIST_COUNT_CACHE_SECONDS": "0"}
    with Gunicorn(workers=2, env=counting, ready_path=f"{reverse('raw-deal-list')}?limit=1") as server:
        bench.say(f"gunicorn with 2 workers on port {server.port}, counting every list's rows")
        list_over_http(bench, server, variant=", counts not kept")


def _stream(port: int, path: str, headers: dict[str, str], *, seconds: float) -> dict:
    """Read the answer to ``GET path`` as it streams, for at most ``seconds``: lines, bytes,
    time taken and whether it was read to its end."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    lines = size = 0
    complete = False
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            raise Failed(f"GET {path} answered {response.status}: {response.read(300)!r}")
        while time.perf_counter() - started < seconds:
            chunk = response.read(1 << 16)
            if not chunk:
                complete = True
                break
            lines += chunk.count(b"\n")
            size += len(chunk)
    finally:
        connection.close()
    return {"lines": lines, "bytes": size, "seconds": round(time.perf_counter() - started, 3), "complete": complete}


def csv_export(bench: Bench) -> None:
    """Rows per second and the serving worker's peak memory for the CSV export of every deal,
    through gunicorn with one worker, read by an analyst."""
    expected = Deal.objects.count()
    bound = max(CSV_MIN_SECONDS, expected / CSV_ROWS_PER_SECOND_BOUND)
    path = reverse("deal-export-csv")
    sample = Deal.objects.order_by("id").values_list("buyer_id", flat=True).first()
    small = f"{path}?buyer={sample}"
    with Gunicorn(workers=1, env=bench.server_env, timeout=int(bound) + 60, ready_path=small) as server:
        (worker,) = server.worker_pids()
        get(server.port, small, headers=bench.analyst_headers)
        before = memory_kib(worker)
        bench.say(f"gunicorn with 1 worker on port {server.port}: reading the CSV export of {expected:,} deals")
        read = _stream(server.port, path, bench.analyst_headers, seconds=bound)
        after = memory_kib(worker)
    # One line per deal, and the header (the demo data has no line break inside a field).
    rows = max(0, read["lines"] - 1)
    rate = round(rows / read["seconds"], 1) if read["seconds"] else 0.0
    peak = round(after["VmHWM"] / 1024, 1)
    whole = read["complete"] and rows == expected
    bench.details["csv_export"] = {
        **read,
        "rows": rows,
        "expected_rows": expected,
        "rows_per_second": rate,
        "worker_rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "worker_peak_mib": peak,
        "bound_seconds": bound,
    }
    bench.say(f"CSV: {rows:,} rows in {read['seconds']:.1f} s, worker peak {peak:.0f} MiB")
    missing = "" if whole else f", {'cut off after' if not read['complete'] else 'only'} {rows:,} of {expected:,} rows"
    bench.rows += [
        Row(
            f"CSV export, {expected:,} rows",
            rate,
            f"rows/s ({read['bytes'] / 1e6:,.0f} MB in {read['seconds']:.1f} s{missing})",
            f"≥ {TARGET_CSV_ROWS_PER_SECOND:,} at 1M rows",
            whole and rate >= TARGET_CSV_ROWS_PER_SECOND,
        ),
        Row(
            "CSV export: worker peak memory",
            peak,
            f"MiB (VmHWM; {before['VmRSS'] / 1024:.0f} MiB before the export)",
            f"< {TARGET_CSV_PEAK_MIB} MiB at 1M rows",
            whole and peak < TARGET_CSV_PEAK_MIB,
        ),
    ]


MEASUREMENTS: list[tuple[str, Callable[[Bench], None]]] = [
    ("deal list in process", list_in_process),
    ("page depth", page_depth),
    ("queries per request", queries_per_request),
    ("statistics", statistics_in_process),
    ("search", search_in_process),
    ("over HTTP", http_throughput),
    ("CSV export", csv_export),
]
