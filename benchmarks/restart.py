"""The soak's database restart: while pollers ask for ``/api/health/`` and the deal list without
pause, PostgreSQL is stopped (as a service restart does: open sessions are ended), kept down a
few seconds and started again, and every answer is recorded with when it was asked and when it
came. While the database is down the app must answer 503 (with ``Retry-After``, in its error
shape), never 500 and never with a broken connection; once it is back, 200 again within a bound,
from the same gunicorn master and workers: the workers reconnect by themselves."""

import json
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass

from benchmarks.servers import request

POLL_PAUSE_SECONDS = 0.05
POLL_TIMEOUT_SECONDS = 30
UNAVAILABLE = 503


@dataclass(frozen=True)
class Observation:
    """One request of a poller: when it was sent and answered (seconds on the monotonic clock),
    the status (``None`` with the ``error`` where the connection failed), and for any other
    answer than 200 its ``Retry-After`` and what its body says: the API error's code, or (from
    ``/api/health/``, whose body is its own, ``health``) the checks that failed."""

    path: str
    sent: float
    answered: float
    status: int | None
    error: str | None = None
    retry_after: str | None = None
    code: str | None = None
    health: bool = False


def observe(port: int, path: str, *, timeout: float = POLL_TIMEOUT_SECONDS) -> Observation:
    """Ask for ``path`` once and record how it went."""
    sent = time.monotonic()
    try:
        status, headers, body = request(port, "GET", path, timeout=timeout)
    except Exception as error:  # any failure to get an answer is what is recorded
        return Observation(path, sent, time.monotonic(), None, error=type(error).__name__)
    answered = time.monotonic()
    if status == 200:
        return Observation(path, sent, answered, status)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    code, health = None, False
    if isinstance(data, dict) and data.get("errors"):
        code = data["errors"][0].get("code")
    elif isinstance(data, dict) and isinstance(data.get("checks"), dict):
        health = True
        failed = [
            f"{name} {check.get('status')}" for name, check in data["checks"].items() if check.get("status") != "ok"
        ]
        code = ", ".join(failed) or None
    return Observation(path, sent, answered, status, retry_after=headers.get("Retry-After"), code=code, health=health)


class Pollers:
    """``with Pollers(port, paths, per_path=2) as pollers:`` threads asking for each path over
    and over, a short pause between requests, until the block ends; ``pollers.observations``."""

    def __init__(self, port: int, paths: list[str], *, per_path: int = 2) -> None:
        self.port = port
        self.paths = paths
        self.per_path = per_path
        self.observations: list[Observation] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._poll, args=(path,), daemon=True) for path in paths for _ in range(per_path)
        ]

    def _poll(self, path: str) -> None:
        while not self.stopping.is_set():
            self.observations.append(observe(self.port, path))
            self.stopping.wait(POLL_PAUSE_SECONDS)

    def __enter__(self) -> "Pollers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


@dataclass(frozen=True)
class Timeline:
    """When (monotonic seconds) the stop was asked for, the database was down (the stop
    returned), the start was asked for, and the database accepted connections again."""

    stop_asked: float
    down: float
    start_asked: float
    up: float


def _outcome(observation: Observation) -> str:
    return str(observation.status) if observation.status is not None else observation.error or "no answer"


def judge(observations: list[Observation], timeline: Timeline, *, recovery_bound: float) -> dict:
    """What the observations say, each rule with the figures it rests on:

    - before the stop, every answer 200;
    - while the database was down (requests sent after the stop returned and answered before
      the start was asked for), only 503: the API's with ``Retry-After`` and an error code, the
      health check's naming the check that failed;
    - at all times, only 200 or 503: no 500, no failed connection, no timeout;
    - after the database was back, each path answered 200 within ``recovery_bound`` seconds,
      and only 200 after its first 200."""
    observations = sorted(observations, key=lambda each: each.sent)
    before = [each for each in observations if each.answered <= timeline.stop_asked]
    down = [each for each in observations if each.sent >= timeline.down and each.answered <= timeline.start_asked]
    unavailable = [each for each in observations if each.status == UNAVAILABLE]
    # The health check names what is down; the API's errors say why and ask to retry later.
    unexplained = [each for each in unavailable if not each.code or not (each.health or each.retry_after)]
    unexpected = [each for each in observations if each.status not in (200, UNAVAILABLE)]
    recovery: dict[str, float | None] = {}
    relapses = []
    for path in sorted({each.path for each in observations}):
        after = [each for each in observations if each.path == path and each.sent >= timeline.up]
        first_ok = next((index for index, each in enumerate(after) if each.status == 200), None)
        if first_ok is None:
            recovery[path] = None
            continue
        recovery[path] = round(after[first_ok].answered - timeline.up, 3)
        relapses += [each for each in after[first_ok:] if each.status != 200]
    # None is not among the values where max() is taken.
    slowest = None if None in recovery.values() or not recovery else max(recovery.values())  # type: ignore[type-var]
    checks = {
        "all 200 before the stop": bool(before) and all(each.status == 200 for each in before),
        "only 503 while down": bool(down) and all(each.status == UNAVAILABLE for each in down),
        "every 503 says why": not unexplained,
        "no other status, failed connection or timeout": not unexpected,
        f"200 again within {recovery_bound:g} s": slowest is not None and slowest <= recovery_bound,
        "only 200 once recovered": not relapses,
    }
    return {
        "outage_seconds": round(timeline.start_asked - timeline.down, 3),
        "stop_seconds": round(timeline.down - timeline.stop_asked, 3),
        "start_seconds": round(timeline.up - timeline.start_asked, 3),
        "requests": len(observations),
        "outcomes": dict(sorted(Counter(_outcome(each) for each in observations).items())),
        "before_stop": dict(Counter(_outcome(each) for each in before)),
        "while_down": dict(Counter(_outcome(each) for each in down)),
        "said_while_down": dict(Counter(f"{each.path} {each.code}" for each in down)),
        "retry_after_while_down": dict(Counter(each.retry_after or "none" for each in down)),
        "unexpected": [asdict(each) for each in unexpected[:20]],
        "recovery_seconds": recovery,
        "slowest_recovery_seconds": slowest,
        "relapses": [asdict(each) for each in relapses[:20]],
        "checks": checks,
    }
