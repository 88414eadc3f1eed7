"""The pipeline funnel from kept summaries, on PostgreSQL.

``/api/stats/funnel/`` computed from the deals joins every deal to its stage changes: at a million
deals, two seconds per grouping. What the funnel needs of a deal is kept instead, in three steps:

- ``DealFunnelFact``: one row per deal, with its keys, its value, the stages it entered (one bit
  per stage, :data:`ENTERED`), its wait from creation to signing, and the reason and stage of its
  cancellation. Triggers (migration deals 0011) compute a deal's row again whenever the deal, one
  of its stage changes or the country of one of its enterprises is written, in the transaction
  that writes it, and log the row that left (-1) and the one that entered (+1) to
  ``DealFunnelChange``.
- ``DealFunnelSummary`` and ``DealFunnelCancellation``: per group of the groupings kept
  (:data:`KEPT`), the deals that entered each stage with their values, and the cancellations by
  reason. A funnel read first adds the pending changes, in one statement under a lock, as the
  statistics summaries do (``deals.summaries``).
- The median wait to signing is not a sum: it is read from the kept rows themselves, through an
  index per grouping over the signed deals' waits, in whose order the middle one or two are found.

Only the callers who read every deal (analysts, admins) are answered from here; the public, an
editor, a filter or grouping not kept, and a rolled-up delegation are answered from the deals:
:func:`funnel` returns ``None``."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, transaction

from deals import stats, summaries
from deals.funnel import CANCELLED_FROM, GROUP_KEYS, Funnel, cancellation, funnel_row
from deals.models import FUNNEL_GROUPINGS, DealSummaryKey

# The bit of each stage in ``entered``, as the trigger function deals_funnel_refresh sets it.
ENTERED: dict[str, int] = {"intention": 1, "signed": 2, "executed": 4, "cancelled": 8}
_KEY_OF_COLUMN = {column: key for key, (_, column, _) in summaries.KEYS.items()}
# The groupings kept, as masks of deals.summaries.KEYS, each with its key columns.
KEPT: dict[int, tuple[str, ...]] = {
    summaries.grouping_of(_KEY_OF_COLUMN[column] for column in columns): columns for columns in FUNNEL_GROUPINGS
}
# The filters answered: one value of a key the funnel groups by (a delegation only if none is below it).
FILTERS = frozenset(set(GROUP_KEYS) & set(summaries.KEYS))
# A group is listed once a deal in it entered the first stage, as deals.funnel lists them.
ENTERED_COUNT = "intention_count"
LOCK = summaries.LOCK + 1  # the advisory lock that serialises the folding of changes into the funnel's summaries

KEY_COLUMNS = ", ".join(DealSummaryKey.KEY)
_FUNNEL_KEYS = {key: value for key, value in summaries.KEYS.items() if key in FILTERS}
# Each key column of a change in the groups of the grouping ``g.mask``; never grouped by stage.
_MASKED = ",\n        ".join(
    f"CASE WHEN g.mask & {bit} <> 0 THEN v.{column} ELSE {blank} END AS {column}"
    for bit, column, blank in _FUNNEL_KEYS.values()
)
MEASURES = ("deal_count", *(f"{stage}_{measure}" for stage in ENTERED for measure in ("count", "valued", "value_usd")))
_SUMMED = ",\n    ".join(
    [
        "SUM(sign)",
        *(
            f"COALESCE(SUM(sign) FILTER (WHERE entered & {bit} <> 0), 0), "
            f"COALESCE(SUM(sign) FILTER (WHERE entered & {bit} <> 0 AND value_usd IS NOT NULL), 0), "
            f"COALESCE(SUM(sign * value_usd) FILTER (WHERE entered & {bit} <> 0), 0)"
            for bit in ENTERED.values()
        ),
    ]
)
_ADDED = ",\n    ".join(f"{measure} = kept.{measure} + EXCLUDED.{measure}" for measure in MEASURES)

# Takes every pending change and adds it to the summaries, in one statement.
FOLD = f"""
WITH taken AS (
    DELETE FROM deals_dealfunnelchange
    RETURNING sign, edition_id, delegation_id, buyer_country, seller_country, value_usd, entered, cancel_reason,
        cancelled_from
),
grouped AS (
    SELECT g.mask AS grouping,
        {_MASKED},
        '' AS stage, v.sign, v.value_usd, v.entered, v.cancel_reason, v.cancelled_from
    FROM taken v CROSS JOIN (VALUES {", ".join(f"({mask})" for mask in KEPT)}) AS g(mask)
),
cancellations AS (
    INSERT INTO deals_dealfunnelcancellation AS kept ({KEY_COLUMNS}, reason, from_stage, deal_count, valued_count,
        value_usd)
    SELECT {KEY_COLUMNS}, cancel_reason, cancelled_from, SUM(sign),
        COALESCE(SUM(sign) FILTER (WHERE value_usd IS NOT NULL), 0), COALESCE(SUM(sign * value_usd), 0)
    FROM grouped
    WHERE entered & {ENTERED["cancelled"]} <> 0
    GROUP BY {KEY_COLUMNS}, cancel_reason, cancelled_from
    ON CONFLICT ({KEY_COLUMNS}, from_stage, md5(reason)) DO UPDATE SET
        deal_count = kept.deal_count + EXCLUDED.deal_count,
        valued_count = kept.valued_count + EXCLUDED.valued_count,
        value_usd = kept.value_usd + EXCLUDED.value_usd
)
INSERT INTO deals_dealfunnelsummary AS kept ({KEY_COLUMNS}, {", ".join(MEASURES)})
SELECT {KEY_COLUMNS},
    {_SUMMED}
FROM grouped
GROUP BY {KEY_COLUMNS}
ON CONFLICT ({KEY_COLUMNS}) DO UPDATE SET
    {_ADDED}
"""  # noqa: S608  (the names and bits are this module's constants)


def _fold(cursor) -> None:
    """Add the pending changes to the summaries, under the lock. Within a transaction."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
    cursor.execute(FOLD)
    cursor.execute("DELETE FROM deals_dealfunnelcancellation WHERE deal_count = 0")
    cursor.execute("DELETE FROM deals_dealfunnelsummary WHERE deal_count = 0")


def rebuild(*, using: str | None = None) -> None:
    """Compute every deal's funnel row and the summaries again from the deals and their stage
    changes: after a restore that skipped the triggers, say. Does nothing off PostgreSQL."""
    connection = connections[using or summaries.database()]
    if not summaries.supported(connection):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        cursor.execute(
            "TRUNCATE deals_dealfunnelfact, deals_dealfunnelchange, deals_dealfunnelsummary, "
            "deals_dealfunnelcancellation"
        )
        cursor.execute("SELECT deals_funnel_refresh(ARRAY(SELECT id FROM deals_deal))")
        _fold(cursor)
        # Every row is new: the planner is told so, or it would guess at the medians' index scans.
        cursor.execute("ANALYZE deals_dealfunnelfact, deals_dealfunnelsummary, deals_dealfunnelcancellation")


def _read_sql(mask: int, filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement reading the groups of ``mask`` matching ``filters``, each with its median
    wait to signing (from the kept rows: the middle one or two of the group's signed deals, in
    the order of the grouping's index) and its cancellations, as one snapshot."""
    same = "".join(f" AND f.{column} = g.{column}" for column in KEPT[mask])
    conditions, params = ["g.grouping = %s", f"g.{ENTERED_COUNT} > 0"], [mask]
    for key, value in filters.items():
        conditions.append(f"g.{summaries.KEYS[key][1]} = %s")
        params.append(value)
    keys_equal = " AND ".join(f"c.{column} = g.{column}" for column in DealSummaryKey.KEY)
    # The columns and conditions are this module's constants; the values are parameters.
    sql = f"""
        SELECT {", ".join(f"g.{column}" for column in DealSummaryKey.KEY)}, {", ".join(f"g.{m}" for m in MEASURES)},
            w.median_wait,
            (SELECT COALESCE(json_agg(json_build_array(c.reason, c.from_stage, c.deal_count, c.valued_count,
                    c.value_usd::text)), '[]')
             FROM deals_dealfunnelcancellation c WHERE {keys_equal}) AS cancellations
        FROM deals_dealfunnelsummary g
        CROSS JOIN LATERAL (
            SELECT COUNT(*) AS signed FROM deals_dealfunnelfact f WHERE f.signed_wait IS NOT NULL{same}
        ) AS n
        CROSS JOIN LATERAL (
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m.signed_wait) AS median_wait
            FROM (
                SELECT f.signed_wait FROM deals_dealfunnelfact f WHERE f.signed_wait IS NOT NULL{same}
                ORDER BY f.signed_wait OFFSET (n.signed - 1) / 2 LIMIT 2 - n.signed %% 2
            ) AS m
        ) AS w
        WHERE {" AND ".join(conditions)}"""  # noqa: S608
    return sql, params


def _cancellations(entries: list[list[Any]]) -> list[dict[str, Any]]:
    """A group's :func:`deals.funnel.cancellation` entries from its kept rows, one per reason and
    stage cancelled from."""
    by_reason: dict[str, dict[str, Any]] = {}
    for reason, from_stage, deal_count, valued_count, value_usd in entries:
        entry = by_reason.setdefault(
            reason,
            {
                "deal_count": 0,
                "valued_count": 0,
                "value_usd": Decimal(0),
                "from_stage": dict.fromkeys(CANCELLED_FROM, 0),
            },
        )
        entry["deal_count"] += deal_count
        entry["valued_count"] += valued_count
        entry["value_usd"] += Decimal(value_usd)
        entry["from_stage"][from_stage] += deal_count
    return [cancellation(reason=reason, **entry) for reason, entry in by_reason.items()]


def funnel(*, group_by: Sequence[str], filters: Mapping[str, Any]) -> Funnel | None:
    """:func:`deals.funnel.deal_funnel` of every deal matching ``filters`` (one value per key),
    with the reasons of cancellations, from the summaries; or ``None`` where they do not hold the
    answer (or off PostgreSQL).

    Queries: one to see whether anything is pending (four more to add what is), one to read, one
    to label each kind of record, and with a delegation filter one to see that no delegation is
    below it."""
    mask = summaries.answerable(group_by, filters, kept=KEPT)
    if mask is None:
        return None
    connection = connections[summaries.database()]
    if not summaries.supported(connection) or summaries.below_a_delegation(filters):
        return None
    sql, params = _read_sql(mask, filters)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM deals_dealfunnelchange)")
        if cursor.fetchone()[0]:
            _fold(cursor)
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    rows = [
        funnel_row(
            keys={key: summaries.key_value(key, row[summaries.KEYS[key][1]]) for key in group_by},
            measures=row,
            waited=row["median_wait"],
            cancellations=_cancellations(row["cancellations"]),
        )
        for row in found
    ]
    rows.sort(key=lambda row: stats.sort_key(row, group_by))
    stats.label_rows(rows, group_by)
    return Funnel(tuple(group_by), None, rows)
