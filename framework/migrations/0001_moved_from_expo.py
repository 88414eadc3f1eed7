"""API tokens, idempotency keys and the deletion feed, moved here from the expo app: their tables
(expo_apitoken, expo_idempotencykey, expo_deletion) and rows stay as they are."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from framework.moving import content_types_follow


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("expo", "0005_source_published_on_index"),
    ]

    operations = [
        content_types_follow(models=("apitoken", "idempotencykey", "deletion"), old_app="expo", new_app="framework"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Deletion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "collection",
                            models.CharField(help_text="The collection's name in its URL, e.g. deals.", max_length=40),
                        ),
                        (
                            "record_id",
                            models.PositiveBigIntegerField(help_text="The id the record had in its collection."),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("deleted", "Deleted"), ("withdrawn", "Withdrawn from public view")],
                                max_length=10,
                            ),
                        ),
                        ("deleted_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("is_published", models.BooleanField(default=True)),
                        ("embargo_until", models.DateTimeField(blank=True, null=True)),
                        ("delegation_id", models.BigIntegerField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "expo_deletion",
                        "ordering": ["deleted_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("digest", models.CharField(max_length=128, primary_key=True, serialize=False)),
                        ("token_key", models.CharField(db_index=True, max_length=25)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("expiry", models.DateTimeField(blank=True, null=True)),
                        (
                            "client",
                            models.CharField(
                                blank=True, help_text="What uses the token, e.g. 'sales dashboard'.", max_length=100
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="auth_token_set",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API token",
                        "db_table": "expo_apitoken",
                        "ordering": ["-created"],
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        ("method", models.CharField(max_length=10)),
                        ("path", models.CharField(max_length=500)),
                        ("fingerprint", models.CharField(help_text="SHA-256 of the request body.", max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField(null=True)),
                        ("response_body", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "expo_idempotencykey",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "key"),
                                name="idempotencykey_unique_per_user",
                                violation_error_message="This idempotency key has been used already.",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
