"""Deal statistics from kept summaries, on PostgreSQL.

``/api/stats/deals/`` computed from the deals reads every deal it counts: at a million deals,
most of a second per grouping. The summaries keep the same measures per group for a fixed set of
groupings (``KEPT``), for everyone and for the public, so that the common questions are a read of
a few rows:

- ``DealSummary``: per group, the deals, those with a value, the USD value per stage, and the
  distinct buyers and sellers;
- ``DealSummaryParty``: per group and role, how many of the group's deals each enterprise is in,
  and how many of those the public reads, so that a distinct count changes exactly when an
  enterprise's first deal in the group comes or its last one goes.

Triggers (migration deals 0010) write each change of a deal, in the transaction that makes it, to
``DealSummaryChange``: the version that left (-1) and the one that entered (+1), with the buyer's
and seller's countries. They fire for every path (the API, bulk writes, merges, the admin, raw
SQL), and for an enterprise whose country changes, for each of its deals. A statistics read
first takes the pending changes and adds them to the summaries, in one statement under a lock;
writers never wait for one another there.

The public reads a deal once it is published and past any embargo: the summaries classify deals
as of ``DealSummaryState.public_as_of``, and a read moves that time on, adding the deals whose
embargo ended meanwhile.

A rebuild (:func:`rebuild`, ``manage.py rebuild_deal_summaries``, the migration that adds them)
sums every deal up again: at a million deals, some minutes, during which statistics reads wait.

A question the summaries cannot answer (another caller, another filter, a key they do not keep,
a rolled-up delegation) is answered from the deals: :func:`statistics` returns ``None``."""

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction

from deals.models import DealSummary
from deals.stats import STAGES, DealStatistics, label_rows, measures_of, sort_key
from delegations.models import Delegation

# The keys the summaries group by, each a bit of ``grouping``, with its column and (as SQL) its
# value in groupings without it.
KEYS: dict[str, tuple[int, str, str]] = {
    "edition": (1, "edition_id", "0"),
    "delegation": (2, "delegation_id", "0"),
    "stage": (4, "stage", "''"),
    "buyer_country": (8, "buyer_country", "''"),
    "seller_country": (16, "seller_country", "''"),
}
# The filters a summary answers: one value of a key (a delegation only if none is below it: the
# deal filter takes the delegations below too).
FILTERS = frozenset({"edition", "delegation", "stage", "buyer_country", "seller_country"})
# The groupings kept: every deal, each key alone, and each key with the edition.
KEPT: tuple[int, ...] = (0, 1, 2, 4, 8, 16, 1 | 2, 1 | 4, 1 | 8, 1 | 16)
EVERYONE, PUBLIC = 0, 1
LOCK = 0x5E41_5D5A  # the advisory lock that serialises the folding of changes into the summaries

PARTY_COLUMNS = "grouping, edition_id, delegation_id, stage, buyer_country, seller_country"
GROUP_COLUMNS = f"{PARTY_COLUMNS}, audience"
CHANGE_COLUMNS = (
    "sign, edition_id, delegation_id, stage, buyer_id, seller_id, buyer_country, seller_country, value_usd, "
    "is_published, embargo_until"
)


def grouping_of(keys: Iterable[str]) -> int:
    """The ``grouping`` of the groups keyed by ``keys``."""
    return sum(KEYS[key][0] for key in keys)


# Each key column of a version in the groups of the grouping ``g.mask``.
_MASKED = ",\n        ".join(
    f"CASE WHEN g.mask & {bit} <> 0 THEN v.{column} ELSE {blank} END AS {column}"
    for bit, column, blank in KEYS.values()
)


_STAGE_SUMS = ",\n        ".join(
    f"COALESCE(SUM(a.sign * value_usd) FILTER (WHERE deal_stage = '{stage}'), 0) AS value_usd_{stage}"
    for stage in STAGES
)
STAGE_SUMS = ", ".join(f"value_usd_{stage}" for stage in STAGES)
_STAGE_ZEROS = ", ".join("0" for _ in STAGES)
_STAGE_TOTALS = ", ".join(f"SUM(value_usd_{stage})" for stage in STAGES)
_STAGE_ADDED = ", ".join(
    f"value_usd_{stage} = deals_dealsummary.value_usd_{stage} + EXCLUDED.value_usd_{stage}" for stage in STAGES
)

# Takes every pending change and adds it to the summaries, in one statement so that the changes
# taken and the deals read for ended embargoes are of one snapshot. %(since)s is the time the
# public's summaries are as of, %(until)s the time they move on to.
FOLD = f"""
WITH taken AS (
    DELETE FROM deals_dealsummarychange RETURNING {CHANGE_COLUMNS}
),
versions AS (
    -- Each version with its sign for everyone and for the public: a deal whose embargo ended
    -- between the two times enters the public's summaries only.
    SELECT sign, CASE WHEN is_published AND (embargo_until IS NULL OR embargo_until <= %(since)s)
            THEN sign ELSE 0 END AS public_sign,
        edition_id, delegation_id, stage, buyer_id, seller_id, buyer_country, seller_country, value_usd
    FROM taken
    UNION ALL
    SELECT 0, 1, d.edition_id, d.delegation_id, d.stage, d.buyer_id, d.seller_id, b.country, s.country, d.value_usd
    FROM deals_deal d
    JOIN delegations_enterprise b ON b.id = d.buyer_id
    JOIN delegations_enterprise s ON s.id = d.seller_id
    WHERE d.is_published AND d.embargo_until > %(since)s AND d.embargo_until <= %(until)s
),
grouped AS (
    SELECT g.mask AS grouping,
        {_MASKED},
        v.sign, v.public_sign, v.value_usd, v.stage AS deal_stage, v.buyer_id, v.seller_id
    FROM versions v CROSS JOIN (VALUES {", ".join(f"({mask})" for mask in KEPT)}) AS g(mask)
),
party_changes AS (
    SELECT {PARTY_COLUMNS}, p.role, p.enterprise_id, SUM(sign) AS change, SUM(public_sign) AS public_change
    FROM grouped CROSS JOIN LATERAL (VALUES ('b', buyer_id), ('s', seller_id)) AS p(role, enterprise_id)
    GROUP BY {PARTY_COLUMNS}, p.role, p.enterprise_id
    HAVING SUM(sign) <> 0 OR SUM(public_sign) <> 0
),
parties AS (
    INSERT INTO deals_dealsummaryparty AS kept ({PARTY_COLUMNS}, role, enterprise_id, deal_count, public_count)
    SELECT {PARTY_COLUMNS}, role, enterprise_id, change, public_change FROM party_changes
    ON CONFLICT ({PARTY_COLUMNS}, role, enterprise_id) DO UPDATE SET
        deal_count = kept.deal_count + EXCLUDED.deal_count,
        public_count = kept.public_count + EXCLUDED.public_count
    RETURNING {PARTY_COLUMNS}, role, enterprise_id, deal_count, public_count
),
arrivals AS (
    -- Per audience, +1 where an enterprise's count in a group rose from zero, -1 where it fell to it.
    SELECT {PARTY_COLUMNS}, a.audience,
        SUM(CASE WHEN a.count > 0 AND a.count = a.change THEN 1
                 WHEN a.count = 0 AND a.change < 0 THEN -1 ELSE 0 END) FILTER (WHERE role = 'b') AS buyers,
        SUM(CASE WHEN a.count > 0 AND a.count = a.change THEN 1
                 WHEN a.count = 0 AND a.change < 0 THEN -1 ELSE 0 END) FILTER (WHERE role = 's') AS sellers
    FROM parties p JOIN party_changes c USING ({PARTY_COLUMNS}, role, enterprise_id)
    CROSS JOIN LATERAL (VALUES ({EVERYONE}, p.deal_count, c.change), ({PUBLIC}, p.public_count, c.public_change))
        AS a(audience, count, change)
    GROUP BY {PARTY_COLUMNS}, a.audience
),
measures AS (
    SELECT {PARTY_COLUMNS}, a.audience,
        SUM(a.sign) AS deal_count,
        COALESCE(SUM(a.sign) FILTER (WHERE value_usd IS NOT NULL), 0) AS valued_count,
        {_STAGE_SUMS},
        0 AS buyers, 0 AS sellers
    FROM grouped CROSS JOIN LATERAL (VALUES ({EVERYONE}, sign), ({PUBLIC}, public_sign)) AS a(audience, sign)
    WHERE a.sign <> 0
    GROUP BY {PARTY_COLUMNS}, a.audience
    UNION ALL
    SELECT {PARTY_COLUMNS}, audience, 0, 0, {_STAGE_ZEROS}, COALESCE(buyers, 0), COALESCE(sellers, 0) FROM arrivals
)
INSERT INTO deals_dealsummary ({GROUP_COLUMNS}, deal_count, valued_count, {STAGE_SUMS}, buyers, sellers)
SELECT {GROUP_COLUMNS}, SUM(deal_count), SUM(valued_count), {_STAGE_TOTALS}, SUM(buyers), SUM(sellers)
FROM measures
GROUP BY {GROUP_COLUMNS}
ON CONFLICT ({GROUP_COLUMNS}) DO UPDATE SET
    deal_count = deals_dealsummary.deal_count + EXCLUDED.deal_count,
    valued_count = deals_dealsummary.valued_count + EXCLUDED.valued_count,
    {_STAGE_ADDED},
    buyers = deals_dealsummary.buyers + EXCLUDED.buyers,
    sellers = deals_dealsummary.sellers + EXCLUDED.sellers
"""  # noqa: S608  (the names and bits are this module's constants; values are parameters)


def supported(connection) -> bool:
    return connection.vendor == "postgresql"


def database() -> str:
    # The summaries are written on reading, so always on the database written to.
    return router.db_for_write(DealSummary)


def _fold(cursor, *, until: datetime.datetime) -> datetime.datetime | None:
    """Add the pending changes (and the embargoes ended by ``until``) to the summaries, under
    the lock; return the time the public's summaries are now as of, or ``None`` if there are no
    summaries to add to (a database emptied by ``flush``: :func:`rebuild` makes them again).
    Within a transaction."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
    cursor.execute("SELECT public_as_of FROM deals_dealsummarystate WHERE id = 1")
    state = cursor.fetchone()
    if state is None:
        return None
    since = state[0]
    until = max(since, until)
    cursor.execute(FOLD, {"since": since, "until": until})
    cursor.execute("DELETE FROM deals_dealsummaryparty WHERE deal_count = 0")
    cursor.execute("DELETE FROM deals_dealsummary WHERE deal_count = 0")
    if until != since:
        cursor.execute("UPDATE deals_dealsummarystate SET public_as_of = %s WHERE id = 1", [until])
    return until


def _summed_up(mask: int) -> tuple[str, str]:
    """The statements that sum every deal up into the groups of ``mask``: its enterprise counts,
    then its groups. %(at)s is the time the public's groups are as of."""
    sources = {"edition_id": "d.edition_id", "delegation_id": "d.delegation_id", "stage": "d.stage"}
    sources |= {"buyer_country": "b.country", "seller_country": "s.country"}
    keys = ", ".join(sources[column] if mask & bit else blank for bit, column, blank in KEYS.values())
    # Grouped by the columns only: a number in GROUP BY would name an output column.
    grouped = ", ".join(sources[column] for bit, column, _ in KEYS.values() if mask & bit)
    deals = """
        FROM deals_deal d
        JOIN delegations_enterprise b ON b.id = d.buyer_id
        JOIN delegations_enterprise s ON s.id = d.seller_id"""
    public = "d.is_published AND (d.embargo_until IS NULL OR d.embargo_until <= %(at)s)"
    parties = f"""
        INSERT INTO deals_dealsummaryparty ({PARTY_COLUMNS}, role, enterprise_id, deal_count, public_count)
        SELECT {mask}, {keys}, p.role, p.enterprise_id, COUNT(*), COUNT(*) FILTER (WHERE {public})
        {deals}
        CROSS JOIN LATERAL (VALUES ('b', d.buyer_id), ('s', d.seller_id)) AS p(role, enterprise_id)
        GROUP BY {grouped + ", " if grouped else ""}p.role, p.enterprise_id"""
    stage_sums = ", ".join(f"COALESCE(SUM(d.value_usd) FILTER (WHERE d.stage = '{stage}'), 0)" for stage in STAGES)
    groups = f"""
        INSERT INTO deals_dealsummary ({GROUP_COLUMNS}, deal_count, valued_count, {STAGE_SUMS}, buyers, sellers)
        SELECT m.*, COALESCE(p.buyers, 0), COALESCE(p.sellers, 0)
        FROM (
            SELECT {mask}, {keys}, a.audience, COUNT(*), COUNT(d.value_usd), {stage_sums}
            {deals}
            CROSS JOIN LATERAL (VALUES ({EVERYONE}, true), ({PUBLIC}, {public})) AS a(audience, counted)
            WHERE a.counted
            GROUP BY {grouped + ", " if grouped else ""}a.audience
        ) AS m ({GROUP_COLUMNS}, deal_count, valued_count, {STAGE_SUMS})
        LEFT JOIN (
            SELECT {PARTY_COLUMNS}, a.audience,
                COUNT(*) FILTER (WHERE role = 'b') AS buyers, COUNT(*) FILTER (WHERE role = 's') AS sellers
            FROM deals_dealsummaryparty
            CROSS JOIN LATERAL (VALUES ({EVERYONE}, deal_count), ({PUBLIC}, public_count)) AS a(audience, count)
            WHERE grouping = {mask} AND a.count > 0
            GROUP BY {PARTY_COLUMNS}, a.audience
        ) AS p USING ({GROUP_COLUMNS})"""  # noqa: S608  (constants only)
    return parties, groups


def _restart(cursor, *, at: datetime.datetime) -> None:
    cursor.execute("TRUNCATE deals_dealsummary, deals_dealsummaryparty, deals_dealsummarychange")
    cursor.execute("DELETE FROM deals_dealsummarystate")
    cursor.execute("INSERT INTO deals_dealsummarystate (id, public_as_of) VALUES (1, %s)", [at])
    for mask in KEPT:
        for statement in _summed_up(mask):
            cursor.execute(statement, {"at": at})


def rebuild(*, at: datetime.datetime, using: str | None = None) -> None:
    """Compute the summaries again from the deals, as of ``at`` for the public: after a restore
    that skipped the triggers, say. Does nothing off PostgreSQL."""
    connection = connections[using or database()]
    if not supported(connection):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        _restart(cursor, at=at)


def answerable(group_by: Sequence[str], filters: Mapping[str, Any], *, kept: Collection[int] = KEPT) -> int | None:
    """The grouping of ``kept`` that holds the answer to ``group_by`` with equality ``filters`` on
    keys, or ``None`` if none does (or the totals' grouping is not kept)."""
    keys = set(group_by) | set(filters)
    if not keys <= KEYS.keys():
        return None
    mask = grouping_of(keys)
    return mask if mask in kept and grouping_of(filters) in kept else None


def below_a_delegation(filters: Mapping[str, Any]) -> bool:
    """Whether ``filters`` name a delegation with delegations below it, whose deals the deal
    filter takes too: the summaries, kept per delegation, do not hold that answer."""
    return "delegation" in filters and Delegation.objects.filter(parent_id=filters["delegation"]).exists()


NO_DEALS = {
    "deal_count": 0,
    "value_usd": {stage: Decimal("0.00") for stage in STAGES},
    "unvalued_count": 0,
    "buyers": 0,
    "sellers": 0,
}


def statistics(
    *, group_by: Sequence[str], filters: Mapping[str, Any], public: bool, as_of: datetime.datetime
) -> DealStatistics | None:
    """:func:`deals.stats.deal_statistics` of every deal (``public``: of those published and past
    any embargo at ``as_of``) matching ``filters`` (one value per key), from the summaries; or
    ``None`` where they do not hold the answer (or off PostgreSQL).

    Queries: two or three to see that nothing is pending (four more to add what is), one to read,
    one to label each kind of record, and with a delegation filter one to see that no delegation
    is below it."""
    mask = answerable(group_by, filters)
    if mask is None:
        return None
    connection = connections[database()]
    if not supported(connection):
        return None
    if below_a_delegation(filters):
        return None
    totals_mask = grouping_of(filters)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        classified_at = _up_to_date(cursor, until=as_of)
        if classified_at is None:
            return None
        if public and classified_at > as_of and _embargoes_end(cursor, after=as_of, by=classified_at):
            # The summaries have let embargoes end after as_of (a clock set back): they do not
            # hold the public's answer at as_of.
            return None
        found = _read(cursor, masks=(mask, totals_mask), filters=filters, public=public)
    rows = [row for row in found if row["grouping"] == mask]
    total_rows = [row for row in found if row["grouping"] == totals_mask]
    results = [{**{key: key_value(key, row[KEYS[key][1]]) for key in group_by}, **measures_of(row)} for row in rows]
    results.sort(key=lambda row: sort_key(row, group_by))
    label_rows(results, group_by)
    totals = measures_of(total_rows[0]) if total_rows else dict(NO_DEALS)
    return DealStatistics(tuple(group_by), None, results, totals)


def _embargoes_end(cursor, *, after: datetime.datetime, by: datetime.datetime) -> bool:
    """Whether a published deal's embargo ends after ``after`` and by ``by``."""
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM deals_deal WHERE is_published AND embargo_until > %s AND embargo_until <= %s)",
        [after, by],
    )
    return cursor.fetchone()[0]


def _up_to_date(cursor, *, until: datetime.datetime) -> datetime.datetime | None:
    """The time the public's summaries are as of once they hold every change committed and every
    embargo ended by ``until``: read as they are where nothing is pending, without waiting for the
    lock, else after adding what is (:func:`_fold`). ``None`` if there are no summaries."""
    cursor.execute(
        "SELECT public_as_of, EXISTS (SELECT 1 FROM deals_dealsummarychange) FROM deals_dealsummarystate WHERE id = 1"
    )
    state = cursor.fetchone()
    if state is None:
        return None
    since, pending = state
    if not pending and until > since:
        pending = _embargoes_end(cursor, after=since, by=until)
    return _fold(cursor, until=until) if pending else since


def key_value(key: str, stored: Any) -> Any:
    # A country the enterprise has none of is kept as "" and read as the null group.
    return None if stored == "" and key in ("buyer_country", "seller_country") else stored


def _read(cursor, *, masks: Sequence[int], filters: Mapping[str, Any], public: bool) -> list[dict[str, Any]]:
    # The groups of both groupings in one statement, so of one snapshot.
    conditions = ["grouping = ANY(%s)", "audience = %s"]
    params: list[Any] = [list(masks), PUBLIC if public else EVERYONE]
    for key, value in filters.items():
        conditions.append(f"{KEYS[key][1]} = %s")
        params.append(value)
    columns = "grouping, edition_id, delegation_id, stage, buyer_country, seller_country, deal_count, valued_count"
    # The columns and conditions are this module's constants; the values are parameters.
    sql = f"SELECT {columns}, {STAGE_SUMS}, buyers, sellers FROM deals_dealsummary WHERE {' AND '.join(conditions)}"  # noqa: S608
    cursor.execute(sql, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
