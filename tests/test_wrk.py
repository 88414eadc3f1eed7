"""The load generator's script and output: wrk sends each request with its headers, counts the
answers by status class and times them by shape when asked, and the harness reads its figures
back exactly."""

import http.server
import threading

import pytest

from benchmarks.servers import (
    HOST,
    Load,
    ShapeLoad,
    parse_wrk_output,
    shape_loads,
    shape_numbers,
    wrk,
    wrk_path,
    wrk_script,
)


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


def test_the_wrk_script_times_answers_only_when_shapes_are_given():
    script = wrk_script(["/a", ("/b", {"X-Soak": "1"})], shapes=[1, 2])
    assert 'local entries = {{"/a", {}, 1}, {"/b", {["X-Soak"] = "1"}, 2}}' in script
    assert '"X-Request-ID: " .. id' in script
    assert "timing = true" in script
    assert "timing = true" not in wrk_script(["/a"])


def test_shapes_are_numbered_from_one_in_their_first_order():
    assert shape_numbers(["list", "detail", "list", "search"]) == (["list", "detail", "search"], [1, 2, 1, 3])


def test_each_shape_has_its_rate_nearest_rank_percentiles_and_failures():
    answers = [(1, 200, micros * 1000.0) for micros in range(1, 101)] + [(2, 200, 5000.0), (2, 503, 1000.0)]

    found = shape_loads(answers, ["list", "detail", "never answered"], seconds=10)

    assert found == {
        "list": ShapeLoad(
            requests=100, requests_per_second=10.0, p50_ms=50.0, p90_ms=90.0, p99_ms=99.0, max_ms=100.0, non_2xx=0
        ),
        "detail": ShapeLoad(
            requests=2, requests_per_second=0.2, p50_ms=1.0, p90_ms=5.0, p99_ms=5.0, max_ms=5.0, non_2xx=1
        ),
    }


def test_the_figures_of_each_shape_are_read_from_wrk_output():
    output = (
        WRK_OUTPUT
        + "BENCHMARK-ANSWER shape=1 status=200 us=1500\n"
        + "BENCHMARK-ANSWER shape=2 status=404 us=250\n"
        + "BENCHMARK-ANSWER shape=1 status=200 us=2500\n"
        + "BENCHMARK-UNTIMED answers=3\n"
    )
    load = parse_wrk_output(output, shapes=["list", "detail"])
    assert load.untimed == 3
    assert load.shapes == {
        "list": ShapeLoad(
            requests=2, requests_per_second=0.07, p50_ms=1.5, p90_ms=2.5, p99_ms=2.5, max_ms=2.5, non_2xx=0
        ),
        "detail": ShapeLoad(
            requests=1, requests_per_second=0.03, p50_ms=0.25, p90_ms=0.25, p99_ms=0.25, max_ms=0.25, non_2xx=1
        ),
    }
    assert (parse_wrk_output(WRK_OUTPUT).shapes, parse_wrk_output(WRK_OUTPUT).untimed) == (None, None)
    with pytest.raises(ValueError, match="no BENCHMARK-UNTIMED line"):
        parse_wrk_output(WRK_OUTPUT, shapes=["list"])


class Answering(http.server.BaseHTTPRequestHandler):
    """200 for /ok, 404 for anything else; notes the paths it was sent X-Soak on. It returns the
    X-Request-ID it was sent, as the site does, except on /anonymous."""

    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_GET(self):
        if self.headers.get("X-Soak"):
            self.seen.append(self.path)
        self.send_response(200 if self.path in ("/ok", "/anonymous") else 404)
        if self.headers.get("X-Request-ID") and self.path != "/anonymous":
            self.send_header("X-Request-ID", self.headers["X-Request-ID"])
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


def test_wrk_times_each_shape_by_the_id_the_server_returns():
    if wrk_path() is None:
        pytest.skip("needs wrk")
    server = http.server.ThreadingHTTPServer((HOST, 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        load = wrk(
            server.server_address[1],
            ["/ok", "/ok", "/missing", "/anonymous"],
            shapes=["found", "found", "missing", "anonymous"],
            seconds=1,
            connections=1,
            timeout=5,
        )
    finally:
        server.shutdown()
        server.server_close()
    shapes = load.shapes
    assert set(shapes) == {"found", "missing"}
    # One connection sends the four in turn: every fourth answer has no id to be timed by.
    assert shapes["found"].requests + shapes["missing"].requests + load.untimed == load.requests > 10
    assert abs(shapes["found"].requests - 2 * shapes["missing"].requests) <= 2
    assert abs(load.untimed - shapes["missing"].requests) <= 1
    assert (shapes["found"].non_2xx, shapes["missing"].non_2xx) == (0, shapes["missing"].requests)
