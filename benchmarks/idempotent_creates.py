"""The soak's idempotent creates: many clients at once, each a delegation editor's script with a
token of its own, creating deals with an ``Idempotency-Key`` the way a client on a bad network
does. For every key the first request is dropped (its connection closed before the answer
comes), and a duplicate from another connection and the retry of the dropped request go out at
the same moment, so three requests for the key are in the server at once; any request that
gets no answer, a 409 "in progress" or a 503 is sent again after a growing pause. The database
must then hold exactly one deal per key, and every answer for a key must name that deal."""

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import cast

from django.urls import reverse

from benchmarks.servers import HOST, request
from deals.models import Deal
from delegations.models import Delegation
from delegations.services import editor_create
from framework.api.tokens import token_issue

TITLE_PREFIX = "Idempotent create "
RETRIED_STATUSES = {502, 503, 504}
MAX_SENDS = 8
FIRST_PAUSE_SECONDS = 0.05
LONGEST_PAUSE_SECONDS = 2.0
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Answer:
    """One request sent for a key: ``kind`` says which (``dropped``, ``duplicate``, ``retry``…),
    ``send`` counts the sends of that kind (2 and up are retries). ``status`` is ``None`` where
    no answer was read: the request was dropped, or the connection failed (``error`` says how)."""

    key: str
    kind: str
    send: int
    status: int | None
    deal_id: int | None = None
    replayed: bool = False
    code: str | None = None
    error: str | None = None

    def as_record(self) -> dict:
        return asdict(self)

    @property
    def retried(self) -> bool:
        """Whether the client sends this request again."""
        if self.kind == "dropped":
            return False
        return (
            self.status is None
            or self.status in RETRIED_STATUSES
            or (self.status == 409 and self.code == "in_progress")
        )


@dataclass(frozen=True)
class Writers:
    """The clients' tokens and what their deals are made of."""

    tokens: list[str]
    body: dict


def prepare(*, clients: int, run: str) -> Writers:
    """A delegation editor of the first demo deal's delegation, with one token per client, and
    a create request for that delegation (buyer, seller, edition of the same deal)."""
    deal = Deal.objects.order_by("id").values("delegation_id", "edition_id", "buyer_id", "seller_id").first()
    if deal is None:
        raise RuntimeError("The database has no deal to take a delegation, parties and an edition from.")
    user = editor_create(username=f"soak-editor-{run}", delegations=[Delegation.objects.get(pk=deal["delegation_id"])])
    tokens = [token_issue(user=user, client=f"soak client {n}")[1] for n in range(clients)]
    body = {
        "buyer": deal["buyer_id"],
        "seller": deal["seller_id"],
        "delegation": deal["delegation_id"],
        "edition": deal["edition_id"],
        "value": {"amount": "1000.00", "currency": "USD"},
    }
    return Writers(tokens=tokens, body=body)


def key_of(run: str, client: int, number: int) -> str:
    return f"soak-{run}-{client:02d}-{number}"


def body_of(writers: Writers, key: str) -> bytes:
    """The create request for ``key``: its title carries the key, so its rows can be counted."""
    return json.dumps({**writers.body, "title": f"{TITLE_PREFIX}{key}"}).encode()


def write_headers(token: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": key}


def answer_of(key: str, kind: str, send: int, status: int, headers: http.client.HTTPMessage, body: bytes) -> Answer:
    """The answer to one request, read from its status, headers and body."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    deal_id = code = None
    if isinstance(data, dict):
        if 200 <= status < 300:
            deal_id = data.get("id")
        elif data.get("errors"):
            code = data["errors"][0].get("code")
    return Answer(
        key, kind, send, status, deal_id=deal_id, replayed=headers.get("Idempotent-Replayed") == "true", code=code
    )


def pause(send: int) -> float:
    """Seconds to wait before the next send after ``send`` sends: doubling, up to a bound."""
    return min(LONGEST_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2 ** (send - 1))


def _sent(key: str, kind: str, send: int, call: Callable[[], tuple[int, http.client.HTTPMessage, bytes]]) -> Answer:
    try:
        return answer_of(key, kind, send, *call())
    except (OSError, http.client.HTTPException) as error:
        return Answer(key, kind, send, None, error=type(error).__name__)


def send_until_answered(
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    key: str,
    kind: str,
    first: Answer | None = None,
    sends: int = MAX_SENDS,
) -> list[Answer]:
    """Send the POST (after ``first``, an answer already had) until it is answered other than
    by a retry, or ``sends`` sends in all; every answer."""
    answers = [first] if first is not None else []
    while not answers or (answers[-1].retried and len(answers) < sends):
        if answers:
            time.sleep(pause(len(answers)))
        answers.append(
            _sent(
                key,
                kind,
                len(answers) + 1,
                lambda: request(port, "POST", path, body=body, headers=headers, timeout=TIMEOUT_SECONDS),
            )
        )
    return answers


def _read(connection: http.client.HTTPConnection) -> tuple[int, http.client.HTTPMessage, bytes]:
    response = connection.getresponse()
    return response.status, response.headers, response.read()


def create_once(port: int, writers: Writers, token: str, key: str) -> list[Answer]:
    """Everything one client sends for ``key``, three requests in flight at once: the first,
    given up on (its connection closed) as soon as it is sent; a duplicate sent with it from
    another connection; and the retry of the first. The duplicate and the retry are each sent
    again until answered."""
    path = reverse("deal-list")
    body, headers = body_of(writers, key), write_headers(token, key)
    kinds = ("dropped", "duplicate", "retry")
    connections = {kind: http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS) for kind in kinds}
    failed: dict[str, Answer] = {}
    answers = []
    try:
        for kind in kinds:
            try:
                connections[kind].request("POST", path, body=body, headers=headers)
            except (OSError, http.client.HTTPException) as error:
                failed[kind] = Answer(key, kind, 1, None, error=type(error).__name__)
            if kind == "dropped":
                connections[kind].close()
        answers.append(failed.get("dropped") or Answer(key, "dropped", 1, None))
        for kind in kinds[1:]:
            # mypy infers no type for a lambda with a default argument.
            first = failed.get(kind) or _sent(key, kind, 1, lambda connection=connections[kind]: _read(connection))  # type: ignore[misc]
            answers += send_until_answered(port, path, body, headers, key=key, kind=kind, first=first)
    finally:
        for connection in connections.values():
            connection.close()
    return answers


def run_clients(port: int, writers: Writers, *, run: str, keys_per_client: int) -> tuple[list[str], list[Answer]]:
    """Every client at once (started together), each sending its keys one after the other; the
    keys and every answer."""
    clients = len(writers.tokens)
    start = threading.Barrier(clients)

    def client(number: int) -> list[Answer]:
        start.wait()
        answers = []
        for key_number in range(keys_per_client):
            answers += create_once(port, writers, writers.tokens[number], key_of(run, number, key_number))
        return answers

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client, range(clients)))
    keys = [key_of(run, number, key_number) for number in range(clients) for key_number in range(keys_per_client)]
    return keys, [answer for answers in results for answer in answers]


def rows_per_key(keys: list[str]) -> dict[str, list[int]]:
    """The ids of the deals whose title carries each key."""
    found: dict[str, list[int]] = {key: [] for key in keys}
    titles = Deal.objects.filter(title__startswith=TITLE_PREFIX).values_list("title", "id").order_by("id")
    for title, deal_id in titles:
        key = title.removeprefix(TITLE_PREFIX)
        if key in found:
            found[key].append(deal_id)
    return found


def summarize(keys: list[str], answers: list[Answer], rows: dict[str, list[int]]) -> dict:
    """The figures of a run: what was sent, what came back, and the keys that broke a rule
    (other than one row; an answer naming another deal; no answer of 2xx at all)."""
    counts = [len(rows.get(key, [])) for key in keys]
    named: dict[str, set[int]] = {key: set() for key in keys}
    answered = set()
    for answer in answers:
        if answer.status is not None and 200 <= answer.status < 300:
            answered.add(answer.key)
            named[answer.key].add(cast(int, answer.deal_id))  # a 2xx answer names its deal
    statuses = Counter(str(answer.status) if answer.status else (answer.error or "dropped") for answer in answers)
    return {
        "keys": len(keys),
        "requests": len(answers),
        "dropped": sum(answer.kind == "dropped" for answer in answers),
        "duplicates": sum(answer.kind == "duplicate" and answer.send == 1 for answer in answers),
        # Each dropped request is sent again once; any request is again on no answer, 409 or 503.
        "retries_after_drop": sum(answer.kind == "retry" and answer.send == 1 for answer in answers),
        "retries_on_failure": sum(answer.send > 1 for answer in answers),
        "replayed": sum(answer.replayed for answer in answers),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(answer.status is not None and answer.status >= 500 for answer in answers),
        "rows_per_key": {"min": min(counts, default=0), "max": max(counts, default=0)},
        "keys_without_one_row": sorted(key for key, count in zip(keys, counts, strict=True) if count != 1),
        "keys_answered_with_another_deal": sorted(
            key for key in keys if named[key] - set(rows.get(key, [])) or len(named[key]) > 1
        ),
        "keys_never_answered": sorted(set(keys) - answered),
    }
