"""The measured servers and the load generator: gunicorn on a free loopback port, started in a
process group of its own and always stopped with it, and wrk runs of a bounded duration."""

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
STOP_SECONDS = 10
WRK_INSTALL_HINT = "wrk, the HTTP load generator, is not installed: on Debian or Ubuntu, `sudo apt-get install wrk`."


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def get(port: int, path: str, *, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """``GET path`` on the local server: the status and the whole body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


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

    def __init__(self, *, workers: int, env: dict[str, str], timeout: int = 120, ready_path: str = "/") -> None:
        self.workers = workers
        self.env = env
        self.timeout = timeout
        self.ready_path = ready_path
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
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "expo.wsgi:application",
            f"--bind={HOST}:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            f"--timeout={self.timeout}",
            f"--graceful-timeout={STOP_SECONDS // 2}",
            "--log-level=warning",
            "--error-logfile=-",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
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

    def log_tail(self, lines: int = 20) -> str:
        self.log.seek(0)
        return "\n".join(self.log.read().decode(errors="replace").splitlines()[-lines:])

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
class Load:
    """What one wrk run measured."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def as_dict(self) -> dict:
        return asdict(self)


# Requests cycle through the given paths in order; done() prints one line the harness parses.
WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local requests = {}
local next_request = 0

function init(args)
  for i, path in ipairs(paths) do
    local copy = {}
    for name, value in pairs(headers) do copy[name] = value end
    requests[i] = wrk.format("GET", path, copy)
  end
end

function request()
  next_request = next_request %% #requests + 1
  return requests[next_request]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCHMARK-RESULT %%d %%d %%d %%d %%.0f %%.0f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string with ASCII escapes is a valid Lua string


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk(
    port: int, paths: list[str], *, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> Load:
    """Send ``GET`` requests for ``paths`` (in turn, over and over) to the local server from
    ``connections`` connections for ``seconds``; count as errors failed connections, timeouts
    (30 s) and answers of 400 or above."""
    executable = wrk_path()
    if executable is None:
        raise RuntimeError(WRK_INSTALL_HINT)
    script = WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(path) for path in paths),
        "headers": ", ".join(
            f"[{_lua_string(name)}] = {_lua_string(value)}" for name, value in (headers or {}).items()
        ),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        result = subprocess.run(  # noqa: S603 - our own command line
            [
                executable,
                "--threads=1",
                f"--connections={connections}",
                f"--duration={max(1, round(seconds))}s",
                "--timeout=30s",
                f"--script={file.name}",
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    for line in result.stdout.splitlines():
        if line.startswith("BENCHMARK-RESULT "):
            requests, duration_us, failed, status_errors, p50_us, p99_us = (int(part) for part in line.split()[1:])
            elapsed = duration_us / 1e6
            return Load(
                requests=requests,
                seconds=round(elapsed, 3),
                requests_per_second=round(requests / elapsed, 2) if elapsed else 0.0,
                p50_ms=round(p50_us / 1000, 2),
                p99_ms=round(p99_us / 1000, 2),
                errors=failed + status_errors,
            )
    raise RuntimeError(f"wrk gave no result (exit status {result.returncode}):\n{result.stdout}\n{result.stderr}")
