"""The triggers that keep the pipeline funnel's summaries (deals.funnel_summaries) in step."""

from django.db import migrations

from deals import funnel_summaries

# What the funnel knows of each deal (deals.funnel_summaries), computed again for the deals
# ``ids`` from the deals, their enterprises and their stage changes, and kept where it changed:
# the row that left is logged with -1, the one that entered with +1. The rows kept are locked for
# update first, in a fixed order, so that two transactions never both log the same row leaving;
# the statement after the lock reads what was committed before it began, so the second of two
# writers to one deal computes its row from the first one's writes.
REFRESH = """
CREATE FUNCTION deals_funnel_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM deals_dealfunnelfact WHERE deal_id = ANY (ids) ORDER BY deal_id FOR UPDATE;
    WITH fresh AS (
        SELECT d.id AS deal_id, d.edition_id, d.delegation_id, b.country AS buyer_country,
            s.country AS seller_country, d.value_usd,
            (CASE WHEN c.moves = 0 OR c.from_intention THEN 1 ELSE 0 END
             | CASE WHEN c.signed_at IS NOT NULL THEN 2 ELSE 0 END
             | CASE WHEN c.executed THEN 4 ELSE 0 END
             | CASE WHEN c.cancelled_from IS NOT NULL THEN 8 ELSE 0 END) AS entered,
            c.signed_at - d.created_at AS signed_wait, c.cancel_reason, c.cancelled_from
        FROM deals_deal d
        JOIN delegations_enterprise b ON b.id = d.buyer_id
        JOIN delegations_enterprise s ON s.id = d.seller_id
        CROSS JOIN LATERAL (
            SELECT COUNT(*) AS moves,
                COALESCE(BOOL_OR(m.from_stage = 'intention'), false) AS from_intention,
                MIN(m.changed_at) FILTER (WHERE m.to_stage = 'signed') AS signed_at,
                COALESCE(BOOL_OR(m.to_stage = 'executed'), false) AS executed,
                MIN(m.from_stage) FILTER (WHERE m.to_stage = 'cancelled') AS cancelled_from,
                MIN(m.reason) FILTER (WHERE m.to_stage = 'cancelled') AS cancel_reason
            FROM deals_dealstagechange m WHERE m.deal_id = d.id
        ) AS c
        WHERE d.id = ANY (ids)
    ),
    kept AS (
        SELECT * FROM deals_dealfunnelfact WHERE deal_id = ANY (ids)
    ),
    changed AS (
        SELECT COALESCE(f.deal_id, k.deal_id) AS deal_id, f.deal_id IS NOT NULL AS present
        FROM fresh f FULL JOIN kept k ON k.deal_id = f.deal_id
        WHERE (f.edition_id, f.delegation_id, f.buyer_country, f.seller_country, f.value_usd, f.entered,
               f.signed_wait, f.cancel_reason, f.cancelled_from)
            IS DISTINCT FROM
              (k.edition_id, k.delegation_id, k.buyer_country, k.seller_country, k.value_usd, k.entered,
               k.signed_wait, k.cancel_reason, k.cancelled_from)
    ),
    logged AS (
        INSERT INTO deals_dealfunnelchange (sign, edition_id, delegation_id, buyer_country, seller_country,
            value_usd, entered, cancel_reason, cancelled_from)
        SELECT -1, k.edition_id, k.delegation_id, k.buyer_country, k.seller_country, k.value_usd, k.entered,
            k.cancel_reason, k.cancelled_from
        FROM kept k JOIN changed USING (deal_id)
        UNION ALL
        SELECT 1, f.edition_id, f.delegation_id, f.buyer_country, f.seller_country, f.value_usd, f.entered,
            f.cancel_reason, f.cancelled_from
        FROM fresh f JOIN changed USING (deal_id)
    ),
    removed AS (
        DELETE FROM deals_dealfunnelfact WHERE deal_id IN (SELECT deal_id FROM changed WHERE NOT present)
    )
    INSERT INTO deals_dealfunnelfact AS fact (deal_id, edition_id, delegation_id, buyer_country, seller_country,
        value_usd, entered, signed_wait, cancel_reason, cancelled_from)
    SELECT f.* FROM fresh f JOIN changed USING (deal_id)
    ON CONFLICT (deal_id) DO UPDATE SET
        edition_id = EXCLUDED.edition_id, delegation_id = EXCLUDED.delegation_id,
        buyer_country = EXCLUDED.buyer_country, seller_country = EXCLUDED.seller_country,
        value_usd = EXCLUDED.value_usd, entered = EXCLUDED.entered, signed_wait = EXCLUDED.signed_wait,
        cancel_reason = EXCLUDED.cancel_reason, cancelled_from = EXCLUDED.cancelled_from;
END
$$;
"""

# Every writer locks in one order: the deals written, their enterprises (for share), then their
# rows kept; an enterprise whose country changes is locked by its update, then its deals' rows.
# Whoever comes second waits rather than deadlocks. The enterprises of a deal are locked for
# share so that a country changed meanwhile is either read here or, after this transaction, finds
# the deal as this transaction left it (a deal new to an enterprise has no row kept to wait on).
#
# The deals refreshed by each write: those inserted or deleted, those updated in a column the
# funnel reads, those whose stage changes were written, and those of an enterprise whose country
# changed.
TRIGGERS = """
CREATE FUNCTION deals_funnel_lock_parties(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT NULL::void FROM (SELECT 1 FROM delegations_enterprise WHERE id = ANY (ids) ORDER BY id FOR SHARE) AS locked;
$$;

CREATE FUNCTION deals_funnel_deal_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT id FROM old_rows);
    ELSIF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT id FROM new_rows);
    ELSE
        changed := ARRAY(
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.edition_id, o.delegation_id, o.buyer_id, o.seller_id, o.value_usd, o.created_at)
                IS DISTINCT FROM (n.edition_id, n.delegation_id, n.buyer_id, n.seller_id, n.value_usd, n.created_at)
        );
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM deals_funnel_lock_parties(ARRAY(SELECT party.id FROM old_rows o
            CROSS JOIN LATERAL (VALUES (o.buyer_id), (o.seller_id)) AS party(id)));
    ELSE
        PERFORM deals_funnel_lock_parties(ARRAY(SELECT party.id FROM new_rows n
            CROSS JOIN LATERAL (VALUES (n.buyer_id), (n.seller_id)) AS party(id) WHERE n.id = ANY (changed)));
    END IF;
    PERFORM deals_funnel_refresh(changed);
    RETURN NULL;
END
$$;
CREATE TRIGGER deals_funnel_deal_inserts AFTER INSERT ON deals_deal
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_deal_changes();
CREATE TRIGGER deals_funnel_deal_updates AFTER UPDATE ON deals_deal
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_deal_changes();
CREATE TRIGGER deals_funnel_deal_deletes AFTER DELETE ON deals_deal
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_deal_changes();

CREATE FUNCTION deals_funnel_move_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        moved := ARRAY(SELECT DISTINCT deal_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        moved := ARRAY(SELECT DISTINCT deal_id FROM old_rows);
    ELSE
        moved := ARRAY(SELECT deal_id FROM old_rows UNION SELECT deal_id FROM new_rows);
    END IF;
    -- The deals first, as a write to a deal locks it before its enterprises and its row kept.
    PERFORM 1 FROM deals_deal WHERE id = ANY (moved) ORDER BY id FOR NO KEY UPDATE;
    PERFORM deals_funnel_lock_parties(ARRAY(SELECT party.id FROM deals_deal d
        CROSS JOIN LATERAL (VALUES (d.buyer_id), (d.seller_id)) AS party(id) WHERE d.id = ANY (moved)));
    PERFORM deals_funnel_refresh(moved);
    RETURN NULL;
END
$$;
CREATE TRIGGER deals_funnel_move_inserts AFTER INSERT ON deals_dealstagechange
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_move_changes();
CREATE TRIGGER deals_funnel_move_updates AFTER UPDATE ON deals_dealstagechange
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_move_changes();
CREATE TRIGGER deals_funnel_move_deletes AFTER DELETE ON deals_dealstagechange
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_move_changes();

CREATE FUNCTION deals_funnel_enterprise_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[] := ARRAY(SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.country <> n.country);
BEGIN
    IF cardinality(moved) > 0 THEN
        PERFORM deals_funnel_refresh(ARRAY(
            SELECT id FROM deals_deal WHERE buyer_id = ANY (moved) UNION SELECT id FROM deals_deal WHERE seller_id = ANY (moved)
        ));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER deals_funnel_enterprise_updates AFTER UPDATE ON delegations_enterprise
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deals_funnel_enterprise_changes();
"""

DROP = """
DROP TRIGGER IF EXISTS deals_funnel_enterprise_updates ON delegations_enterprise;
DROP FUNCTION IF EXISTS deals_funnel_enterprise_changes();
DROP TRIGGER IF EXISTS deals_funnel_move_inserts ON deals_dealstagechange;
DROP TRIGGER IF EXISTS deals_funnel_move_updates ON deals_dealstagechange;
DROP TRIGGER IF EXISTS deals_funnel_move_deletes ON deals_dealstagechange;
DROP FUNCTION IF EXISTS deals_funnel_move_changes();
DROP TRIGGER IF EXISTS deals_funnel_deal_inserts ON deals_deal;
DROP TRIGGER IF EXISTS deals_funnel_deal_updates ON deals_deal;
DROP TRIGGER IF EXISTS deals_funnel_deal_deletes ON deals_deal;
DROP FUNCTION IF EXISTS deals_funnel_deal_changes();
DROP FUNCTION IF EXISTS deals_funnel_lock_parties(bigint[]);
DROP FUNCTION IF EXISTS deals_funnel_refresh(bigint[]);
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFRESH)
        schema_editor.execute(TRIGGERS)
        # The deals already there, summed up.
        funnel_summaries.rebuild(using=schema_editor.connection.alias)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)



class Migration(migrations.Migration):
    # Apart from the tables' migration, whose indexes are made at its end: the rebuild below
    # writes through them.
    dependencies = [
        ("deals", "0011_funnel_summaries"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
