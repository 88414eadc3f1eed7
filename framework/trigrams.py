"""Trigram indexes for searches (PostgreSQL's pg_trgm): a search's ``LIKE '%word%'`` is then read
from an index instead of every row. SQLite has no such index and searches its rows as before."""

from django.contrib.postgres import operations
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState, StateApps


class TrigramExtension(operations.TrigramExtension):
    """Installs pg_trgm on PostgreSQL, and does nothing elsewhere, either way: Django's own
    operation skips other databases going forwards, but not backwards."""

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_index(table: str, name: str, *, texts: tuple[str, ...], keys: tuple[str, ...] = ()) -> migrations.RunPython:
    """A migration operation creating the GIN trigram index ``name`` over ``table``'s columns as a
    search compares them (``framework.api.filters.filter_search``): ``texts`` in upper case, as a
    case-insensitive lookup reads them (``UPPER(column::text) LIKE UPPER('%word%')``), ``keys``
    (pinyin search keys, compared as they are) unchanged. On PostgreSQL only (pg_trgm installed,
    see ``TrigramExtension``); elsewhere it does nothing, either way."""
    columns = [f"(UPPER({column}::text)) gin_trgm_ops" for column in texts]
    columns += [f"{column} gin_trgm_ops" for column in keys]

    def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gin ({', '.join(columns)})")

    def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
