"""The load generator's script and output: wrk sends each request with its headers, counts the
answers by status class when asked, and the harness reads its figures back exactly."""

import http.server
import threading

import pytest

from benchmarks.servers import HOST, Load, parse_wrk_output, wrk, wrk_path, wrk_script


def test_the_wrk_script_sends_each_request_with_the_common_and_its_own_headers():
    script = wrk_script(
        ["/api/health/", ('/api/deals/?search="x"', {"Authorization": "Token t"})], headers={"Accept": "*/*"}
    )
    assert (
        'local entries = {{"/api/health/", {["Accept"] = "*/*"}}, '
        '{"/api/deals/?search=\\"x\\"", {["Accept"] = "*/*", ["Authorization"] = "Token t"}}}'
    ) in script
    assert "function response" not in script


def test_the_wrk_script_counts_statuses_only_when_asked():
    assert "function response(status, headers, body)" in wrk_script(["/"], count_statuses=True)
    assert "BENCHMARK-STATUSES" in wrk_script(["/"], count_statuses=True)
    assert "counting = true" not in wrk_script(["/"])


WRK_OUTPUT = """Running 30s test @ http://127.0.0.1:8000/
  1 threads and 64 connections
BENCHMARK-RESULT requests=1200 duration_us=30000000 connect=1 read=2 write=3 timeout=4 status=7 p50_us=12345 \
p90_us=23456 p99_us=34567 max_us=45678
BENCHMARK-STATUSES 1xx=0 2xx=1190 3xx=3 4xx=5 5xx=2
"""


def test_the_figures_are_read_from_wrk_output():
    load = parse_wrk_output(WRK_OUTPUT)
    assert load == Load(
        requests=1200,
        seconds=30.0,
        requests_per_second=40.0,
        p50_ms=12.35,
        p90_ms=23.46,
        p99_ms=34.57,
        max_ms=45.68,
        connect_errors=1,
        read_errors=2,
        write_errors=3,
        timeouts=4,
        status_errors=7,
        statuses={"1xx": 0, "2xx": 1190, "3xx": 3, "4xx": 5, "5xx": 2},
    )
    assert (load.socket_errors, load.errors, load.non_2xx) == (10, 17, 10)


def test_without_status_counts_non_2xx_is_unknown():
    load = parse_wrk_output(WRK_OUTPUT.replace("BENCHMARK-STATUSES", "something else"))
    assert load.statuses is None
    assert load.non_2xx is None
    assert load.as_dict()["errors"] == 17


def test_output_without_figures_is_refused():
    with pytest.raises(ValueError, match="no BENCHMARK-RESULT line"):
        parse_wrk_output("Running 30s test @ http://127.0.0.1:8000/\nunable to connect\n")


class Answering(http.server.BaseHTTPRequestHandler):
    """200 for /ok, 404 for anything else; notes the paths it was sent X-Soak on."""

    seen: list[str] = []

    def do_GET(self):
        if self.headers.get("X-Soak"):
            self.seen.append(self.path)
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_wrk_runs_the_script_and_counts_every_answer_by_class():
    if wrk_path() is None:
        pytest.skip("needs wrk")
    Answering.seen.clear()
    server = http.server.ThreadingHTTPServer((HOST, 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        load = wrk(
            server.server_address[1],
            ["/ok", ("/missing", {"X-Soak": "1"})],
            seconds=1,
            connections=1,
            timeout=5,
            count_statuses=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    statuses = load.statuses
    assert statuses["2xx"] + statuses["4xx"] == load.requests > 10
    assert abs(statuses["2xx"] - statuses["4xx"]) <= 1
    assert (statuses["1xx"], statuses["3xx"], statuses["5xx"]) == (0, 0, 0)
    assert load.non_2xx == load.status_errors == statuses["4xx"]
    assert load.socket_errors == 0
    assert set(Answering.seen) == {"/missing"}
