"""Moving a model to another app: its table stays where it is (``db_table``, and state-only
migrations); its content type is renamed so that the permissions, admin log entries and anything
else that refers to it follow."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def content_types_follow(*, models: tuple[str, ...], old_app: str, new_app: str) -> migrations.RunPython:
    """A migration operation that gives ``models`` (lower-case model names) of ``old_app`` the
    label ``new_app`` in their content types, and takes it back when unapplied."""

    def relabel(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, *, source: str, target: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType")
        content_types.objects.using(schema_editor.connection.alias).filter(app_label=source, model__in=models).update(
            app_label=target
        )

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, schema_editor, source=old_app, target=new_app),
        lambda apps, schema_editor: relabel(apps, schema_editor, source=new_app, target=old_app),
    )
