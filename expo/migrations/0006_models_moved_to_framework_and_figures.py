"""API tokens, idempotency keys and deletions moved to the framework app, reported figures to the
figures app: they leave this app's state only, their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("expo", "0005_source_published_on_index"),
        ("figures", "0001_moved_from_expo"),
        ("framework", "0001_moved_from_expo"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="apitoken",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Deletion",
                ),
                migrations.RemoveField(
                    model_name="idempotencykey",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="reportedfigure",
                    name="delegation",
                ),
                migrations.RemoveField(
                    model_name="reportedfigure",
                    name="edition",
                ),
                migrations.RemoveField(
                    model_name="reportedfigure",
                    name="source",
                ),
                migrations.DeleteModel(
                    name="ApiToken",
                ),
                migrations.DeleteModel(
                    name="IdempotencyKey",
                ),
                migrations.DeleteModel(
                    name="ReportedFigure",
                ),
            ],
        ),
    ]
