"""The benchmark database (``DATABASE_URL``, else ``expo_bench`` on the local PostgreSQL: see
``benchmarks.settings``): a PostgreSQL database holding exactly the demo data of the requested
size, created, migrated and filled on first use and reused while it still holds that data.

What was generated is recorded in the table ``benchmark_dataset``; a database without it is
only ever filled when it holds no deals, and only ever dropped when it has it, so pointing
``DATABASE_URL`` at a database with other data stops the run instead of destroying that data.
"""

import time
from collections.abc import Callable, Mapping
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from psycopg import sql

from deals.models import Deal

MARKER_TABLE = "benchmark_dataset"
SEED = 0


class DatabaseRefused(Exception):
    """The database named cannot be used for the benchmarks (not PostgreSQL, or other data in it)."""


class Cluster:
    """The PostgreSQL server of the database ``config`` (a ``DATABASES`` entry), reached through
    its ``postgres`` database to create and drop that database."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise DatabaseRefused(f"The benchmarks run on PostgreSQL, not {config['ENGINE']}: check DATABASE_URL.")
        self.name = config["NAME"]
        self.connect_args: dict[str, Any] = {
            "dbname": "postgres",
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
        }

    def _execute(self, statement: sql.SQL | sql.Composed, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(**self.connect_args, autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def exists(self) -> bool:
        return bool(self._execute(sql.SQL("SELECT 1 FROM pg_database WHERE datname = %s"), (self.name,)))

    def create(self) -> None:
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        # FORCE ends the connections left open to it (an interrupted run's, say).
        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


def _recorded() -> tuple[int, int] | None:
    """The deals and seed recorded as generated here, or ``None`` where nothing is recorded."""
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT deals, seed FROM {MARKER_TABLE}")  # noqa: S608 - a constant name
        row = cursor.fetchone()
    return row


def _deal_count() -> int:
    if Deal._meta.db_table not in connection.introspection.table_names():
        return 0
    return Deal.objects.count()


def _migrate(say: Callable[[str], None]) -> int:
    """Apply the migrations not yet applied; how many there were."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        say(f"Applying {len(plan)} migrations")
        call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


def _generate(deals: int, say: Callable[[str], None]) -> None:
    say(f"Generating {deals:,} demo deals (about 40 s per 100,000)")
    started = time.perf_counter()
    # With its record, or not at all: an interrupted run leaves an empty database behind.
    with transaction.atomic(), connection.cursor() as cursor:
        call_command("generate_demo", deals=deals, seed=SEED)
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (deals integer NOT NULL, seed integer NOT NULL, "
            "generated_at timestamptz NOT NULL DEFAULT now(), seconds double precision NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (deals, seed, seconds) VALUES (%s, %s, %s)",  # noqa: S608 - a constant name
            [deals, SEED, time.perf_counter() - started],
        )


def _analyze(say: Callable[[str], None]) -> None:
    # VACUUM as well: it sets the visibility map, so index-only scans (counts) are planned the
    # same in a database just filled as in one autovacuum has visited since.
    say("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def prepare(*, deals: int, fresh: bool, say: Callable[[str], None]) -> str:
    """Make the database of ``DATABASE_URL`` hold exactly ``deals`` demo deals, migrated and
    analysed; "reused" or "generated" says how."""
    cluster = Cluster(settings.DATABASES["default"])
    if fresh and cluster.exists():
        _check_ours(cluster)
        connection.close()
        say(f"Dropping database {cluster.name} (--fresh)")
        cluster.drop()
    if not cluster.exists():
        say(f"Creating database {cluster.name}")
        cluster.create()
    recorded = _recorded()
    if recorded is None:
        _check_ours(cluster)
    elif recorded != (deals, SEED) or _deal_count() != deals:
        connection.close()
        say(f"Database {cluster.name} holds another data set ({recorded[0]:,} deals): recreating it")
        cluster.drop()
        cluster.create()
        recorded = None
    migrated = _migrate(say)
    if recorded is None:
        _generate(deals, say)
        _analyze(say)
        return "generated"
    if migrated:
        _analyze(say)
    say(f"Reusing the {deals:,} deals in database {cluster.name}")
    return "reused"


def _check_ours(cluster: Cluster) -> None:
    """Refuse to fill or drop a database with deals the benchmarks did not generate."""
    if _recorded() is None and _deal_count():
        raise DatabaseRefused(
            f"Database {cluster.name} holds deals the benchmarks did not generate, and is left as it is: "
            "set DATABASE_URL to a database of their own."
        )
