"""A delegation is never its own ancestor: a trigger walks the parents of the new parent and
refuses the write when it meets the delegation itself. The check constraint
delegation_not_own_parent covers the one-step case; this covers every depth."""

from django.db import migrations

MESSAGE = "delegation_not_own_ancestor: a delegation cannot be its own ancestor"

POSTGRESQL_FORWARD = f"""
CREATE FUNCTION delegation_not_own_ancestor() RETURNS trigger AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE ancestor(id, parent_id) AS (
            SELECT id, parent_id FROM delegations_delegation WHERE id = NEW.parent_id
            UNION
            SELECT d.id, d.parent_id FROM delegations_delegation d JOIN ancestor a ON d.id = a.parent_id
        )
        SELECT 1 FROM ancestor WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation', CONSTRAINT = 'delegation_not_own_ancestor';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER delegation_not_own_ancestor
    BEFORE INSERT OR UPDATE OF parent_id ON delegations_delegation
    FOR EACH ROW EXECUTE FUNCTION delegation_not_own_ancestor();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS delegation_not_own_ancestor ON delegations_delegation;
DROP FUNCTION IF EXISTS delegation_not_own_ancestor();
"""

SQLITE_FORWARD = f"""
CREATE TRIGGER delegation_not_own_ancestor
BEFORE UPDATE OF parent_id ON delegations_delegation
WHEN NEW.parent_id IS NOT NULL AND NEW.id IN (
    WITH RECURSIVE ancestor(id, parent_id) AS (
        SELECT id, parent_id FROM delegations_delegation WHERE id = NEW.parent_id
        UNION
        SELECT d.id, d.parent_id FROM delegations_delegation d JOIN ancestor a ON d.id = a.parent_id
    )
    SELECT id FROM ancestor
)
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""

SQLITE_REVERSE = "DROP TRIGGER IF EXISTS delegation_not_own_ancestor;"


def forward(apps, schema_editor):
    sql = {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql is None:
        raise NotImplementedError(f"No delegation_not_own_ancestor trigger for {schema_editor.connection.vendor}.")
    schema_editor.execute(sql)


def reverse(apps, schema_editor):
    sql = {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}[schema_editor.connection.vendor]
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("delegations", "0002_initial")]

    operations = [migrations.RunPython(forward, reverse)]
