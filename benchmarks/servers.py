"""The measured servers and the load generator: gunicorn on a free loopback port, started in a
process group of its own and always stopped with it, and wrk runs of a bounded duration."""

import contextlib
import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
# How the X-Request-ID of every request wrk times by shape begins (a sequence number follows).
REQUEST_ID_PREFIX = "wrk-"
STOP_SECONDS = 10
WRK_INSTALL_HINT = "wrk, the HTTP load generator, is not installed: on Debian or Ubuntu, `sudo apt-get install wrk`."


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """``method path`` on the local server, on a connection of its own: the status, the headers
    and the whole body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(port: int, path: str, *, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """``GET path`` on the local server: the status and the whole body."""
    status, _, body = request(port, "GET", path, headers=headers, timeout=timeout)
    return status, body


def memory_kib(pid: int) -> dict[str, int]:
    """The resident set size of process ``pid`` now (``VmRSS``) and at its peak (``VmHWM``), in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


class Gunicorn:
    """``with Gunicorn(workers=2, env=...) as server:`` serves the site with ``env``'s settings
    on ``server.port`` until the block ends, however it ends: the master and its workers run in
    a process group of their own, which is terminated (killed if it lingers) on the way out."""

    def __init__(
        self,
        *,
        workers: int,
        env: dict[str, str],
        timeout: int = 120,
        ready_path: str = "/",
        config: str | None = None,
    ) -> None:
        self.workers = workers
        self.env = env
        self.timeout = timeout
        self.ready_path = ready_path
        # A gunicorn configuration (e.g. ``python:config.gunicorn_conf``, what ``make serve`` runs),
        # given the port, the workers and the timeout through the environment it reads them from.
        self.config = config
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()

    def __enter__(self) -> "Gunicorn":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        env = self.env
        if self.config is not None:
            command = [sys.executable, "-m", "gunicorn", f"--config={self.config}", "config.wsgi"]
            env = {
                **env,
                "HOST": HOST,
                "PORT": str(self.port),
                "WEB_CONCURRENCY": str(self.workers),
                "GUNICORN_TIMEOUT": str(self.timeout),
            }
        else:
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind={HOST}:{self.port}",
                f"--workers={self.workers}",
                "--worker-class=sync",
                f"--timeout={self.timeout}",
                f"--graceful-timeout={STOP_SECONDS // 2}",
                "--log-level=warning",
                "--error-logfile=-",
            ]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    status, _ = get(self.port, self.ready_path, timeout=STARTUP_SECONDS)
                except OSError:
                    status = 0
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The process ids of the master's workers."""
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent's pid is the second field after the command name, which is in parentheses.
            if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    @property
    def master_pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def log_text(self) -> str:
        """What the server wrote so far. Read without moving the file's offset, which the server
        shares: a seek here would make its next lines overwrite earlier ones."""
        chunks, offset = [], 0
        while chunk := os.pread(self.log.fileno(), 1 << 20, offset):
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks).decode(errors="replace")

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate the process group and wait for it; kill it if it does not go in time."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if self.process is not None:
            # Workers orphaned by a master that died first are still in the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


@dataclass(frozen=True)
class ShapeLoad:
    """What one wrk run measured of the requests of one shape: how many were answered, their
    rate over the whole run, their latency, and how many answers were not 2xx."""

    requests: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int


@dataclass(frozen=True)
class Load:
    """What one wrk run measured. Socket errors are wrk's: connections that failed, answers that
    could not be read or requests not written, and requests unanswered within the timeout.
    ``status_errors`` counts answers of 400 or above; ``statuses`` (``"2xx"``, ``"5xx"``…), when
    counted, every answer by class."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    timeouts: int = 0
    status_errors: int = 0
    statuses: dict[str, int] | None = None
    # Timed by shape (see ``wrk``): each shape's figures, and the answers that could not be told
    # apart (without the X-Request-ID the request was sent with).
    shapes: dict[str, ShapeLoad] | None = None
    untimed: int | None = None

    @property
    def socket_errors(self) -> int:
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    @property
    def errors(self) -> int:
        """Socket errors and answers of 400 or above."""
        return self.socket_errors + self.status_errors

    @property
    def non_2xx(self) -> int | None:
        """Answers outside 200–299, where statuses were counted."""
        if self.statuses is None:
            return None
        return sum(count for status_class, count in self.statuses.items() if status_class != "2xx")

    def as_dict(self) -> dict:
        return {**asdict(self), "socket_errors": self.socket_errors, "errors": self.errors, "non_2xx": self.non_2xx}


# Requests cycle through the given ones in order; done() prints lines the harness parses. With
# statuses counted, each thread tallies its answers by class, which done() gathers. Timed by
# shape (TIME_BY_SHAPE), requests are sent with an X-Request-ID of their own, which the server
# returns: each answer is matched to its request, its shape and the moment it was sent.
WRK_SCRIPT = """
local entries = {%(entries)s}
local requests = {}
local next_request = 0
local threads = {}
answers = {0, 0, 0, 0, 0}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for i, entry in ipairs(entries) do
    requests[i] = wrk.format("GET", entry[1], entry[2])
  end
end

function request()
  next_request = next_request %% #requests + 1
  return requests[next_request]
end
%(response)s%(timing)s
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHMARK-RESULT requests=%%d duration_us=%%d connect=%%d read=%%d write=%%d timeout=%%d status=%%d " ..
    "p50_us=%%.0f p90_us=%%.0f p99_us=%%.0f max_us=%%.0f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  if counting then
    local totals = {0, 0, 0, 0, 0}
    for _, thread in ipairs(threads) do
      local counted = thread:get("answers")
      for class = 1, 5 do totals[class] = totals[class] + counted[class] end
    end
    io.write(string.format("BENCHMARK-STATUSES 1xx=%%d 2xx=%%d 3xx=%%d 4xx=%%d 5xx=%%d\\n",
      totals[1], totals[2], totals[3], totals[4], totals[5]))
  end
  if timing then
    local untimed = 0
    for _, thread in ipairs(threads) do
      untimed = untimed + thread:get("untimed")
      local timings = thread:get("timed")
      for i = 1, #timings, 3 do
        io.write(string.format("BENCHMARK-ANSWER shape=%%d status=%%d us=%%.0f\\n",
          timings[i], timings[i + 1], timings[i + 2]))
      end
    end
    io.write(string.format("BENCHMARK-UNTIMED answers=%%d\\n", untimed))
  end
end
"""
COUNT_STATUSES = """
counting = true

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then answers[class] = answers[class] + 1 end
end
"""


TIME_BY_SHAPE = """
timing = true
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } benchmark_timespec;
int clock_gettime(int clock, benchmark_timespec *now);
]]
local clock = ffi.new("benchmark_timespec")
local CLOCK_MONOTONIC = 1

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local heads = {}
local shape_of, sent_at = {}, {}
local sent = 0
local answered = 0
-- Shape, status and microseconds of each answer, one after the other: wrk copies only flat
-- tables from a thread to done().
timed = {}
untimed = 0
local count_answer = response

function init(args)
  for i, entry in ipairs(entries) do
    -- The request without the blank line that ends its head, where the id goes.
    heads[i] = wrk.format("GET", entry[1], entry[2]):sub(1, -3)
  end
end

function request()
  next_request = next_request %% #heads + 1
  sent = sent + 1
  local id = %(prefix)s .. sent
  shape_of[id] = entries[next_request][3]
  sent_at[id] = now_us()
  return heads[next_request] .. "X-Request-ID: " .. id .. "\\r\\n\\r\\n"
end

function response(status, headers, body)
  if count_answer then count_answer(status, headers, body) end
  local id = headers["X-Request-ID"]
  local started = id and sent_at[id]
  if started then
    timed[answered + 1] = shape_of[id]
    timed[answered + 2] = status
    timed[answered + 3] = now_us() - started
    answered = answered + 3
    sent_at[id], shape_of[id] = nil, nil
  else
    untimed = untimed + 1
  end
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string with ASCII escapes is a valid Lua string


Requests = Sequence[str | tuple[str, dict[str, str]]]


def shape_numbers(shapes: Sequence[str]) -> tuple[list[str], list[int]]:
    """The distinct ``shapes`` in their first order, and the number (from 1) of each request's."""
    names = list(dict.fromkeys(shapes))
    number = {name: index for index, name in enumerate(names, start=1)}
    return names, [number[shape] for shape in shapes]


def wrk_script(
    requests: Requests,
    *,
    headers: dict[str, str] | None = None,
    count_statuses: bool = False,
    shapes: Sequence[int] | None = None,
) -> str:
    """The Lua script that has wrk send ``GET`` for each of ``requests`` in turn, over and over:
    a path, or a path and headers of its own added to ``headers``. With ``shapes`` (a number for
    each request), every answer is timed and printed with its request's number."""
    entries = []
    for index, each in enumerate(requests):
        path, own = (each, {}) if isinstance(each, str) else each
        sent = {**(headers or {}), **own}
        table = ", ".join(f"[{_lua_string(name)}] = {_lua_string(value)}" for name, value in sent.items())
        shape = "" if shapes is None else f", {shapes[index]}"
        entries.append(f"{{{_lua_string(path)}, {{{table}}}{shape}}}")
    return WRK_SCRIPT % {
        "entries": ", ".join(entries),
        "response": COUNT_STATUSES if count_statuses else "",
        "timing": TIME_BY_SHAPE % {"prefix": _lua_string(REQUEST_ID_PREFIX)} if shapes is not None else "",
    }


def percentile(ordered: list[float], percent: float) -> float:
    """The nearest-rank ``percent`` percentile of ``ordered`` (sorted, not empty)."""
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def shape_loads(answers: list[tuple[int, int, float]], names: Sequence[str], *, seconds: float) -> dict[str, ShapeLoad]:
    """The figures of each of ``names`` from ``answers`` (the shape's number from 1, the status,
    microseconds), over a run of ``seconds``; a shape never answered has no figures."""
    timings: dict[int, list[float]] = {}
    failed: dict[int, int] = {}
    for number, status, micros in answers:
        timings.setdefault(number, []).append(micros / 1000)
        failed[number] = failed.get(number, 0) + (not 200 <= status < 300)
    found = {}
    for number, name in enumerate(names, start=1):
        if number not in timings:
            continue
        ordered = sorted(timings[number])
        found[name] = ShapeLoad(
            requests=len(ordered),
            requests_per_second=round(len(ordered) / seconds, 2) if seconds else 0.0,
            p50_ms=round(percentile(ordered, 50), 2),
            p90_ms=round(percentile(ordered, 90), 2),
            p99_ms=round(percentile(ordered, 99), 2),
            max_ms=round(ordered[-1], 2),
            non_2xx=failed[number],
        )
    return found


def parse_wrk_output(output: str, *, shapes: Sequence[str] | None = None) -> Load:
    """The figures of the lines ``WRK_SCRIPT`` prints; ``ValueError`` if there are none. With
    ``shapes`` (the names of the shapes' numbers, in order), the figures of each shape too."""
    found: dict[str, dict[str, int]] = {}
    answers: list[tuple[int, int, float]] = []
    for line in output.splitlines():
        tag, _, rest = line.partition(" ")
        if tag in ("BENCHMARK-RESULT", "BENCHMARK-STATUSES", "BENCHMARK-UNTIMED"):
            found[tag] = {name: int(value) for name, _, value in (pair.partition("=") for pair in rest.split())}
        elif tag == "BENCHMARK-ANSWER":
            fields = {name: value for name, _, value in (pair.partition("=") for pair in rest.split())}
            answers.append((int(fields["shape"]), int(fields["status"]), float(fields["us"])))
    if "BENCHMARK-RESULT" not in found:
        raise ValueError("no BENCHMARK-RESULT line")
    if shapes is not None and "BENCHMARK-UNTIMED" not in found:
        raise ValueError("no BENCHMARK-UNTIMED line")
    result = found["BENCHMARK-RESULT"]
    elapsed = result["duration_us"] / 1e6
    return Load(
        requests=result["requests"],
        seconds=round(elapsed, 3),
        requests_per_second=round(result["requests"] / elapsed, 2) if elapsed else 0.0,
        p50_ms=round(result["p50_us"] / 1000, 2),
        p90_ms=round(result["p90_us"] / 1000, 2),
        p99_ms=round(result["p99_us"] / 1000, 2),
        max_ms=round(result["max_us"] / 1000, 2),
        connect_errors=result["connect"],
        read_errors=result["read"],
        write_errors=result["write"],
        timeouts=result["timeout"],
        status_errors=result["status"],
        statuses=found.get("BENCHMARK-STATUSES"),
        shapes=None if shapes is None else shape_loads(answers, shapes, seconds=elapsed),
        untimed=None if shapes is None else found["BENCHMARK-UNTIMED"]["answers"],
    )


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk(
    port: int,
    paths: Requests,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
    count_statuses: bool = False,
    shapes: Sequence[str] | None = None,
) -> Load:
    """Send ``GET`` requests for ``paths`` (in turn, over and over; see ``wrk_script``) to the
    local server from ``connections`` connections for ``seconds``, with wrk's latency figures;
    a request unanswered after ``timeout`` seconds is a timeout. ``count_statuses`` counts the
    answers by status class too (wrk itself only counts those of 400 or above). ``shapes``, a
    name for each path, gives the figures of each shape too (``Load.shapes``): the server must
    return the ``X-Request-ID`` each request is sent with, as the site does."""
    executable = wrk_path()
    if executable is None:
        raise RuntimeError(WRK_INSTALL_HINT)
    names, numbers = (None, None) if shapes is None else shape_numbers(shapes)
    script = wrk_script(paths, headers=headers, count_statuses=count_statuses, shapes=numbers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        result = subprocess.run(  # noqa: S603 - our own command line
            [
                executable,
                "--threads=1",
                f"--connections={connections}",
                f"--duration={max(1, round(seconds))}s",
                f"--timeout={max(1, round(timeout))}s",
                f"--script={file.name}",
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + timeout + 60,
            check=False,
        )
    try:
        load = parse_wrk_output(result.stdout, shapes=names)
        if count_statuses and load.statuses is None:
            raise ValueError("no BENCHMARK-STATUSES line")
        return load
    except ValueError:
        raise RuntimeError(
            f"wrk gave no result (exit status {result.returncode}):\n{result.stdout}\n{result.stderr}"
        ) from None
