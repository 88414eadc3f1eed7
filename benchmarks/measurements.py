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
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.db.models import Max, Min
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from benchmarks.report import Row
from benchmarks.servers import HOST, Gunicorn, Load, get, memory_kib, wrk
from deals.api.urls import router as deals_router
from deals.api.views import DealViewSet
from deals.models import Category, Deal, Market
from delegations.api.urls import router as delegations_router
from delegations.models import Delegation, Enterprise
from delegations.services import editor_create
from expo.api.urls import router as expo_router
from figures.api.urls import router as figures_router
from framework import access
from framework.api.pagination import CursorPagination, ordering_terms
from framework.models import ApiToken

LIST_LIMIT = 100
# The deal and enterprise lists are asked for pages picked at random among the first
# RANDOM_PAGES, the same sequence for the API and the raw view; deep pages are measured apart.
RANDOM_PAGES = 100
PAGES_DESCRIPTION = f"limit={LIST_LIMIT}, pages drawn at random among the first {RANDOM_PAGES} (the same for both)"
PATHS_PER_RUN = 500
# The deep page measured is half way through the deals (offset 500,000 at 1M deals).
DEPTH_SHARE = 0.5
DEPTH_SAMPLES = 20
# Cursor paging against limit/offset: pages at this many depths spread evenly over the whole list.
CURSOR_DEPTHS = 20
QUERY_LIMITS = (10, 100, 1000)
STATISTICS_GROUPS = ("delegation,edition", "seller_country")
STATISTICS_SAMPLES = 10
FUNNEL_GROUPS = ("edition", "delegation,edition")
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
TARGET_FUNNEL_MS = 250
TARGET_SEARCH_MS = 50
TARGET_CSV_ROWS_PER_SECOND = 100_000
TARGET_CSV_PEAK_MIB = 150
# The CSV export is read for at most this long: CSV_MIN_SECONDS, or a second per 5,000 rows.
CSV_MIN_SECONDS = 120
CSV_ROWS_PER_SECOND_BOUND = 5_000
# A bulk create: this many deals between this many enterprises, written this many times.
BULK_ITEMS = 1000
BULK_ENTERPRISES = 200
BULK_ROUNDS = 2
TARGET_BULK_MS_PER_DEAL = 10
# The XLSX export likewise: CSV_MIN_SECONDS, or a second per 2,000 rows.
XLSX_ROWS_PER_SECOND_BOUND = 2_000


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


# What the API's deal list is measured against (benchmarks.raw): the name of each view's figures
# in the JSON, its URL name, and its name in the table.
BASELINES = {
    "raw": ("raw-deal-list", "raw limit"),
    "raw_by_keys": ("raw-deal-list-by-keys", "keys-first raw"),
}


def compared_paths(bench: Bench) -> dict[str, list[str]]:
    """The requests of the API's deal list (``api``) and of each baseline's, page for page the same."""
    return {
        "api": random_pages(reverse("deal-list"), rows=bench.public_deals),
        **{name: random_pages(reverse(url), rows=bench.public_deals) for name, (url, _) in BASELINES.items()},
    }


def _same_json(api: bytes, raw: bytes, path: str) -> None:
    if orjson.loads(api) != orjson.loads(raw):
        raise Failed(f"The raw view and the API answer {path} differently: their throughputs do not compare.")


def _at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _counts(kept: bool):
    """Settings under which lists keep their counts as configured, or count every time."""
    return override_settings(LIST_COUNT_CACHE_SECONDS=settings.LIST_COUNT_CACHE_SECONDS if kept else 0)


def _ratio_rows(label: str, rates: dict[str, float], *, errors: int = 0) -> tuple[dict, list[Row]]:
    """The API's ratio to each baseline, and its rows: the target is the keys-first view's, the
    one doing the same database work as the API."""
    ratios = {name: _ratio(rates["api"], rates[name]) for name in BASELINES}
    rows = []
    for name, (_, baseline) in BASELINES.items():
        ratio = ratios[name]
        if name == "raw_by_keys":
            target = f"≥ {TARGET_LIST_RATIO} (moonshot ≥ {MOONSHOT_LIST_RATIO})"
            rows.append(
                Row(f"{label}: API / {baseline}", ratio, "×", target, _at_least(ratio, TARGET_LIST_RATIO, errors))
            )
        else:
            rows.append(Row(f"{label}: API / {baseline}", ratio, "×"))
    return ratios, rows


def _at_least(value: float | None, limit: float, errors: int) -> bool:
    return value is not None and value >= limit and not errors


def list_in_process(bench: Bench) -> None:
    """Deal list throughput through the WSGI handler, the API against each raw view, with list
    counts kept (as configured) and with every count counted."""
    client = InProcess()
    paths = compared_paths(bench)
    for kept in (True, False):
        with _counts(kept):
            _list_in_process(bench, client, paths, variant="" if kept else ", counts not kept")


def _list_in_process(bench: Bench, client: InProcess, paths: dict[str, list[str]], *, variant: str) -> None:
    for index in range(5):
        api = client.get(paths["api"][index])[0]
        for name in BASELINES:
            _same_json(api, client.get(paths[name][index])[0], paths["api"][index])
    totals = {name: [0, 0.0] for name in paths}
    for _ in range(ROUNDS):
        for name, measured in paths.items():
            count = 0
            started = time.perf_counter()
            while time.perf_counter() - started < bench.seconds / ROUNDS:
                client.get(measured[count % len(measured)])
                count += 1
            totals[name][0] += count
            totals[name][1] += time.perf_counter() - started
    rates = {name: round(count / elapsed, 2) for name, (count, elapsed) in totals.items()}
    label = f"deal list in process{variant}"
    ratios, ratio_rows = _ratio_rows(label, rates)
    bench.details["deal_list_in_process" + _key(variant)] = {
        "pages": PAGES_DESCRIPTION,
        "requests": {name: count for name, (count, _) in totals.items()},
        "requests_per_second": rates,
        "ratio": ratios["raw"],
        "ratio_by_keys": ratios["raw_by_keys"],
    }
    bench.say(f"{label}: " + ", ".join(f"{name} {rate:.1f} req/s" for name, rate in rates.items()))
    bench.rows += [
        Row(f"{label}: API", rates["api"], "req/s"),
        *(Row(f"{label}: {baseline}", rates[name], "req/s") for name, (_, baseline) in BASELINES.items()),
        *ratio_rows,
    ]


def _key(variant: str) -> str:
    """The JSON key's ending for a variant's name: ``, counts not kept`` → ``_counts_not_kept``."""
    return variant.replace(" ", "_").replace(",", "")


def deep_offset(*, deals: int, public_deals: int) -> int:
    """The offset of the deep page: ``DEPTH_SHARE`` of the deals measured, to a whole page, or
    the last page the public sees where it sees fewer."""
    deep = int(deals * DEPTH_SHARE) // LIST_LIMIT * LIST_LIMIT
    return min(deep, max(0, public_deals - 1) // LIST_LIMIT * LIST_LIMIT)


def page_depth(bench: Bench) -> None:
    """Latency of a deep page of the deal list (half way through the deals) against the first,
    in process, for the API and for the keys-first raw view beside it (the same database work:
    what the depth costs without the framework)."""
    client = InProcess()
    deep = deep_offset(deals=bench.deals, public_deals=bench.public_deals)
    views = {"api": reverse("deal-list"), "raw_by_keys": reverse(BASELINES["raw_by_keys"][0])}
    paths = {
        (name, offset): f"{path}?limit={LIST_LIMIT}&offset={offset}"
        for name, path in views.items()
        for offset in (0, deep)
    }
    samples: dict[tuple[str, int], list[float]] = {key: [] for key in paths}
    for offset in (0, deep):
        _same_json(
            client.get(paths["api", offset])[0], client.get(paths["raw_by_keys", offset])[0], paths["api", offset]
        )
    deadline = time.perf_counter() + max(3 * bench.seconds, 10)
    deepest = samples["api", deep]
    while len(deepest) < DEPTH_SAMPLES and (len(deepest) < 3 or time.perf_counter() < deadline):
        for key, path in paths.items():
            samples[key].append(round(client.get(path)[1] * 1000, 2))
    medians = {key: round(statistics.median(found), 2) for key, found in samples.items()}
    page = deep // LIST_LIMIT + 1
    depth = f"page {page:,} (offset {deep:,})"
    shortened = (
        ""
        if deep == int(bench.deals * DEPTH_SHARE) // LIST_LIMIT * LIST_LIMIT
        else f", the last: only {bench.public_deals:,} public deals"
    )
    ratios = {name: _ratio(medians[name, deep], medians[name, 0]) for name in views}
    bench.details["page_depth"] = {
        "offsets": [0, deep],
        **{
            name: {
                "samples_ms": {offset: samples[name, offset] for offset in (0, deep)},
                "median_ms": [medians[name, 0], medians[name, deep]],
                "ratio": ratios[name],
            }
            for name in views
        },
    }
    bench.say(
        f"page 1: {medians['api', 0]:.1f} ms, {depth}: {medians['api', deep]:.1f} ms{shortened}; "
        f"keys-first raw {medians['raw_by_keys', 0]:.1f} ms and {medians['raw_by_keys', deep]:.1f} ms"
    )
    unit = f"ms (median of {len(deepest)})"
    bench.rows += [
        Row("deal list page 1 latency", medians["api", 0], unit),
        Row(f"deal list {depth} latency{shortened}", medians["api", deep], unit),
        Row(
            f"{depth} / page 1",
            ratios["api"],
            "×",
            f"≤ {TARGET_DEPTH_RATIO}",
            _at_most(ratios["api"], TARGET_DEPTH_RATIO),
        ),
        Row("keys-first raw page 1 latency", medians["raw_by_keys", 0], unit),
        Row(f"keys-first raw {depth} latency", medians["raw_by_keys", deep], unit),
        Row(f"keys-first raw {depth} / page 1", ratios["raw_by_keys"], "×"),
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


def _median_latency(
    bench: Bench,
    client: InProcess,
    path: str,
    headers: dict[str, str] | None = None,
    *,
    most: int = STATISTICS_SAMPLES,
) -> tuple[list[float], float]:
    """Milliseconds of ``path`` asked with ``headers`` (an analyst's unless given), once to warm
    up and then up to ``most`` times (at least three, within the run's seconds), and their median."""
    headers = bench.analyst_headers if headers is None else headers
    client.get(path, headers)
    samples: list[float] = []
    deadline = time.perf_counter() + max(bench.seconds, 5)
    while len(samples) < most and (len(samples) < 3 or time.perf_counter() < deadline):
        samples.append(round(client.get(path, headers)[1] * 1000, 2))
    return samples, round(statistics.median(samples), 2)


def statistics_in_process(bench: Bench) -> None:
    """Median latency of the deal statistics, asked by an analyst (all deals), in process:
    computed each time (the target), and answered from the cache as a repeated request is."""
    client = InProcess()
    found = {}
    for kept in (False, True):
        with override_settings(STATISTICS_CACHE_SECONDS=settings.STATISTICS_CACHE_SECONDS if kept else 0):
            for group_by in STATISTICS_GROUPS:
                samples, median = _median_latency(bench, client, f"{reverse('stats-deals')}?group_by={group_by}")
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


def statistics_beside_the_summaries(bench: Bench) -> None:
    """Median latency of deal statistics on either side of the kept summaries (on PostgreSQL),
    computed each time: the public's, one edition's, right after a deal's stage changed (so the
    read first adds that change), and a question the summaries do not keep (a filter they do not
    hold), computed from the deals; and the last against the first of the analyst's."""
    client = InProcess()
    found = {}
    edition = Deal.objects.order_by("edition_id").values_list("edition_id", flat=True).first()
    base = f"{reverse('stats-deals')}?group_by={STATISTICS_GROUPS[0]}"
    deals = list(Deal.objects.order_by("?").values_list("pk", "stage")[: STATISTICS_SAMPLES + 1])
    written = iter(deals)

    def change_a_deal() -> None:
        pk, stage = next(written)
        Deal.objects.filter(pk=pk).update(stage="cancelled" if stage != "cancelled" else "intention")

    # (what, path, headers (None: the analyst's), what to do before each request, kept)
    questions: list[tuple[str, str, dict[str, str] | None, Callable[[], None] | None, bool]] = [
        ("the public", base, {}, None, True),
        (
            "an analyst, one edition",
            f"{reverse('stats-deals')}?group_by=delegation&edition={edition}",
            None,
            None,
            True,
        ),
        ("an analyst, after a deal's stage changed", base, None, change_a_deal, True),
        ("an analyst, with a filter the summaries do not keep", f"{base}&has_value=true", None, None, False),
    ]
    with override_settings(STATISTICS_CACHE_SECONDS=0):
        for label, path, headers, before, kept in questions:
            headers = bench.analyst_headers if headers is None else headers
            client.get(path, headers)
            samples: list[float] = []
            deadline = time.perf_counter() + max(bench.seconds, 5)
            while len(samples) < STATISTICS_SAMPLES and (len(samples) < 3 or time.perf_counter() < deadline):
                if before is not None:
                    before()
                samples.append(round(client.get(path, headers)[1] * 1000, 2))
            median = round(statistics.median(samples), 2)
            found[label] = {"path": path, "samples_ms": samples, "median_ms": median}
            bench.say(f"statistics, {label}: {median:.1f} ms")
            name, unit = f"statistics {path.split('?')[1]}, {label}", f"ms (median of {len(samples)}, computed)"
            if kept:
                target = f"≤ {TARGET_STATISTICS_MS} ms at 1M deals"
                bench.rows.append(Row(name, median, unit, target, median <= TARGET_STATISTICS_MS))
            else:
                bench.rows.append(Row(name, median, f"{unit}, from the deals"))
    # Put the deals back as they were.
    for pk, stage in deals:
        Deal.objects.filter(pk=pk).update(stage=stage)
    bench.details["statistics_beside_the_summaries"] = found


def funnel_in_process(bench: Bench) -> None:
    """Median latency of the pipeline funnel per grouping, in process, nothing cached: asked by an
    analyst (all deals, from the funnel's summaries), and by the public (computed from the deals,
    which the summaries do not answer)."""
    client = InProcess()
    found = {}
    with override_settings(STATISTICS_CACHE_SECONDS=0):
        for group_by in FUNNEL_GROUPS:
            path = f"{reverse('stats-funnel')}?group_by={group_by}"
            samples, median = _median_latency(bench, client, path)
            public_samples, public_median = _median_latency(bench, client, path, {}, most=3)
            found[group_by] = {
                "samples_ms": samples,
                "median_ms": median,
                "public_samples_ms": public_samples,
                "public_median_ms": public_median,
            }
            bench.say(f"funnel group_by={group_by}: {median:.1f} ms, the public {public_median:.1f} ms")
            bench.rows += [
                Row(
                    f"funnel group_by={group_by}, an analyst",
                    median,
                    f"ms (median of {len(samples)}, from the summaries)",
                    f"≤ {TARGET_FUNNEL_MS} ms at 1M deals",
                    median <= TARGET_FUNNEL_MS,
                ),
                Row(
                    f"funnel group_by={group_by}, the public",
                    public_median,
                    f"ms (median of {len(public_samples)}, from the deals)",
                ),
            ]
    bench.details["funnel_in_process"] = found


@override_settings(LIST_COUNT_CACHE_SECONDS=0)
def search_in_process(bench: Bench) -> None:
    """Median latency of the first page of a deal search (``SEARCH_TERMS``), in process, asked by
    the public and by an analyst, with its count counted every time (none kept in the cache)."""
    client = InProcess()
    found = {}
    for label, term in SEARCH_TERMS.items():
        path = f"{reverse('deal-list')}?{urllib.parse.urlencode({'search': term})}"
        for caller, headers in (("public", {}), ("analyst", bench.analyst_headers)):
            count = orjson.loads(client.get(path, headers)[0])["count"]
            samples, median = _median_latency(bench, client, path, headers, most=SEARCH_SAMPLES)
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
    """Deal list throughput through gunicorn (2 workers) under wrk, the API against each raw
    view; ``variant`` names a server configured otherwise (e.g. counting every list's rows)."""
    paths = compared_paths(bench)
    api_body = get(server.port, paths["api"][0])[1]
    for name in BASELINES:
        _same_json(api_body, get(server.port, paths[name][0])[1], paths["api"][0])
    combined = _in_turns(bench, server, paths)
    label = f"deal list over HTTP{variant}"
    errors = sum(load["errors"] for load in combined.values())
    ratios, ratio_rows = _ratio_rows(
        label, {name: load["requests_per_second"] for name, load in combined.items()}, errors=errors
    )
    bench.details["deal_list_over_http" + _key(variant)] = {
        "pages": PAGES_DESCRIPTION,
        "workers": server.workers,
        "connections": CONNECTIONS,
        **combined,
        "ratio": ratios["raw"],
        "ratio_by_keys": ratios["raw_by_keys"],
    }
    bench.say(
        f"{label}: " + ", ".join(f"{name} {load['requests_per_second']:.1f} req/s" for name, load in combined.items())
    )
    bench.rows += [
        Row(f"{label}: API", combined["api"]["requests_per_second"], _load_unit(combined["api"])),
        *(
            Row(f"{label}: {baseline}", combined[name]["requests_per_second"], _load_unit(combined[name]))
            for name, (_, baseline) in BASELINES.items()
        ),
        *ratio_rows,
    ]


def cursor_paths(offsets: list[int]) -> list[str]:
    """Requests of the public deal list by cursor, page for page the rows at ``offsets``: each
    the cursor that follows the row before the page (signed as ``next`` would give it)."""
    public = Deal.objects.filter(access.published_condition())  # in the list's default ordering
    terms = ordering_terms(public)
    if terms is None:
        raise Failed("The deal list's default ordering is not one cursor paging follows.")
    paginator = CursorPagination()
    path = f"{reverse('deal-list')}?limit={LIST_LIMIT}&cursor="
    cursors = {0: ""}
    for offset in sorted(set(offsets) - {0}):
        before = public.values_list(*(term.name for term in terms))[offset - 1]
        cursors[offset] = paginator.encode_cursor(terms, Deal, before, backwards=False)
    return [path + cursors[offset] for offset in offsets]


def cursor_pages(bench: Bench) -> tuple[list[str], list[str]]:
    """The public deal list at ``CURSOR_DEPTHS`` depths spread evenly from the first page to the
    last: by limit/offset, and by the cursor that follows the row before each page."""
    last = max(0, bench.public_deals - LIST_LIMIT)
    offsets = sorted({round(last * step / max(1, CURSOR_DEPTHS - 1)) for step in range(CURSOR_DEPTHS)})
    path = reverse("deal-list")
    return [f"{path}?limit={LIST_LIMIT}&offset={offset}" for offset in offsets], cursor_paths(offsets)


def _offset_of(path: str) -> int:
    return int(urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("offset", ["0"])[0])


def _in_turns(bench: Bench, server: Gunicorn, paths: dict[str, list[str]]) -> dict[str, dict]:
    """Each list of requests under wrk after a warm-up, in ``ROUNDS`` alternating rounds."""
    for requests in paths.values():
        wrk(server.port, requests, seconds=WARM_UP_SECONDS, connections=CONNECTIONS)
    loads: dict[str, list[Load]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        for name, requests in paths.items():
            loads[name].append(wrk(server.port, requests, seconds=bench.seconds / ROUNDS, connections=CONNECTIONS))
    return {name: _combined(rounds) for name, rounds in loads.items()}


def _same_rows(server: Gunicorn, pairs: list[tuple[str, str]]) -> None:
    for path, cursor_path in pairs:
        if (
            orjson.loads(get(server.port, path)[1])["results"]
            != orjson.loads(get(server.port, cursor_path)[1])["results"]
        ):
            raise Failed(f"{cursor_path} and {path} answer different rows: their throughputs do not compare.")


def cursor_over_http(bench: Bench, server: Gunicorn) -> None:
    """Deal list throughput through gunicorn under wrk by cursor (nothing counted): against the
    keys-first raw view on the pages the list rows measure, and against limit/offset at pages spread over
    the whole list; page for page the same rows. ``server`` counts every list's rows."""
    raw_paths = compared_paths(bench)["raw_by_keys"]
    near = cursor_paths([_offset_of(path) for path in raw_paths])
    _same_rows(server, sorted(set(zip(raw_paths, near, strict=True)))[:DEPTH_SAMPLES])
    first = _in_turns(bench, server, {"raw_by_keys": raw_paths, "cursor": near})
    by_offset, by_cursor = cursor_pages(bench)
    _same_rows(server, list(zip(by_offset, by_cursor, strict=True)))
    deep = _in_turns(bench, server, {"offset": by_offset, "cursor": by_cursor})
    depths = f"{len(by_offset)} pages of {LIST_LIMIT} spread over all {bench.public_deals:,} public deals"
    raw_ratio = _ratio(first["cursor"]["requests_per_second"], first["raw_by_keys"]["requests_per_second"])
    deep_ratio = _ratio(deep["cursor"]["requests_per_second"], deep["offset"]["requests_per_second"])
    common = {"workers": server.workers, "connections": CONNECTIONS}
    bench.details["deal_list_cursor_over_http"] = {
        "against_raw_by_keys": {"pages": PAGES_DESCRIPTION, **common, **first, "ratio": raw_ratio},
        "whole_list": {"pages": depths, **common, **deep, "ratio": deep_ratio},
    }
    bench.say(
        f"deal list over HTTP by cursor: {first['cursor']['requests_per_second']:.1f} req/s, keys-first raw "
        f"{first['raw_by_keys']['requests_per_second']:.1f} req/s; {depths}: cursor "
        f"{deep['cursor']['requests_per_second']:.1f} req/s, "
        f"limit/offset {deep['offset']['requests_per_second']:.1f} req/s"
    )

    def met(ratio: float | None, loads: dict[str, dict]) -> bool:
        return ratio is not None and ratio >= 1.0 and not sum(load["errors"] for load in loads.values())

    label, whole = "deal list over HTTP by cursor", "deal list over HTTP, pages over the whole list"
    bench.rows += [
        Row(label, first["cursor"]["requests_per_second"], _load_unit(first["cursor"])),
        Row(f"{label}: cursor / keys-first raw (counts not kept)", raw_ratio, "×", "≥ 1.0", met(raw_ratio, first)),
        Row(f"{whole}: limit/offset", deep["offset"]["requests_per_second"], _load_unit(deep["offset"])),
        Row(f"{whole}: cursor", deep["cursor"]["requests_per_second"], _load_unit(deep["cursor"])),
        Row(f"{whole}: cursor / limit/offset", deep_ratio, "×", "≥ 1.0", met(deep_ratio, deep)),
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
    # The API and the keys-first raw view keep list counts in the cache; the raw limit counts every
    # time. Without the cache all three count every time.
    counting = {**bench.server_env, "LIST_COUNT_CACHE_SECONDS": "0"}
    with Gunicorn(workers=2, env=counting, ready_path=f"{reverse('raw-deal-list')}?limit=1") as server:
        bench.say(f"gunicorn with 2 workers on port {server.port}, counting every list's rows")
        list_over_http(bench, server, variant=", counts not kept")
        cursor_over_http(bench, server)


def _stream(port: int, path: str, headers: dict[str, str], *, seconds: float, wait: float = 60) -> dict:
    """Read the answer to ``GET path`` as it streams, for at most ``seconds``, waiting at most
    ``wait`` seconds for any one piece: lines, bytes, time taken and whether it was read to its end."""
    connection = http.client.HTTPConnection(HOST, port, timeout=wait)
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


def _read_export(
    bench: Bench, url_name: str, kind: str, *, expected: int, bound: float, wait: float = 60
) -> tuple[dict, dict[str, int], dict[str, int]]:
    """The export at ``url_name`` of every deal, read by an analyst for at most ``bound`` seconds
    through gunicorn with one worker (warmed up by a small export first): what ``_stream`` found,
    and the worker's memory before and after."""
    path = reverse(url_name)
    sample = Deal.objects.order_by("id").values_list("buyer_id", flat=True).first()
    small = f"{path}?buyer={sample}"
    with Gunicorn(workers=1, env=bench.server_env, timeout=int(bound) + 60, ready_path=small) as server:
        (worker,) = server.worker_pids()
        get(server.port, small, headers=bench.analyst_headers)
        before = memory_kib(worker)
        bench.say(f"gunicorn with 1 worker on port {server.port}: reading the {kind} export of {expected:,} deals")
        read = _stream(server.port, path, bench.analyst_headers, seconds=bound, wait=wait)
        after = memory_kib(worker)
    return read, before, after


def csv_export(bench: Bench) -> None:
    """Rows per second and the serving worker's peak memory for the CSV export of every deal,
    through gunicorn with one worker, read by an analyst."""
    expected = Deal.objects.count()
    bound = max(CSV_MIN_SECONDS, expected / CSV_ROWS_PER_SECOND_BOUND)
    read, before, after = _read_export(bench, "deal-export-csv", "CSV", expected=expected, bound=bound)
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


def _bulk_items(count: int) -> list[dict]:
    """``count`` new deals as a bulk write takes them, each with a market and a line item, made
    of the demo data's records: every currency of its table-valued deals in turn, at a date the
    rate table covers, between enterprises drawn in turn."""
    templates = []
    for currency in Deal.objects.order_by().values_list("currency", flat=True).distinct():
        deal = (
            Deal.objects.filter(currency=currency, stated_value_usd__isnull=True, signed_on__isnull=False)
            .order_by("id")
            .values("delegation_id", "edition_id", "signed_on")
            .first()
        )
        if currency and deal is not None:
            templates.append((currency, deal))
    enterprises = list(Enterprise.objects.order_by("id").values_list("id", flat=True)[:BULK_ENTERPRISES])
    market = Market.objects.order_by("id").values_list("id", flat=True).first()
    category = Category.objects.order_by("id").values_list("id", flat=True).first()
    if not templates or len(enterprises) < 2 or market is None or category is None:
        raise Failed("The database lacks the deals, enterprises, markets or categories to make bulk items of.")
    items = []
    for n in range(count):
        currency, deal = templates[n % len(templates)]
        items.append(
            {
                "title": f"Benchmark bulk deal {n}",
                "buyer": enterprises[n % len(enterprises)],
                "seller": enterprises[(n + 1) % len(enterprises)],
                "delegation": deal["delegation_id"],
                "edition": deal["edition_id"],
                "signed_on": str(deal["signed_on"]),
                "value": {"amount": f"{1000 + n}.00", "currency": currency},
                "markets": [market],
                "line_items": [{"product": "Silicone sealant", "category": category, "hs_code": "391000"}],
            }
        )
    return items


def _bulk_create(view: Callable, user: AbstractBaseUser, items: list[dict]) -> tuple[float, int]:
    """Seconds and queries the bulk create of ``items`` took, written by ``user`` and rolled back."""
    request = APIRequestFactory().post(reverse("deal-bulk"), {"items": items}, format="json")
    force_authenticate(request, user)
    queries = 0

    # Counted as they run: the query log keeps only the last 9,000.
    def count(execute: Callable, sql: str, params: object, many: bool, context: dict) -> object:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(count):
        started = time.perf_counter()
        response = view(request)
        response.render()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    if response.status_code != 200:
        raise Failed(f"The bulk create answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, queries


def bulk_writes(bench: Bench) -> None:
    """Milliseconds per deal of a bulk create of 1,000 deals (each with a market and a line item,
    in several currencies) by a delegation editor, through the view with the request's
    transaction; every write is rolled back, so the database keeps exactly its demo data."""
    items = _bulk_items(BULK_ITEMS)
    view = DealViewSet.as_view({"post": "bulk"})
    with transaction.atomic():
        delegations = Delegation.objects.filter(pk__in={item["delegation"] for item in items})
        user = editor_create(username="benchmark-bulk-editor", delegations=delegations)
        # A small write first: what the first request of a process loads is not the bulk write's.
        _bulk_create(view, user, items[:10])
        samples = [_bulk_create(view, user, items) for _ in range(BULK_ROUNDS)]
        transaction.set_rollback(True)
    elapsed, queries = min(samples)
    per_deal = round(elapsed * 1000 / len(items), 2)
    bench.details["bulk_writes"] = {
        "items": len(items),
        "seconds": [round(seconds, 3) for seconds, _ in samples],
        "queries": [count for _, count in samples],
        "ms_per_deal": per_deal,
    }
    bench.say(f"bulk create of {len(items):,} deals: {elapsed:.2f} s, {queries:,} queries")
    bench.rows += [
        Row(
            f"bulk create of {len(items):,} deals",
            per_deal,
            f"ms per deal (best of {BULK_ROUNDS}; {queries:,} queries)",
            f"≤ {TARGET_BULK_MS_PER_DEAL} ms",
            per_deal <= TARGET_BULK_MS_PER_DEAL,
        ),
    ]


def xlsx_export(bench: Bench) -> None:
    """Rows per second and the serving worker's peak memory for the XLSX export of every deal, beside
    the CSV's (no target: the workbook is built before it is sent), through gunicorn with one
    worker, read by an analyst."""
    expected = Deal.objects.count()
    bound = max(CSV_MIN_SECONDS, expected / XLSX_ROWS_PER_SECOND_BOUND)
    # The workbook is built before its first byte is sent.
    read, before, after = _read_export(bench, "deal-export-xlsx", "XLSX", expected=expected, bound=bound, wait=bound)
    # A workbook is a zip: its rows are not counted here, only whether it arrived whole.
    rate = round(expected / read["seconds"], 1) if read["complete"] and read["seconds"] else 0.0
    peak = round(after["VmHWM"] / 1024, 1)
    bench.details["xlsx_export"] = {
        **read,
        "expected_rows": expected,
        "rows_per_second": rate,
        "worker_rss_before_mib": round(before["VmRSS"] / 1024, 1),
        "worker_peak_mib": peak,
        "bound_seconds": bound,
    }
    bench.say(f"XLSX: {expected:,} rows in {read['seconds']:.1f} s, worker peak {peak:.0f} MiB")
    missing = "" if read["complete"] else f", cut off after {read['seconds']:.0f} s"
    bench.rows += [
        Row(
            f"XLSX export, {expected:,} rows",
            rate,
            f"rows/s ({read['bytes'] / 1e6:,.0f} MB in {read['seconds']:.1f} s{missing})",
        ),
        Row(
            "XLSX export: worker peak memory",
            peak,
            f"MiB (VmHWM; {before['VmRSS'] / 1024:.0f} MiB before the export)",
        ),
    ]


MEASUREMENTS: list[tuple[str, Callable[[Bench], None]]] = [
    ("deal list in process", list_in_process),
    ("page depth", page_depth),
    ("queries per request", queries_per_request),
    ("statistics", statistics_in_process),
    ("statistics beside the summaries", statistics_beside_the_summaries),
    ("funnel", funnel_in_process),
    ("search", search_in_process),
    ("over HTTP", http_throughput),
    ("CSV export", csv_export),
    ("bulk writes", bulk_writes),
    ("XLSX export", xlsx_export),
]
