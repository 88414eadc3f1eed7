"""The groups that give API roles: analysts read everything; delegation editors write the
records of the delegations assigned to them (names as in expo.access)."""

from django.db import migrations

GROUPS = ("Analysts", "Delegation editors")


def create_groups(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name in GROUPS:
        group_model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("expo", "0002_api_tokens_and_idempotency_keys"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
