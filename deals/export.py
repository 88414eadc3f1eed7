"""The deal list as a table, written as CSV or XLSX. Each column (``DEAL_COLUMNS``) is declared
once: its header, what the deals query reads for it, its typed value and its CSV cell. Text cells
that a spreadsheet would run as a formula are escaped with a leading ``'``.

The CSV is computed by the database, every cell as the file shows it: on PostgreSQL one
``COPY (SELECT …) TO STDOUT`` statement streams the file, which Python only passes on; elsewhere
(SQLite, for development) one query is read in chunks and written by ``csv``.

The XLSX is written from typed values (numbers, dates, booleans) read with
``.values_list(...).iterator()``: a chunk of deals at a time is held in memory, with its markets,
categories and editions fetched in one query each per chunk."""

import csv
import datetime
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, Literal

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Case,
    Expression,
    F,
    Func,
    OrderBy,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, NullIf
from django.db.models.lookups import IsNull
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from psycopg import sql

from deals.models import Deal, DealLineItem
from expo.models import Edition
from framework.spreadsheets import escape_formula, formula_escaped

# Deals per database round: what an export holds in memory at a time.
CHUNK_SIZE = 2000

NAME_SEPARATOR = "; "

Row = tuple


def deal_export_list() -> QuerySet[Deal]:
    """The deals the deal list shows, in its order, without the relations it prefetches for
    rendering (the export reads columns). Scope and filter it as the list does."""
    return Deal.objects.all()


# The typed values (XLSX), from what the deals query reads.


def _escaped(text: str | None) -> str | None:
    return text and escape_formula(text)


def _parse_time(text: str) -> datetime.datetime:
    """A time the database wrote as text (PostgreSQL with its offset, SQLite naive in UTC), in UTC."""
    value = datetime.datetime.fromisoformat(text)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)


def _time(text: str | None) -> datetime.datetime | Literal[""] | None:
    return text and _parse_time(text)


def _in_ids(ids: list[int], *, using: str) -> list[int] | RawSQL:
    """The right side of an ``__in`` over ``ids``. On PostgreSQL, one array parameter, unnested:
    thousands of separate parameters, each prepared by Django and parsed by PostgreSQL, cost
    about three times as much."""
    if connections[using].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def _names_by_deal(pairs: Iterable[tuple[int, str]]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for deal_id, name in pairs:
        names[deal_id].append(name)
    return {deal_id: escape_formula(NAME_SEPARATOR.join(each)) for deal_id, each in names.items()}


def _edition_labels(edition_ids: list[int], *, using: str) -> dict[int, str]:
    """The label of each edition of ``edition_ids``, escaped."""
    editions = Edition.objects.using(using).select_related("expo").in_bulk(set(edition_ids))
    return {pk: escape_formula(str(edition)) for pk, edition in editions.items()}


def _market_names(deal_ids: list[int], *, using: str) -> dict[int, str]:
    """The names of the markets of each of ``deal_ids`` that has any, sorted, joined and escaped."""
    return _names_by_deal(
        Deal.markets.through.objects.using(using)
        .filter(deal_id__in=_in_ids(deal_ids, using=using))
        .order_by("market__name")
        .values_list("deal_id", "market__name")
    )


def _category_names(deal_ids: list[int], *, using: str) -> dict[int, str]:
    """The names of the categories of the line items of each of ``deal_ids`` that has any,
    without repeats, sorted, joined and escaped."""
    return _names_by_deal(
        DealLineItem.objects.using(using)
        .filter(deal_id__in=_in_ids(deal_ids, using=using))
        .order_by("category__name")
        .values_list("deal_id", "category__name")
        .distinct()
    )


# The CSV cells, computed by the database as the file shows them.


class _DecimalText(Func):
    """A decimal column as text with all its places (``300000000.00``, never ``3E+8``). SQLite
    keeps decimals as floats: ``printf`` rounds them to the field's places, as Django reads them."""

    output_field = TextField()
    template = "(%(expressions)s)::text"

    def __init__(self, field: str, *, places: int) -> None:
        super().__init__(F(field))
        self.places = places

    def as_sqlite(self, compiler, connection, **extra_context):
        # PRINTF writes NULL as 0: a value no source gives stays an empty cell, never a zero.
        (source,) = self.get_source_expressions()
        printed = Func(Value(f"%.{self.places}f"), source, function="PRINTF", output_field=TextField())
        when = When(IsNull(source, False), then=printed)
        return Case(when, output_field=TextField()).as_sql(compiler, connection)


class _IsoTime(Func):
    """A time as text in ISO 8601, in UTC with ``Z``, as the JSON API writes it: microseconds
    only when there are any (``2023-11-05T10:00:00Z``, ``2023-11-05T10:00:00.250000Z``)."""

    output_field = TextField()
    template = (
        "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite holds times as ISO text in UTC, with microseconds only when there are any.
        return super().as_sql(compiler, connection, template="(REPLACE(%(expressions)s, ' ', 'T') || 'Z')")


class _JSONGroupArray(Aggregate):
    """SQLite's ``json_group_array``: the values of a group as a JSON array, in no given order."""

    function = "JSON_GROUP_ARRAY"
    allow_distinct = True
    output_field = TextField()


def _text(expression: Expression | F) -> Expression:
    # Empty text is written as an empty cell either way; as NULL, COPY writes it unquoted, as csv does.
    return NullIf(formula_escaped(expression), Value(""), output_field=TextField())


def _flag(field: str) -> Case:
    return Case(When(**{field: True}, then=Value("true")), default=Value("false"), output_field=TextField())


def _names_array(related: QuerySet, field: str) -> Subquery:
    """The ``field`` values of the rows of ``related`` (a model with a ``deal`` key) of each deal,
    as a JSON array (SQLite)."""
    return Subquery(
        related.filter(deal_id=OuterRef("pk"))
        .order_by()
        .values("deal_id")
        .annotate(names=_JSONGroupArray(field))
        .values("names")
    )


def _names(array: str | None) -> str | None:
    return array and escape_formula(NAME_SEPARATOR.join(sorted(set(json.loads(array)))))


def _of_picked(related: QuerySet, picked: QuerySet | None) -> QuerySet:
    """The rows of ``related`` (a model with a ``deal`` key) of the ``picked`` deals (every deal if
    ``None``), unordered."""
    return (related if picked is None else related.filter(deal_id__in=picked)).order_by()


def _edition_cells(picked: QuerySet | None) -> QuerySet:
    # Every edition: there are few, and each label is computed once rather than once per deal.
    return Edition.objects.order_by().values(key=F("pk"), cell=_text(Edition.label()))


# Markets and categories are read as (``key``, ``name``) rows sorted by deal and name, which the
# COPY statement concatenates per deal in that order. (PostgreSQL 15 sorts the names of an
# aggregate with ORDER BY once per deal, a sort set up and torn down a million times for a million
# deals: one sort of all the rows costs half as much.)


def _market_names_sorted(picked: QuerySet | None) -> QuerySet:
    markets = _of_picked(Deal.markets.through.objects.all(), picked)
    return markets.values(key=F("deal_id"), name=F("market__name")).order_by("deal_id", "market__name")


def _category_names_sorted(picked: QuerySet | None) -> QuerySet:
    categories = _of_picked(DealLineItem.objects.all(), picked)
    return (
        categories.values(key=F("deal_id"), name=F("category__name")).order_by("deal_id", "category__name").distinct()
    )


def _as_is(value: object) -> object:
    return value


@dataclass(frozen=True)
class Column:
    """One column of the export.

    ``name`` is its header in both files. The deals query reads ``read``: a field (path) of the
    deal, or the annotation ``read_as()`` under that name. The typed value (XLSX) is ``typed`` of
    what was read; for a column with ``per_chunk``, it is looked up by what was read, for a chunk
    of deals at a time: ``per_chunk(values read, using=database)`` maps each to its value ("" if
    missing). The CSV cell is ``cell()``, computed by the database per deal, then ``finish``-ed in
    Python where given. On PostgreSQL, a column with ``joined`` is not computed per deal: the COPY
    statement joins the (``key``, ``cell``) rows of ``joined(picked)`` on what was read, ``picked``
    being the exported deals' ids (``None``: every deal); with ``joined_names``, those rows are
    (``key``, ``name``) in the cell's order, and the cell is the names of a key joined and escaped."""

    name: str
    read: str
    cell: Callable[[], Expression | F | Subquery]
    typed: Callable[[Any], Any] = _as_is
    read_as: Callable[[], Expression] | None = None
    per_chunk: Callable[..., dict[Any, Any]] | None = None
    finish: Callable[[Any], Any] | None = None
    joined: Callable[[QuerySet | None], QuerySet] | None = None
    joined_names: bool = False


# Times are read as text: Django's PostgreSQL loader for them is pure Python (about 6 µs a value),
# fromisoformat is not. Countries, currencies and stages are codes the database constrains: they
# need no escaping.
DEAL_COLUMNS = (
    Column("id", read="id", cell=lambda: F("id")),
    Column("title", read="title", typed=_escaped, cell=lambda: _text(F("title"))),
    Column("buyer", read="buyer__name", typed=_escaped, cell=lambda: _text(F("buyer__name"))),
    Column("buyer_zh", read="buyer__name_zh", typed=_escaped, cell=lambda: _text(F("buyer__name_zh"))),
    Column("buyer_country", read="buyer__country", cell=lambda: NullIf(F("buyer__country"), Value(""))),
    Column("seller", read="seller__name", typed=_escaped, cell=lambda: _text(F("seller__name"))),
    Column("seller_zh", read="seller__name_zh", typed=_escaped, cell=lambda: _text(F("seller__name_zh"))),
    Column("seller_country", read="seller__country", cell=lambda: NullIf(F("seller__country"), Value(""))),
    Column("delegation", read="delegation__name", typed=_escaped, cell=lambda: _text(F("delegation__name"))),
    Column("delegation_zh", read="delegation__name_zh", typed=_escaped, cell=lambda: _text(F("delegation__name_zh"))),
    Column(
        "edition",
        read="edition_id",
        per_chunk=_edition_labels,
        cell=lambda: _text(Edition.label("edition")),
        joined=_edition_cells,
    ),
    # Read with the deal (a join to the few editions): a query of its own per chunk would cost more.
    Column("edition_zh", read="edition__name_zh", typed=_escaped, cell=lambda: _text(F("edition__name_zh"))),
    Column("amount", read="amount", cell=lambda: _DecimalText("amount", places=2)),
    # A deal whose value no source gives has empty value cells (never a zero), its currency too.
    Column("currency", read="currency", cell=lambda: NullIf(F("currency"), Value(""))),
    Column("stated_value_usd", read="stated_value_usd", cell=lambda: _DecimalText("stated_value_usd", places=2)),
    Column("value_usd", read="value_usd", cell=lambda: _DecimalText("value_usd", places=2)),
    Column("usd_rate", read="usd_rate", cell=lambda: _DecimalText("usd_rate", places=10)),
    Column("usd_rate_date", read="usd_rate_date", cell=lambda: Cast("usd_rate_date", TextField())),
    Column("usd_rate_source", read="usd_rate_source", cell=lambda: NullIf(F("usd_rate_source"), Value(""))),
    Column("stage", read="stage", cell=lambda: F("stage")),
    Column("signed_on", read="signed_on", cell=lambda: Cast("signed_on", TextField())),
    Column("first_deal_of", read="first_deal_of__name", typed=_escaped, cell=lambda: _text(F("first_deal_of__name"))),
    Column("regional_debut", read="regional_debut", cell=lambda: _flag("regional_debut")),
    Column("debut_region", read="debut_region", typed=_escaped, cell=lambda: _text(F("debut_region"))),
    Column(
        "markets",
        read="id",
        per_chunk=_market_names,
        cell=lambda: _names_array(Deal.markets.through.objects.all(), "market__name"),
        finish=_names,
        joined=_market_names_sorted,
        joined_names=True,
    ),
    Column(
        "categories",
        read="id",
        per_chunk=_category_names,
        cell=lambda: _names_array(DealLineItem.objects.all(), "category__name"),
        finish=_names,
        joined=_category_names_sorted,
        joined_names=True,
    ),
    Column("is_published", read="is_published", cell=lambda: _flag("is_published")),
    Column(
        "embargo_until",
        read="export_embargo_until",
        read_as=lambda: Cast("embargo_until", TextField()),
        typed=_time,
        cell=lambda: _IsoTime("embargo_until"),
    ),
    Column(
        "updated_at",
        read="export_updated_at",
        read_as=lambda: Cast("updated_at", TextField()),
        typed=_time,
        cell=lambda: _IsoTime("updated_at"),
    ),
)
# The headers, in order.
COLUMNS = tuple(column.name for column in DEAL_COLUMNS)


def deal_export_chunks(deals: QuerySet[Deal], *, chunk_size: int = CHUNK_SIZE) -> Iterator[list[Row]]:
    """The rows of ``deals``, in their order, ``chunk_size`` at a time: one tuple per deal with
    the typed values of ``DEAL_COLUMNS`` (numbers as ``Decimal``, dates, times in UTC, markets
    and categories as names sorted and joined with "; "), free text escaped against formulas.
    Each chunk costs a query per ``per_chunk`` column (three) besides the one reading the deals."""
    reads = tuple(dict.fromkeys(column.read for column in DEAL_COLUMNS))
    positions = [reads.index(column.read) for column in DEAL_COLUMNS]
    annotations = {column.read: column.read_as() for column in DEAL_COLUMNS if column.read_as is not None}
    rows = deals.annotate(**annotations).values_list(*reads).iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        values: list[tuple[int, Callable[..., Any]]] = []
        for column, position in zip(DEAL_COLUMNS, positions, strict=True):
            if column.per_chunk is None:
                values.append((position, column.typed))
            else:
                found = column.per_chunk([row[position] for row in chunk], using=deals.db)
                values.append((position, lambda read, found=found: found.get(read, "")))
        yield [tuple(typed(row[position]) for position, typed in values) for row in chunk]


# The CSV. Queries annotate each cell as ``csv_<column>``, names no field of the model has.
_ALIAS = "csv_{}".format


def _ordering(deals: QuerySet[Deal]) -> list[OrderBy]:
    """The order of ``deals``: its ``order_by()``, else the model's default ordering."""
    query = deals.query
    fields = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    ordering = []
    # Options.ordering is a list (the stubs allow None); an item that is not text is an expression.
    for item in fields:  # type: ignore[union-attr]
        if isinstance(item, str):
            ordering.append(OrderBy(F(item.removeprefix("-")), descending=item.startswith("-")))
        else:
            ordering.append(item if isinstance(item, OrderBy) else item.asc())  # type: ignore[union-attr]
    return ordering


def _cells(deals: QuerySet[Deal], *, columns: Iterable[Column] = DEAL_COLUMNS) -> QuerySet[Deal]:
    """``deals`` with the cells of ``columns`` annotated, read without duplicates: a filter across a
    to-many relation makes ``deals`` DISTINCT, which over every cell would cost a database far more
    than selecting the deals by id."""
    if deals.query.distinct:
        deals = Deal.objects.using(deals.db).filter(pk__in=deals.order_by().values("pk")).order_by(*_ordering(deals))
    return deals.annotate(**{_ALIAS(column.name): column.cell() for column in columns})


def deal_csv(deals: QuerySet[Deal], *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """UTF-8 CSV of ``deals`` (RFC 4180: CRLF line ends, fields quoted only where needed): the
    header row, then ``chunk_size`` rows a piece. Decimals as exact strings, dates and times in
    ISO 8601 (UTC, ``Z``), booleans as ``true``/``false``, nothing as an empty cell.

    The header is written before any query. On PostgreSQL the rows are one ``COPY`` statement
    streamed as it runs; elsewhere one query read ``chunk_size`` rows at a time."""
    yield (",".join(COLUMNS) + "\r\n").encode()
    if connections[deals.db].vendor == "postgresql":
        yield from _copied_csv(deals, chunk_size=chunk_size)
    else:
        yield from _written_csv(deals, chunk_size=chunk_size)


# On PostgreSQL: COPY (SELECT …) TO STDOUT.

# For the export's transaction: dates written as ISO; no JIT (compiling a query this wide takes
# seconds, more than it saves); no parallel workers (each would aggregate every deal's markets and
# categories again, for more CPU than they save on a busy or small server, and the names must reach
# their aggregate in order); memory enough for the markets and categories of a million deals to be
# joined in a few batches, not dozens each writing every row's other cells to disk and back.
_COPY_SETTINGS = (
    "SELECT set_config('DateStyle', 'ISO', true), set_config('jit', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true), set_config('work_mem', '64MB', true)"
)


def _copy_statement(deals: QuerySet[Deal]) -> tuple[sql.Composed, tuple]:
    """``COPY (SELECT …) TO STDOUT`` for the rows of ``deals`` in their order, and its parameters:
    the deals' own cells from one query, the ``joined`` columns' cells joined to it (markets and
    categories aggregated once for the exported deals, as a correlated subquery per row costs
    several times more), the order of ``deals`` applied to the whole."""
    db = deals.db
    # Unfiltered, every deal is exported: aggregating them all needs no list of which. (Filtered,
    # the filters run again in the lists, which lets the planner see how many deals they keep.)
    picked = deals.order_by().values("pk") if deals.query.has_filters() else None
    joined = [column for column in DEAL_COLUMNS if column.joined is not None]
    ordering = _ordering(deals)
    keys = {f"csv_order_{index}": item.expression for index, item in enumerate(ordering)}
    join_keys = {f"csv_key_{column.name}": F(column.read) for column in joined}
    own = [column for column in DEAL_COLUMNS if column.joined is None]
    rows = _cells(deals, columns=own).order_by().annotate(**keys)
    rows = rows.values(*(_ALIAS(column.name) for column in own), *keys, **join_keys)
    queries = {"row": rows, **{column.name: column.joined(picked) for column in joined if column.joined is not None}}
    compiled = {name: queryset.using(db).query.get_compiler(db).as_sql() for name, queryset in queries.items()}
    for column in joined:
        if column.joined_names:
            compiled[column.name] = _concatenated(*compiled[column.name], using=db)

    row = sql.Identifier("row")
    cells = [
        sql.SQL("{}.{}").format(sql.Identifier(column.name), sql.Identifier("cell"))
        if column.joined is not None
        else sql.SQL("{}.{}").format(row, sql.Identifier(_ALIAS(column.name)))
        for column in DEAL_COLUMNS
    ]
    joins = [
        sql.SQL(" LEFT JOIN ({query}) {name} ON {name}.{key} = {row}.{row_key}").format(
            query=sql.SQL(compiled[column.name][0]),
            name=sql.Identifier(column.name),
            key=sql.Identifier("key"),
            row=row,
            row_key=sql.Identifier(f"csv_key_{column.name}"),
        )
        for column in joined
    ]
    order = [
        sql.SQL("{}.{} {}{}").format(
            row,
            sql.Identifier(key),
            sql.SQL("DESC" if item.descending else "ASC"),
            sql.SQL(" NULLS FIRST" if item.nulls_first else " NULLS LAST" if item.nulls_last else ""),
        )
        for key, item in zip(keys, ordering, strict=True)
    ]
    statement = sql.SQL("COPY (SELECT {cells} FROM ({rows}) {row}{joins}{order}) TO STDOUT (FORMAT csv)").format(
        cells=sql.SQL(", ").join(cells),
        rows=sql.SQL(compiled["row"][0]),
        row=row,
        joins=sql.Composed(joins),
        order=sql.SQL(" ORDER BY ") + sql.SQL(", ").join(order) if order else sql.SQL(""),
    )
    return statement, tuple(param for _, params in compiled.values() for param in params)


def _concatenated(names: str, params: tuple, *, using: str) -> tuple[str, tuple]:
    """The (``key``, ``cell``) rows of the (``key``, ``name``) rows of the query ``names`` (SQL and
    parameters), sorted by key and name: each key's names joined in that order, escaped. Read
    sorted, without parallel workers (see ``_COPY_SETTINGS``), the names reach the aggregate in
    their order: PostgreSQL aggregates a sorted subquery's rows as it reads them."""
    query = Deal.objects.using(using).query
    cell = formula_escaped(RawSQL('"names"."cell"', (), output_field=TextField())).resolve_expression(query)
    escaped, escaped_params = query.get_compiler(using).compile(cell)
    # Both pieces are SQL Django compiled, their values left to the parameters.
    statement = (
        f'SELECT "names"."key", {escaped} AS "cell" FROM (SELECT "key", STRING_AGG("name", %s) AS "cell"'  # noqa: S608
        f' FROM ({names}) "names" GROUP BY "key") "names"'
    )
    return statement, (*escaped_params, NAME_SEPARATOR, *params)


def _copied_csv(deals: QuerySet[Deal], *, chunk_size: int) -> Iterator[bytes]:
    """The rows of ``deals`` as COPY writes them, ``chunk_size`` lines a piece. COPY's CSV is
    Python's (the same quoting; empty text is sent as NULL, which COPY writes as nothing, as csv
    does) but for its LF line ends: each line arrives alone, so its LF is swapped for CRLF
    without parsing it.

    The COPY holds the request's database connection while it streams: nothing else may use the
    connection until the generator is exhausted or closed, as WSGI servers close a response. Closed
    early (the client went away), the COPY is cancelled and its transaction rolled back: the
    connection is left idle, ready for the next request."""
    connection = connections[deals.db]
    statement, params = _copy_statement(deals)
    with transaction.atomic(using=deals.db), connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(_COPY_SETTINGS)
        # Bound here: COPY takes no parameters, and Django logs (DEBUG, tests counting queries) the text run.
        # PostgreSQL's operations (the export's COPY runs only there), which the stubs leave out.
        statement = connection.ops.compose_sql(statement.as_string(cursor.connection), params)  # type: ignore[attr-defined]
        with cursor.copy(statement) as copy:
            lines: list = []
            for line in copy:
                lines.append(line[:-1])
                if len(lines) == chunk_size:
                    lines.append(b"")
                    yield b"\r\n".join(lines)
                    lines = []
            if lines:
                lines.append(b"")
                yield b"\r\n".join(lines)


# Elsewhere (SQLite): one query with every cell; markets and categories read as JSON arrays per
# deal and finished here (sorted as ``ORDER BY name`` would in SQLite, in code point order).


def _written_csv(deals: QuerySet[Deal], *, chunk_size: int) -> Iterator[bytes]:
    """The rows of ``deals`` read ``chunk_size`` at a time and written by ``csv``."""
    rows = _cells(deals).values_list(*map(_ALIAS, COLUMNS)).iterator(chunk_size=chunk_size)
    finished = [(index, column.finish) for index, column in enumerate(DEAL_COLUMNS) if column.finish is not None]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    while chunk := list(islice(rows, chunk_size)):
        for row in chunk:
            cells = list(row)
            for index, finish in finished:
                cells[index] = finish(cells[index])
            writer.writerow(cells)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


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
