"""The logic of the load and fault runs (``make soak``, not run here): the mix of reads, how the
answers of the idempotent creates and of the database restart are judged, and what is taken from
a server's log."""

import json
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from benchmarks.idempotent_creates import Answer, answer_of, pause, prepare, summarize
from benchmarks.mixed_reads import Catalogue, MixedRequest, mixed_requests, shares
from benchmarks.restart import Observation, Timeline, judge
from benchmarks.servers import Load, ShapeLoad
from benchmarks.soak import (
    log_records,
    logged_errors,
    logged_failures,
    server_times,
    shape_figures,
    shape_of,
    shape_rows,
)
from framework import access
from framework.models import ApiToken
from tests.factories import (
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    analyst,
)

# --- the mix of reads -------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db) -> Catalogue:
    parent = DelegationFactory()
    delegation = DelegationFactory(parent=parent)
    edition = EditionFactory()
    buyer, seller = EnterpriseFactory(country="CN"), EnterpriseFactory(country="DE")
    for stage in ("intention", "signed", "executed"):
        deal = DealFactory(
            title="Silicone sealant procurement",
            buyer=buyer,
            seller=seller,
            delegation=delegation,
            edition=edition,
            stage=stage,
            signed_on=None if stage == "intention" else edition.start_date,
        )
        DealLineItemFactory(deal=deal)
    DealFactory(is_published=False, edition=edition)
    return Catalogue.read()


def test_the_catalogue_names_only_what_the_public_sees(catalogue):
    assert catalogue.public_deals == 3
    assert len(catalogue.deal_ids) == 3
    assert len(catalogue.enterprise_ids) == 1


def test_every_shape_of_request_in_the_mix_answers_200(catalogue):
    public = APIClient()
    analysts = APIClient()
    analysts.force_authenticate(analyst())
    requests = mixed_requests(catalogue, count=500)
    shapes = {}
    for each in requests:
        shapes.setdefault(shape_of(each.path), each)

    refused = {
        each.path: response.status_code
        for each in shapes.values()
        if (response := (analysts if each.as_analyst else public).get(each.path)).status_code != 200
    }

    assert refused == {}
    assert len(shapes) >= 20


def test_the_mix_holds_every_kind_and_is_the_same_for_the_same_seed(catalogue):
    requests = mixed_requests(catalogue, count=500)
    assert set(shares(requests)) == {
        "deal list",
        "deal detail",
        "enterprise list",
        "statistics",
        "OCDS release package",
        "OCDS release",
        "CSV export",
        "health",
    }
    assert sum(shares(requests).values()) == 500
    assert requests == mixed_requests(catalogue, count=500)
    assert requests != mixed_requests(catalogue, count=500, seed=1)


SHAPES = {
    "deal list": {
        "deal list, a page",
        "deal list, signed or executed by value",
        "deal list, by countries",
        "deal list, a delegation's since 2019",
        "deal list, over a value, three fields",
        "deal list, an edition's intentions by title",
        "deal search",
        "deal list, expanded",
    },
    "deal detail": {"deal detail"},
    "enterprise list": {"enterprise list, a page", "enterprise list, by countries"},
    "statistics": {
        "statistics by delegation and edition",
        "statistics by seller country, signed",
        "statistics by month, an edition",
    },
    "OCDS release package": {"OCDS release package, a page", "OCDS release package, an edition"},
    "OCDS release": {"OCDS release"},
    "CSV export": {"CSV export, a buyer's"},
    "health": {"health"},
}


def test_every_request_of_the_mix_has_a_shape_of_its_kind(catalogue):
    requests = mixed_requests(catalogue, count=500)

    assert {each.shape for each in requests} == set().union(*SHAPES.values())
    assert all(each.shape in SHAPES[each.kind] for each in requests)
    assert sum(shares(requests, by="shape").values()) == 500
    searched = {parse_qs(urlsplit(each.path).query)["search"][0] for each in requests if each.shape == "deal search"}
    assert searched == {"sealant", "robot", "vaccine", "memory chip"}


def test_the_server_time_of_each_shape_is_read_from_the_log_of_the_requests_wrk_timed():
    def logged(path: str, query: str, duration: float, request_id: str = "wrk-1") -> dict:
        return {
            "logger": "expo.request",
            "path": path,
            "query": query,
            "duration_ms": duration,
            "request_id": request_id,
        }

    records = [
        logged("/api/deals/", "limit=50&offset=0", 10.0),
        logged("/api/deals/", "limit=50&offset=0", 30.0),
        logged("/api/deals/", "search=robot&limit=20", 200.0),
        logged("/api/health/", "", 1.0),
        # Before the load, with an id of its own; a path not in the mix; another logger.
        logged("/api/deals/", "search=robot&limit=20", 5.0, request_id="3f2a"),
        logged("/admin/", "", 7.0),
        {"logger": "gunicorn.error", "message": "Booting worker"},
    ]
    shape_of_path = {
        "/api/deals/?limit=50&offset=0": "deal list, a page",
        "/api/deals/?search=robot&limit=20": "deal search",
        "/api/health/": "health",
    }
    assert server_times(records, shape_of_path) == {
        "deal list, a page": {"requests": 2, "p50_ms": 10.0, "p99_ms": 30.0},
        "deal search": {"requests": 1, "p50_ms": 200.0, "p99_ms": 200.0},
        "health": {"requests": 1, "p50_ms": 1.0, "p99_ms": 1.0},
    }


def test_each_shape_is_a_row_with_its_throughput_and_latency(catalogue):
    requests = [
        MixedRequest("deal list", "/api/deals/?search=robot", shape="deal search"),
        MixedRequest("deal list", "/api/deals/?search=vaccine", shape="deal search"),
        MixedRequest("health", "/api/health/"),
        MixedRequest("CSV export", "/api/deals/export.csv?buyer=1", as_analyst=True, shape="CSV export, a buyer's"),
    ]
    search = ShapeLoad(
        requests=120, requests_per_second=4.0, p50_ms=1250.4, p90_ms=1800.0, p99_ms=2400.6, max_ms=2500.0, non_2xx=2
    )
    health = ShapeLoad(
        requests=600, requests_per_second=20.0, p50_ms=12.0, p90_ms=30.0, p99_ms=45.0, max_ms=50.0, non_2xx=0
    )
    load = Load(
        requests=720,
        seconds=30.0,
        requests_per_second=24.0,
        p50_ms=20.0,
        p90_ms=1500.0,
        p99_ms=2300.0,
        max_ms=2500.0,
        shapes={"deal search": search, "health": health},
        untimed=0,
    )
    server = {"deal search": {"requests": 120, "p50_ms": 310.2, "p99_ms": 650.0}}

    by_shape = shape_figures(load, server, requests)

    assert by_shape == {
        "deal search": {
            "share": 2,
            "wrk": {
                "requests": 120,
                "requests_per_second": 4.0,
                "p50_ms": 1250.4,
                "p90_ms": 1800.0,
                "p99_ms": 2400.6,
                "max_ms": 2500.0,
                "non_2xx": 2,
            },
            "server": {"requests": 120, "p50_ms": 310.2, "p99_ms": 650.0},
        },
        "CSV export, a buyer's": {"share": 1, "wrk": None, "server": None},
        "health": {
            "share": 1,
            "wrk": {
                "requests": 600,
                "requests_per_second": 20.0,
                "p50_ms": 12.0,
                "p90_ms": 30.0,
                "p99_ms": 45.0,
                "max_ms": 50.0,
                "non_2xx": 0,
            },
            "server": None,
        },
    }
    # The most asked kind first, then the others by name.
    assert [(row.name, row.value, row.unit) for row in shape_rows(by_shape)] == [
        (
            "mixed reads: deal search",
            4.0,
            "req/s (p50 1250 ms, p99 2401 ms; server p50 310 ms, p99 650 ms; 120 answers, 2 not 2xx)",
        ),
        ("mixed reads: CSV export, a buyer's", None, "never answered (1 of the mix)"),
        ("mixed reads: health", 20.0, "req/s (p50 12 ms, p99 45 ms; 600 answers)"),
    ]


# --- idempotent creates ---------------------------------------------------------------------------


def headers(**values: str) -> Message:
    message = Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


def test_an_answer_is_read_from_its_status_headers_and_body():
    created = answer_of("k", "retry", 1, 201, headers(Idempotent_Replayed="true"), b'{"id": 7, "title": "t"}')
    busy = answer_of("k", "duplicate", 2, 409, headers(), json.dumps({"errors": [{"code": "in_progress"}]}).encode())
    down = answer_of("k", "retry", 1, 503, headers(Retry_After="5"), b"<html>not json</html>")

    assert created == Answer("k", "retry", 1, 201, deal_id=7, replayed=True)
    assert busy == Answer("k", "duplicate", 2, 409, code="in_progress")
    assert down == Answer("k", "retry", 1, 503)
    assert (created.retried, busy.retried, down.retried) == (False, True, True)


@pytest.mark.parametrize(
    ("answer", "retried"),
    [
        (Answer("k", "duplicate", 1, None, error="ConnectionResetError"), True),
        (Answer("k", "duplicate", 1, 409, code="idempotency_key_reused"), False),
        (Answer("k", "retry", 1, 400, code="invalid"), False),
        (Answer("k", "retry", 1, 502), True),
        # A dropped request is never read, so never sent again as such: the retry is its own.
        (Answer("k", "dropped", 1, None), False),
    ],
)
def test_what_is_sent_again(answer, retried):
    assert answer.retried is retried


def test_pauses_double_up_to_a_bound():
    assert [pause(send) for send in (1, 2, 3, 4, 5, 6, 7)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0]


def test_a_run_with_one_row_and_one_deal_per_key_breaks_no_rule():
    answers = [
        Answer("a", "dropped", 1, None),
        Answer("a", "duplicate", 1, 201, deal_id=7),
        Answer("a", "retry", 1, 201, deal_id=7, replayed=True),
        Answer("b", "dropped", 1, None),
        Answer("b", "duplicate", 1, 503),
        Answer("b", "duplicate", 2, 201, deal_id=8, replayed=True),
        Answer("b", "retry", 1, 201, deal_id=8, replayed=True),
    ]
    assert summarize(["a", "b"], answers, {"a": [7], "b": [8]}) == {
        "keys": 2,
        "requests": 7,
        "dropped": 2,
        "duplicates": 2,
        "retries_after_drop": 2,
        "retries_on_failure": 1,
        "replayed": 3,
        "statuses": {"201": 4, "503": 1, "dropped": 2},
        "server_errors": 1,
        "rows_per_key": {"min": 1, "max": 1},
        "keys_without_one_row": [],
        "keys_answered_with_another_deal": [],
        "keys_never_answered": [],
    }


def test_duplicate_rows_other_deals_and_unanswered_keys_are_named():
    answers = [
        Answer("a", "duplicate", 1, 201, deal_id=7),
        Answer("a", "retry", 1, 201, deal_id=9),
        Answer("b", "retry", 1, None, error="TimeoutError"),
        Answer("c", "retry", 1, 201, deal_id=5),
    ]
    summary = summarize(["a", "b", "c"], answers, {"a": [7, 9], "b": [], "c": [6]})
    assert summary["rows_per_key"] == {"min": 0, "max": 2}
    assert summary["keys_without_one_row"] == ["a", "b"]
    assert summary["keys_answered_with_another_deal"] == ["a", "c"]
    assert summary["keys_never_answered"] == ["b"]
    assert summary["statuses"] == {"201": 3, "TimeoutError": 1}


# --- the database restart -------------------------------------------------------------------------

TIMELINE = Timeline(stop_asked=10.0, down=10.2, start_asked=15.2, up=15.4)
HEALTH, DEALS = "/api/health/", "/api/deals/"


def ok(path: str, sent: float) -> Observation:
    return Observation(path, sent, sent + 0.05, 200)


def unavailable(path: str, sent: float, *, retry_after: str | None = "5") -> Observation:
    if path == HEALTH:
        return Observation(path, sent, sent + 0.01, 503, code="database unavailable", health=True)
    return Observation(path, sent, sent + 0.01, 503, retry_after=retry_after, code="database_unavailable")


def test_a_restart_answered_as_it_should_be_passes_every_check():
    observations = [
        ok(HEALTH, 9.0),
        ok(DEALS, 9.1),
        # Sent while the server was stopping: either answer will do.
        ok(DEALS, 10.1),
        unavailable(HEALTH, 10.3),
        unavailable(DEALS, 11.0),
        unavailable(HEALTH, 15.0),
        # Sent while it was starting.
        unavailable(DEALS, 15.3),
        unavailable(HEALTH, 15.41),
        ok(HEALTH, 15.45),
        ok(DEALS, 15.5),
        ok(DEALS, 16.0),
    ]
    verdict = judge(observations, TIMELINE, recovery_bound=10)
    assert verdict["checks"] == {
        "all 200 before the stop": True,
        "only 503 while down": True,
        "every 503 says why": True,
        "no other status, failed connection or timeout": True,
        "200 again within 10 s": True,
        "only 200 once recovered": True,
    }
    assert verdict["while_down"] == {"503": 3}
    assert verdict["said_while_down"] == {"/api/health/ database unavailable": 2, "/api/deals/ database_unavailable": 1}
    assert verdict["retry_after_while_down"] == {"none": 2, "5": 1}
    assert verdict["recovery_seconds"] == {DEALS: 0.15, HEALTH: 0.1}
    assert verdict["slowest_recovery_seconds"] == 0.15
    assert (verdict["outage_seconds"], verdict["stop_seconds"], verdict["start_seconds"]) == (5.0, 0.2, 0.2)
    assert verdict["outcomes"] == {"200": 6, "503": 5}


def test_a_500_a_broken_connection_a_503_without_retry_after_or_a_relapse_fail_their_checks():
    observations = [
        ok(HEALTH, 9.0),
        Observation(DEALS, 10.5, 10.6, 500),
        Observation(HEALTH, 11.0, 11.0, None, error="ConnectionResetError"),
        unavailable(DEALS, 12.0, retry_after=None),
        ok(HEALTH, 15.5),
        ok(DEALS, 15.6),
        unavailable(DEALS, 16.0),
    ]
    verdict = judge(observations, TIMELINE, recovery_bound=10)
    assert verdict["checks"] == {
        "all 200 before the stop": True,
        "only 503 while down": False,
        "every 503 says why": False,
        "no other status, failed connection or timeout": False,
        "200 again within 10 s": True,
        "only 200 once recovered": False,
    }
    assert verdict["while_down"] == {"500": 1, "ConnectionResetError": 1, "503": 1}
    assert [each["status"] for each in verdict["unexpected"]] == [500, None]
    assert [each["sent"] for each in verdict["relapses"]] == [16.0]


def test_a_path_that_never_answers_200_again_has_not_recovered():
    observations = [
        ok(HEALTH, 9.0),
        ok(DEALS, 9.0),
        unavailable(DEALS, 11.0),
        ok(HEALTH, 16.0),
        unavailable(DEALS, 16.0),
    ]
    verdict = judge(observations, TIMELINE, recovery_bound=10)
    assert verdict["recovery_seconds"] == {DEALS: None, HEALTH: 0.65}
    assert verdict["slowest_recovery_seconds"] is None
    assert verdict["checks"]["200 again within 10 s"] is False


def test_recovery_slower_than_the_bound_fails():
    observations = [ok(HEALTH, 9.0), unavailable(HEALTH, 11.0), unavailable(HEALTH, 16.0), ok(HEALTH, 27.0)]
    verdict = judge(observations, TIMELINE, recovery_bound=10)
    assert verdict["recovery_seconds"] == {HEALTH: 11.65}
    assert verdict["checks"]["200 again within 10 s"] is False


# --- the server's log -----------------------------------------------------------------------------

RECORDS = [
    {"level": "INFO", "logger": "gunicorn.error", "message": "Booting worker with pid: 12"},
    {
        "level": "ERROR",
        "logger": "expo.request",
        "message": "GET /api/deals/ 503 1.0ms",
        "method": "GET",
        "path": "/api/deals/",
        "status": 503,
    },
    {
        "level": "ERROR",
        "logger": "expo.request",
        "message": "POST /api/deals/ 500 9.0ms",
        "method": "POST",
        "path": "/api/deals/",
        "status": 500,
    },
    {"level": "CRITICAL", "logger": "gunicorn.error", "message": "WORKER TIMEOUT (pid:13)"},
    {"level": "ERROR", "logger": "django.request", "message": "Service Unavailable: /api/health/\nmore"},
]
# Python's own warnings are printed as plain text among the JSON lines.
LOG = "\n".join(["base.py:61: UserWarning: No directory at: /srv/static/", *map(json.dumps, RECORDS)])


def test_the_log_is_read_as_json_records():
    records = log_records(LOG)
    assert records == RECORDS
    assert logged_errors(records) == [
        "expo.request: GET /api/deals/ 503 1.0ms",
        "expo.request: POST /api/deals/ 500 9.0ms",
        "gunicorn.error: WORKER TIMEOUT (pid:13)",
        "django.request: Service Unavailable: /api/health/",
    ]


def test_failures_are_what_is_not_explained_by_the_database_being_down():
    assert logged_failures(log_records(LOG)) == ["POST /api/deals/ 500", "gunicorn: WORKER TIMEOUT (pid:13)"]


def test_requests_of_one_shape_differ_only_by_numbers():
    assert shape_of("/api/deals/123/ocds/?limit=20&offset=40") == "/api/deals/N/ocds/?limit=N&offset=N"


@pytest.mark.django_db
def test_the_writers_are_an_editor_of_the_first_deals_delegation_with_a_token_each():
    first = DealFactory()
    DealFactory()

    writers = prepare(clients=3, run="r1")

    assert len(set(writers.tokens)) == 3
    for token in writers.tokens:
        client = APIClient(headers={"Authorization": f"Token {token}"})
        response = client.get(reverse("token-list"))
        assert response.status_code == 200
        assert {row["client"] for row in response.json()["results"]} == {
            "soak client 0",
            "soak client 1",
            "soak client 2",
        }
    user = ApiToken.objects.get(client="soak client 0").user
    assert (user.username, access.access_of(user).editable_delegation_ids) == (
        "soak-editor-r1",
        frozenset({first.delegation_id}),
    )
    assert writers.body == {
        "buyer": first.buyer_id,
        "seller": first.seller_id,
        "delegation": first.delegation_id,
        "edition": first.edition_id,
        "value": {"amount": "1000.00", "currency": "USD"},
    }
