"""Production serving: the deployment checks, static files through WhiteNoise, the health check,
answers while the database or Redis is down, the read-replica router and the request log.

Where a dependency must be down, it really is: the app is started in a separate process whose
``DATABASE_URL`` or ``REDIS_URL`` names a port nothing listens on."""

import json
import logging
import logging.config
import os
import re
import secrets
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError
from django.test import override_settings
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from config.settings.base import database_from_url, logging_config
from deals.models import Deal
from delegations.models import Delegation
from framework.logs import RequestLogMiddleware
from framework.models import ApiToken
from framework.routers import REPLICA, ReplicaReadsMiddleware, ReplicaRouter
from tests.factories import DealFactory, DelegationFactory, EditionFactory, EnterpriseFactory, analyst, editor

ROOT = Path(__file__).resolve().parent.parent.parent


def closed_port() -> int:
    """A loopback port nothing listens on (taken from the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_django(script: str, *, settings: str = "config.settings.test", **environment: str) -> dict:
    """Run ``script`` in a new Python process with Django set up under ``settings`` and
    ``environment``; return what it printed last, as JSON."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings, "ALLOWED_HOSTS": "testserver", **environment})
    program = "import django, json\ndjango.setup()\n" + textwrap.dedent(script)
    finished = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def production_environment(**extra: str) -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "testserver", **extra}


def test_check_deploy_reports_no_issue_with_the_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **production_environment()}
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.strip() == "System check identified no issues (0 silenced)."


def test_whitenoise_serves_the_collected_static_files_under_hashed_names(tmp_path):
    answer = run_django(
        """
        from django.core.management import call_command
        from django.test import Client
        import re
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        page = client.get("/api/docs/", secure=True)
        css = re.search(r'/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui\\.[0-9a-f]{12}\\.css', page.text)
        asset = client.get(css.group(0), secure=True, HTTP_ACCEPT_ENCODING="gzip")
        print(json.dumps({
            "page": page.status_code,
            "asset": asset.status_code,
            "cache_control": asset.headers["Cache-Control"],
            "encoding": asset.headers.get("Content-Encoding"),
            "type": asset.headers["Content-Type"],
        }))
        """,
        settings="config.settings.production",
        **production_environment(STATIC_ROOT=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
    )
    assert answer == {
        "page": 200,
        "asset": 200,
        "cache_control": "max-age=315360000, public, immutable",
        "encoding": "gzip",
        "type": 'text/css; charset="utf-8"',
    }


# --- /api/health/ -----------------------------------------------------------------------------


def test_health_is_ok_when_the_database_answers(anon, db):
    response = anon.get(reverse("health"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json()["status"] == "ok"
    assert list(response.json()["checks"]) == ["database"]
    assert response.json()["checks"]["database"]["status"] == "ok"


def test_health_needs_no_login_and_takes_no_parameters(anon, db):
    response = anon.get(reverse("health"), {"verbose": "1"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "verbose"


def test_health_answers_for_head_requests(anon, db):
    assert anon.head(reverse("health")).status_code == 200


DATABASE_DOWN = """
from django.test import Client
client = Client(raise_request_exception=False)
health = client.get("/api/health/")
deals = client.get("/api/deals/")
# A signed-in admin's session is read from the database.
client.cookies["sessionid"] = "k" * 32
admin = client.get("/admin/")
print(json.dumps({
    "health": [
        health.status_code,
        health.headers.get("Retry-After"),
        health.json()["status"],
        health.json()["checks"]["database"]["status"],
    ],
    "deals": [deals.status_code, deals.headers.get("Retry-After"), deals.json()],
    "admin": [admin.status_code, admin.headers.get("Retry-After"), admin.content.decode()],
}))
"""


def test_with_the_database_down_every_page_answers_503_asking_to_retry():
    answer = run_django(
        DATABASE_DOWN,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/expo",
        DATABASE_CONNECT_TIMEOUT="2",
        DEBUG="false",
    )
    assert answer["health"] == [503, "5", "unavailable", "unavailable"]
    assert answer["deals"] == [
        503,
        "5",
        {
            "type": "server_error",
            "errors": [
                {
                    "code": "database_unavailable",
                    "detail": "The database is unavailable at the moment. Try again shortly.",
                    "attr": None,
                }
            ],
        },
    ]
    assert answer["admin"] == [503, "5", "The database is unavailable at the moment. Try again shortly."]


def test_health_reports_a_read_replica_that_is_down(tmp_path):
    answer = run_django(
        """
        from django.test import Client
        print(json.dumps(Client().get("/api/health/").json()["checks"]))
        """,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/expo",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert {name: check["status"] for name, check in answer.items()} == {
        "database": "ok",
        "database_replica": "unavailable",
    }


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = REDIS_DOWN
    settings.REDIS_URL = REDIS_DOWN["default"]["LOCATION"]
    settings.LIST_COUNT_CACHE_SECONDS = 10


def test_health_is_503_when_redis_is_configured_and_down(anon, db, redis_down):
    response = anon.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert {name: check["status"] for name, check in response.json()["checks"].items()} == {
        "database": "ok",
        "cache": "unavailable",
    }


def test_with_redis_down_reads_and_writes_go_on_unthrottled(anon, db, redis_down, caplog):
    edition = EditionFactory()
    delegation = DelegationFactory()
    buyer, seller = EnterpriseFactory(), EnterpriseFactory()
    caplog.set_level(logging.WARNING)

    listed = anon.get(reverse("deal-list"))
    writer = APIClient()
    writer.force_authenticate(editor(delegation))
    created = writer.post(
        reverse("deal-list"),
        {
            "title": "Written while the cache is down",
            "buyer": buyer.pk,
            "seller": seller.pk,
            "delegation": delegation.pk,
            "edition": edition.pk,
            "value": {"amount": "1000.00", "currency": "USD"},
        },
        format="json",
    )

    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    assert created.status_code == 201, created.json()
    assert Deal.objects.filter(title="Written while the cache is down").count() == 1
    warnings = {record.getMessage() for record in caplog.records if record.levelno == logging.WARNING}
    assert "Throttle anon let a request through: the cache is unavailable." in warnings
    assert "Throttle user let a request through: the cache is unavailable." in warnings
    assert "The data version could not be changed: the cache is unavailable." in warnings


@pytest.fixture
def redis_up(settings):
    location = "redis://127.0.0.1:6379/15"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CACHES = {**REDIS_DOWN, "default": {**REDIS_DOWN["default"], "LOCATION": location}}
    settings.REDIS_URL = location


def test_health_checks_redis_when_it_is_configured(anon, db, redis_up):
    response = anon.get(reverse("health"))
    assert response.status_code == 200
    assert {name: check["status"] for name, check in response.json()["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
    }


# --- the read replica -------------------------------------------------------------------------


def test_a_replica_in_the_environment_adds_a_database_and_its_router():
    answer = run_django(
        """
        from django.conf import settings
        print(json.dumps({
            "databases": sorted(settings.DATABASES),
            "replica": settings.DATABASES["replica"]["HOST"],
            "mirror": settings.DATABASES["replica"]["TEST"]["MIRROR"],
            "routers": settings.DATABASE_ROUTERS,
        }))
        """,
        DATABASE_URL="postgres://postgres@db.internal:5432/expo",
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/expo",
    )
    assert answer == {
        "databases": ["default", "replica"],
        "replica": "replica.internal",
        "mirror": "default",
        "routers": ["framework.routers.ReplicaRouter"],
    }


@pytest.mark.parametrize(
    ("method", "deal", "token", "delegation"),
    [
        ("GET", REPLICA, None, REPLICA),
        ("HEAD", REPLICA, None, REPLICA),
        ("OPTIONS", REPLICA, None, REPLICA),
        ("POST", None, None, None),
        ("PATCH", None, None, None),
        ("DELETE", None, None, None),
    ],
)
def test_the_router_reads_safe_requests_from_the_replica_but_tokens_always_from_the_default(
    rf, method, deal, token, delegation
):
    router = ReplicaRouter()
    seen = {}

    def view(request):
        seen.update(
            deal=router.db_for_read(Deal), token=router.db_for_read(ApiToken), delegation=router.db_for_read(Delegation)
        )
        return "answered"

    assert ReplicaReadsMiddleware(view)(rf.generic(method, "/api/deals/")) == "answered"
    assert seen == {"deal": deal, "token": token, "delegation": delegation}
    # Outside a request, and for every write, the default database.
    assert router.db_for_read(Deal) is None
    assert router.db_for_write(Deal) == "default"
    assert router.allow_migrate("default", "deals") is True
    assert router.allow_migrate(REPLICA, "deals") is False


# --- the request log --------------------------------------------------------------------------


def test_every_request_is_logged_with_its_outcome_and_who_asked(db, caplog):
    user = analyst()
    DealFactory()
    client = APIClient()
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="expo.request")

    response = client.get(reverse("deal-list"), {"stage": "signed"}, HTTP_X_REQUEST_ID="lb-1234.5_x")

    assert response["X-Request-ID"] == "lb-1234.5_x"
    [record] = [record for record in caplog.records if record.name == "expo.request"]
    assert record.levelno == logging.INFO
    assert re.fullmatch(r"GET /api/deals/ 200 \d+\.\dms", record.getMessage())
    assert (record.request_id, record.method, record.path, record.query, record.status) == (
        "lb-1234.5_x",
        "GET",
        "/api/deals/",
        "stage=signed",
        200,
    )
    assert record.user_id == user.pk
    assert record.client == "127.0.0.1"
    assert record.bytes == len(response.content)
    assert record.duration_ms >= 0


def test_a_request_id_that_is_not_plausible_is_replaced(anon, db, caplog):
    caplog.set_level(logging.INFO, logger="expo.request")
    response = anon.get(reverse("health"), HTTP_X_REQUEST_ID="bad id\n{injected}")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    [record] = [record for record in caplog.records if record.name == "expo.request"]
    assert record.request_id == response["X-Request-ID"]
    assert record.user_id is None


def test_server_errors_are_logged_as_errors(rf, caplog):
    caplog.set_level(logging.INFO, logger="expo.request")
    RequestLogMiddleware(lambda request: HttpResponseServerError("boom"))(rf.get("/api/deals/"))
    [record] = [record for record in caplog.records if record.name == "expo.request"]
    assert (record.levelno, record.status, record.user_id) == (logging.ERROR, 500, None)


def test_json_log_lines_carry_the_request_fields(rf, caplog):
    config = logging_config("json", "INFO")
    formatter = logging.config.dictConfigClass(config).configure_formatter(config["formatters"]["json"])
    caplog.set_level(logging.INFO, logger="expo.request")
    RequestLogMiddleware(lambda request: HttpResponse("hello"))(
        rf.get("/api/health/", {"x": "1"}, REMOTE_ADDR="203.0.113.9")
    )
    [record] = [record for record in caplog.records if record.name == "expo.request"]
    line = json.loads(formatter.format(record))
    assert {key: line[key] for key in ("level", "logger", "method", "path", "query", "status", "client", "bytes")} == {
        "level": "INFO",
        "logger": "expo.request",
        "method": "GET",
        "path": "/api/health/",
        "query": "x=1",
        "status": 200,
        "client": "203.0.113.9",
        "bytes": 5,
    }
    assert line["message"].startswith("GET /api/health/ 200 ")


@override_settings(REST_FRAMEWORK={"NUM_PROXIES": 1})
def test_behind_one_proxy_the_client_is_the_address_it_saw(rf, caplog):
    api_settings.reload()
    try:
        caplog.set_level(logging.INFO, logger="expo.request")
        request = rf.get("/api/health/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
        RequestLogMiddleware(lambda request: HttpResponse())(request)
        [record] = [record for record in caplog.records if record.name == "expo.request"]
        assert record.client == "203.0.113.9"
    finally:
        api_settings.reload()


# --- the environment ------------------------------------------------------------------------

SETTING_NAMES = re.compile(r"""(?:environ(?:\.get)?[(\[]|env_(?:bool|list|url)\()["']([A-Z_]+)["']""")


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for path in [*sorted((ROOT / "config" / "settings").glob("*.py")), ROOT / "config" / "gunicorn_conf.py"]:
        read |= set(SETTING_NAMES.findall(path.read_text()))
    # Read by gunicorn itself, or set by the tooling rather than the operator.
    read |= {"FORWARDED_ALLOW_IPS"}
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s?([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read - documented == set()
    assert documented - read == set()


def test_postgresql_connections_turn_just_in_time_compilation_off_unless_the_url_says_otherwise():
    assert database_from_url("postgres://expo@db.internal:5432/expo")["OPTIONS"] == {
        "connect_timeout": 5,
        "options": "-c jit=off",
    }
    # The URL's own options come after, so they win where both set the same parameter.
    assert database_from_url("postgres://expo@db/expo?options=-c%20jit%3Don")["OPTIONS"]["options"] == (
        "-c jit=off -c jit=on"
    )
    assert "OPTIONS" not in database_from_url("sqlite:///db.sqlite3")


@pytest.mark.usefixtures("postgresql_only")
def test_the_live_connection_runs_without_just_in_time_compilation(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
