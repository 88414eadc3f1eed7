"""The deal list as a table (``COLUMNS``), read in chunks and written as CSV or XLSX.

Rows come from ``.values_list(...).iterator()``: a chunk of deals at a time is held in memory,
with its markets, categories and editions fetched in one query each per chunk. Text cells that a
spreadsheet would run as a formula are escaped with a leading ``'``."""

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from django.db import connections
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from deals.models import Deal, DealLineItem
from expo.models import Edition
from expo.spreadsheets import escape_formula

COLUMNS = (
    "id",
    "title",
    "buyer",
    "buyer_country",
    "seller",
    "seller_country",
    "delegation",
    "edition",
    "amount",
    "currency",
    "value_usd",
    "usd_rate",
    "usd_rate_date",
    "stage",
    "signed_on",
    "first_deal_of",
    "regional_debut",
    "debut_region",
    "markets",
    "categories",
    "is_published",
    "embargo_until",
    "updated_at",
)

# Deals per database round: what an export holds in memory at a time.
CHUNK_SIZE = 2000

NAME_SEPARATOR = "; "

# What the deals query reads: the deal's columns and its parties' and delegations' names; the
# edition's name, markets and categories are looked up per chunk. Times are read as text:
# Django's PostgreSQL loader for them is pure Python (about 6 µs a value), fromisoformat is not.
_FIELDS = (
    "id",
    "title",
    "buyer__name",
    "buyer__country",
    "seller__name",
    "seller__country",
    "delegation__name",
    "edition_id",
    "amount",
    "currency",
    "value_usd",
    "usd_rate",
    "usd_rate_date",
    "stage",
    "signed_on",
    "first_deal_of__name",
    "regional_debut",
    "debut_region",
    "is_published",
    "embargo_until_text",
    "updated_at_text",
)
_TIMES_AS_TEXT = {
    "embargo_until_text": Cast("embargo_until", TextField()),
    "updated_at_text": Cast("updated_at", TextField()),
}

Row = tuple


def deal_export_list() -> QuerySet[Deal]:
    """The deals the deal list shows, in its order, without the relations it prefetches for
    rendering (the export reads columns). Scope and filter it as the list does."""
    return Deal.objects.all()


def _names_by_deal(pairs: Iterable[tuple[int, str]]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for deal_id, name in pairs:
        names[deal_id].append(name)
    return {deal_id: escape_formula(NAME_SEPARATOR.join(each)) for deal_id, each in names.items()}


def _in_ids(ids: list[int], *, using: str) -> list[int] | RawSQL:
    """The right side of an ``__in`` over ``ids``. On PostgreSQL, one array parameter, unnested:
    thousands of separate parameters, each prepared by Django and parsed by PostgreSQL, cost
    about three times as much."""
    if connections[using].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def _parse_time(text: str) -> datetime.datetime:
    """A time the database wrote as text (PostgreSQL with its offset, SQLite naive in UTC), in UTC."""
    value = datetime.datetime.fromisoformat(text)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)


def deal_export_chunks(deals: QuerySet[Deal], *, chunk_size: int = CHUNK_SIZE) -> Iterator[list[Row]]:
    """The rows of ``deals``, in their order, ``chunk_size`` at a time: one tuple per deal with
    the values of ``COLUMNS`` (numbers as ``Decimal``, dates, times in UTC, markets and categories
    as names sorted and joined with "; "). Free text is escaped against formulas (countries,
    currencies and stages are codes the database constrains). Each chunk costs three queries
    besides the one reading the deals."""
    escape = escape_formula
    rows = deals.annotate(**_TIMES_AS_TEXT).values_list(*_FIELDS).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        ids = _in_ids([row[0] for row in chunk], using=deals.db)
        markets = _names_by_deal(
            Deal.markets.through.objects.using(deals.db)
            .filter(deal_id__in=ids)
            .order_by("market__name")
            .values_list("deal_id", "market__name")
        )
        categories = _names_by_deal(
            DealLineItem.objects.using(deals.db)
            .filter(deal_id__in=ids)
            .order_by("category__name")
            .values_list("deal_id", "category__name")
            .distinct()
        )
        editions = {
            pk: escape(str(edition))
            for pk, edition in Edition.objects.using(deals.db)
            .select_related("expo")
            .in_bulk({row[7] for row in chunk})
            .items()
        }
        yield [
            (
                pk,
                escape(title),
                escape(buyer),
                buyer_country,
                escape(seller),
                seller_country,
                escape(delegation),
                editions[edition_id],
                amount,
                currency,
                value_usd,
                usd_rate,
                usd_rate_date,
                stage,
                signed_on,
                first_deal_of and escape(first_deal_of),
                regional_debut,
                escape(debut_region),
                markets.get(pk, ""),
                categories.get(pk, ""),
                is_published,
                embargo_until and _parse_time(embargo_until),
                _parse_time(updated_at),
            )
            for (
                pk,
                title,
                buyer,
                buyer_country,
                seller,
                seller_country,
                delegation,
                edition_id,
                amount,
                currency,
                value_usd,
                usd_rate,
                usd_rate_date,
                stage,
                signed_on,
                first_deal_of,
                regional_debut,
                debut_region,
                is_published,
                embargo_until,
                updated_at,
            ) in chunk
        ]


_CSV_BOOLEANS = {True: "true", False: "false"}
_RATE, _DEBUT, _PUBLISHED, _EMBARGO, _UPDATED = map(
    COLUMNS.index, ("usd_rate", "regional_debut", "is_published", "embargo_until", "updated_at")
)


def _csv_time(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _csv_row(row: Row) -> list:
    """A row as CSV writes it, as the JSON API does: booleans as ``true``/``false``, times in
    ISO 8601 with ``Z``, the rate in full (``str`` would write a tiny one as ``1E-7``). Amounts
    (two places, at least 0.01) and dates are written by ``str``, nothing as an empty cell."""
    cells = list(row)
    cells[_RATE] = format(cells[_RATE], "f")
    cells[_DEBUT] = _CSV_BOOLEANS[cells[_DEBUT]]
    cells[_PUBLISHED] = _CSV_BOOLEANS[cells[_PUBLISHED]]
    if cells[_EMBARGO] is not None:
        cells[_EMBARGO] = _csv_time(cells[_EMBARGO])
    cells[_UPDATED] = _csv_time(cells[_UPDATED])
    return cells


def deal_csv(deals: QuerySet[Deal], *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """UTF-8 CSV of ``deals`` (RFC 4180, a header row first), one piece per chunk of rows:
    decimals as exact strings, dates and times in ISO 8601 (UTC, ``Z``), booleans as
    ``true``/``false``, nothing as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def drain() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    writer.writerow(COLUMNS)
    yield drain()
    for chunk in deal_export_chunks(deals, chunk_size=chunk_size):
        writer.writerows(map(_csv_row, chunk))
        yield drain()


def _xlsx_value(value):
    if isinstance(value, str):
        # XLSX text may not hold control characters; without them the text may start a formula again.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime.datetime):
        # XLSX has no time zones: times are written in UTC.
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def write_deal_xlsx(deals: QuerySet[Deal], file: IO[bytes], *, chunk_size: int = CHUNK_SIZE) -> None:
    """Write ``deals`` to ``file`` as an XLSX workbook of one sheet, "Deals": a bold header row,
    then a row per deal with numbers as numbers, dates and times (UTC) as dates, booleans as
    booleans. openpyxl's write-only mode keeps rows out of memory until the file is saved."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Deals")
    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for chunk in deal_export_chunks(deals, chunk_size=chunk_size):
        for row in chunk:
            sheet.append([_xlsx_value(value) for value in row])
    workbook.save(file)
