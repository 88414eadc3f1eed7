"""The quality report: what is missing, doubtful or inconsistent in the records, record by record.

Each app registers the checks of its own records, in its ``AppConfig.ready()``, in one of two forms:

- :func:`register_query_check`: ``matches(readable)`` narrows the rows to those with the problem,
  and ``sentence(record)`` says it; the database counts the findings and reads only the page shown;
- :func:`register_check`: ``find(readable)`` yields ``(record id, sentence)`` pairs, for checks
  that need Python (a quote parsed, a check character computed); they are all worked out for
  each report, so keep the rows they read few (narrow ``readable`` in the database first).

``readable`` is always the model's rows the caller may read (framework.access.scope_for_read): a
report never names a record its reader could not open. A report lists its findings by code, then
by record id.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.urls import reverse

from framework import access, sync
from framework.api.pagination import cached_count

# Any: a check's functions take the records of the app's own model.
Label = Callable[[Any], str]


@dataclass(frozen=True)
class Finding:
    """One problem of one record: which check found it (``code``), the record (its collection's
    name, id and a label to know it by) and a plain sentence saying what is wrong."""

    code: str
    collection: str
    record_id: int
    label: str
    message: str
    model: type[Model]

    @property
    def api_path(self) -> str:
        """The record's path in the API: its collection's, beside the report's (``/api/quality/``)."""
        root = reverse("quality-list").removesuffix("quality/")
        return f"{root}{self.collection}/{self.record_id}/"


@dataclass(frozen=True)
class Check:
    """A registered check: its ``code``, the model whose records it looks at, and what it finds
    in a sentence (``description``, for the documentation)."""

    code: str
    model: type[Model]
    description: str
    label: Label

    @property
    def collection(self) -> str:
        return sync.COLLECTIONS[self.model._meta.label]

    def findings(self, readable: QuerySet) -> "Findings":
        """What the check finds among ``readable``."""
        raise NotImplementedError


@dataclass(frozen=True)
class QueryCheck(Check):
    matches: Callable[[QuerySet], QuerySet]
    sentence: Label

    def findings(self, readable: QuerySet) -> "Findings":
        return QueryFindings(self, self.matches(readable).order_by("pk"))


@dataclass(frozen=True)
class FoundCheck(Check):
    find: Callable[[QuerySet], Iterable[tuple[int, str]]]

    def findings(self, readable: QuerySet) -> "Findings":
        return FoundFindings(self, readable)


class Findings:
    """What one check finds for one reader: how many, and any run of them by position."""

    def count(self) -> int:
        raise NotImplementedError

    def page(self, start: int, stop: int) -> list[Finding]:
        raise NotImplementedError


class QueryFindings(Findings):
    """A query check's findings: counted, and read a page at a time, by the database."""

    def __init__(self, check: QueryCheck, rows: QuerySet) -> None:
        self.check, self.rows = check, rows

    def count(self) -> int:
        return cached_count(self.rows)

    def page(self, start: int, stop: int) -> list[Finding]:
        check = self.check
        return [
            Finding(check.code, check.collection, record.pk, check.label(record), check.sentence(record), check.model)
            for record in self.rows[start:stop]
        ]


class FoundFindings(Findings):
    """The findings of a check that yields ``(id, sentence)``: worked out once, when first counted,
    and kept to the records the reader may read; a page's records are read in one query."""

    def __init__(self, check: FoundCheck, readable: QuerySet) -> None:
        self.check, self.readable = check, readable
        self._found: list[tuple[int, str]] | None = None

    def found(self) -> list[tuple[int, str]]:
        if self._found is None:
            pairs = sorted(self.check.find(self.readable))
            # Only readable records: a find() that strays beyond them does not leak them.
            readable = set(self.readable.filter(pk__in={pk for pk, _ in pairs}).values_list("pk", flat=True))
            self._found = [(pk, message) for pk, message in pairs if pk in readable]
        return self._found

    def count(self) -> int:
        return len(self.found())

    def page(self, start: int, stop: int) -> list[Finding]:
        check, pairs = self.check, self.found()[start:stop]
        records = self.readable.in_bulk([record_id for record_id, _ in pairs])
        return [
            Finding(check.code, check.collection, record_id, check.label(records[record_id]), message, check.model)
            for record_id, message in pairs
        ]


# The checks, by code: each app registers its own (register_check, register_query_check).
CHECKS: dict[str, Check] = {}


def _register(check: Check) -> None:
    if check.code in CHECKS:
        raise ImproperlyConfigured(f"The quality check {check.code!r} is registered twice.")
    if check.model._meta.label not in sync.COLLECTIONS:
        raise ImproperlyConfigured(f"Register {check.model._meta.label} as a collection before its quality checks.")
    CHECKS[check.code] = check


def register_query_check(
    code: str,
    *,
    model: type[Model],
    description: str,
    matches: Callable[[QuerySet], QuerySet],
    sentence: Label,
    label: Label = str,
) -> None:
    """Report each record of ``matches(readable)`` under ``code``, said by ``sentence(record)``
    and known by ``label(record)``: the database counts them and reads only a page's rows, so
    ``matches`` should fetch what the sentence and the label read (``only()``, ``select_related()``)."""
    _register(
        QueryCheck(code=code, model=model, description=description, label=label, matches=matches, sentence=sentence)
    )


def register_check(
    code: str,
    *,
    model: type[Model],
    description: str,
    find: Callable[[QuerySet], Iterable[tuple[int, str]]],
    label: Label = str,
) -> None:
    """Report under ``code`` each ``(record id, sentence)`` that ``find(readable)`` yields, the
    record known by ``label(record)``."""
    _register(FoundCheck(code=code, model=model, description=description, label=label, find=find))


def checks(*, codes: Iterable[str] | None = None, collection: str | None = None) -> list[Check]:
    """The registered checks, by code: only those of ``codes`` and of ``collection`` where given."""
    wanted = None if codes is None else set(codes)
    return [
        check
        for code, check in sorted(CHECKS.items())
        if (wanted is None or code in wanted) and (collection is None or check.collection == collection)
    ]


class Report(Sequence[Finding]):
    """The findings of ``checks`` about the records ``user`` may read, by code, then record id: a
    sequence that counts each check's findings once, and reads only the slice taken."""

    def __init__(self, checks: Iterable[Check], user: access.User) -> None:
        self.parts = [
            check.findings(access.scope_for_read(check.model._default_manager.all(), user)) for check in checks
        ]
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [part.count() for part in self.parts]
        return self._counts

    def __len__(self) -> int:
        return sum(self.counts())

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("A report is read in runs of consecutive findings.")
        page: list[Finding] = []
        for part, count in zip(self.parts, self.counts(), strict=True):
            if stop > 0 and start < count:
                page += part.page(max(start, 0), min(stop, count))
            start, stop = start - count, stop - count
        return page

    def __iter__(self) -> Iterator[Finding]:
        return iter(self[:])


def report(user: access.User, *, codes: Iterable[str] | None = None, collection: str | None = None) -> Report:
    """The quality report ``user`` reads: the findings of every check (or of ``codes`` and
    ``collection``) about the records they may read."""
    return Report(checks(codes=codes, collection=collection), user)
