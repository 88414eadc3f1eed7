"""``python -m tests.fuzz [--max-examples N] [--seed S] [--workers W] [-- schemathesis options]``:
fuzz the API with schemathesis, as CI does (``make fuzz``, ``.ci/fuzz``).

On a database of its own (``DATABASE_URL``, which must be empty, else a temporary SQLite file),
migrated and holding the seed facts and a delegation editor of the seed's delegations, the app
runs with the production settings under gunicorn on a free loopback port. schemathesis sends
every operation of ``openapi.yaml`` generated requests with the editor's token and all its
default checks (``schemathesis.toml`` and ``tests/fuzz/hooks.py`` hold what is configured, and
why). gunicorn is stopped however the run ends. The last line sums the run up; the exit status
is 0 only when schemathesis found no failure and no error."""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.servers import HOST, ROOT, Gunicorn

EDITOR = "fuzz-editor"
# The editor of the top of the seed's tree, so every seed delegation is theirs to write, with the
# password in FUZZ_PASSWORD.
CREATE_EDITOR = (
    "import os; from delegations.models import Delegation; from tests.factories.users import editor; "
    f"editor(*Delegation.objects.filter(parent=None), username={EDITOR!r}, password=os.environ['FUZZ_PASSWORD'])"
)
# Exit status 3 when the database already has tables: the run writes generated records into it.
CHECK_EMPTY = (
    "import sys; from django.db import connection; sys.exit(3 if connection.introspection.table_names() else 0)"
)
# Rates no run reaches: a throttled request is a 429 that tests nothing.
UNTHROTTLED = "1000000/min"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else argv
    passed_on = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz",
        description="Fuzz the API with schemathesis from openapi.yaml, served as in production.",
        epilog="Options after -- go to `schemathesis run`, e.g. -- --include-name-regex '^POST /api/deals/$'.",
    )
    parser.add_argument(
        "--max-examples", type=int, default=20, help="Test cases per operation in the fuzzing phase (20)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed of the generated data, for a repeatable run (1).")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="schemathesis worker threads (1): more run hypothesis in parallel threads, which on Python 3.11 "
        "can fail inside the ast module, and make the order of requests, so the run, vary.",
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=ROOT / "artifacts" / "fuzz.json",
        help="Where schemathesis writes its JSON report (artifacts/fuzz.json).",
    )
    arguments = parser.parse_args(argv)
    arguments.schemathesis_options = passed_on
    return arguments


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def server_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DEBUG": "false",
        # Plain HTTP on loopback: a redirect to HTTPS would answer every request instead.
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_ANON_RATE": UNTHROTTLED,
        "THROTTLE_USER_RATE": UNTHROTTLED,
        "THROTTLE_LOGIN_RATE": UNTHROTTLED,
        "PYTHONUNBUFFERED": "1",
        # For manage.py and tests/fuzz/hooks.py.
        "FUZZ_USERNAME": EDITOR,
        "FUZZ_PASSWORD": secrets.token_urlsafe(20),
    }


def manage(env: dict[str, str], *arguments: str) -> str:
    """Run ``manage.py arguments`` with ``env``; its standard output (a failure stops the run)."""
    result = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {arguments[0]} failed (status {result.returncode}):\n{result.stderr}")
    return result.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the seed facts and create the editor; the editor's new API token."""
    check = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "shell", "--verbosity=0", "-c", CHECK_EMPTY], cwd=ROOT, env=env, check=False
    )
    if check.returncode == 3:
        raise RuntimeError("DATABASE_URL names a database that is not empty: the run writes generated records.")
    if check.returncode != 0:
        raise RuntimeError(f"The database cannot be used (manage.py shell exited with {check.returncode}).")
    say("migrate")
    manage(env, "migrate", "--noinput")
    say("load_seed")
    print(manage(env, "load_seed").strip(), flush=True)
    say(f"the delegation editor {EDITOR!r} and an API token")
    manage(env, "shell", "--verbosity=0", "-c", CREATE_EDITOR)
    return manage(env, "create_api_token", EDITOR, "--client", "schemathesis").strip()


def schemathesis(arguments: argparse.Namespace, env: dict[str, str], *, port: int, token: str) -> int:
    """Run schemathesis against the server on ``port``; its exit status."""
    base_url = f"http://{HOST}:{port}"
    options = [
        f"--url={base_url}",
        f"--max-examples={arguments.max_examples}",
        f"--seed={arguments.seed}",
        f"--workers={arguments.workers}",
        # Nothing carried over from an earlier run: the same seed gives the same requests.
        "--generation-database=none",
        "--report=json",
        f"--report-json-path={arguments.report}",
        "--no-color",
        *arguments.schemathesis_options,
    ]
    say(f"schemathesis run openapi.yaml {' '.join(options)}")
    # The editor's token goes to tests/fuzz/hooks.py, which sends it as `Authorization: Token …`.
    env = {**env, "FUZZ_BASE_URL": base_url, "FUZZ_TOKEN": token, "FUZZ_DROPPED": str(dropped_path(arguments))}
    command = [sys.executable, "-m", "schemathesis.cli", "run", "openapi.yaml", *options]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603 - our own command line


def dropped_path(arguments: argparse.Namespace) -> Path:
    """Where tests/fuzz/hooks.py writes how many failures it dropped as by design, by reason."""
    return arguments.report.with_suffix(".dropped.json")


def summary(report: Path, seconds: float) -> tuple[str, bool]:
    """The run summed up in one line, and whether it passed."""
    document = json.loads(report.read_text())
    operations = document["operations"] or {}
    cases = document["test_cases"]
    failures = sum(group["count"] for group in document["failures"])
    errors = sum(group["count"] for group in document["errors"])
    dropped = document.get("filtered") or 0
    passed = document["complete"] and failures == 0 and errors == 0 and cases["errored"] == 0
    line = (
        f"schemathesis {'passed' if passed else 'FAILED'}: {operations.get('tested', 0)} of "
        f"{operations.get('total', 0)} operations tested, {cases['generated']} test cases, "
        f"{failures} failures ({cases['with_failures']} cases failing), {errors} errors "
        f"({dropped} failures dropped as by design), "
        f"in {seconds:.0f} s (seed {document['seed']})"
    )
    return line, passed


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    # A plain `kill` unwinds like Ctrl-C, so gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/fuzz.sqlite3"
        say(f"database: {'PostgreSQL' if database_url.startswith('postgres') else 'SQLite, a temporary file'}")
        env = server_environment(database_url)
        try:
            token = prepare(env)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 2
        arguments.report.unlink(missing_ok=True)
        dropped_path(arguments).unlink(missing_ok=True)
        # One worker: schemathesis sends one request at a time, and one process keeps the
        # list counts and statistics it caches consistent from one request to the next.
        with Gunicorn(workers=1, env=env, ready_path="/api/expos/") as server:
            say(f"gunicorn on port {server.port}")
            status = schemathesis(arguments, env, port=server.port, token=token)
            log = server.log_tail(40)
    seconds = time.monotonic() - started
    if not arguments.report.exists():
        print(f"schemathesis FAILED: it wrote no report (exit status {status}).\ngunicorn's log:\n{log}")
        return status or 1
    line, passed = summary(arguments.report, seconds)
    if not passed and log:
        print(f"gunicorn's log (its end):\n{log}")
    if dropped_path(arguments).exists():
        dropped = json.loads(dropped_path(arguments).read_text())
        reasons = ", ".join(f"{count} {reason}" for reason, count in dropped.items())
        print(f"Failures dropped as by design (tests/fuzz/hooks.py): {reasons or 'none'}")
    print(line, flush=True)
    return 0 if passed and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
