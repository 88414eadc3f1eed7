"""Findings about reported figures for the quality report: statements whose quote does not say
their value (or is not in their source's stored text), and figures no source states."""

from collections.abc import Iterator
from typing import NamedTuple

from django.db.models import Exists, OuterRef

from figures.models import FigureStatement, ReportedFigure
from figures.quotes import quote_problem

# What each kind of finding is about, as its code.
QUOTE_CHECK_FAILS = "quote_check_fails"
FIGURE_WITHOUT_SOURCE = "figure_without_source"


class Finding(NamedTuple):
    """A finding: its ``code``, the ``collection`` and ``id`` of the record it is about, and a
    plain ``sentence`` saying what is wrong."""

    code: str
    collection: str
    id: int
    sentence: str


def quote_check_findings() -> Iterator[Finding]:
    """A finding for each stored statement whose quote check fails (a ``figure-statements``
    record) and each figure without a statement citing a source (a ``reported-figures`` record),
    statements first, each in id order: rows written before their source's text was stored or
    changed, or around the services."""
    statements = FigureStatement.objects.select_related("source", "figure").order_by("pk")
    for statement in statements.iterator(chunk_size=500):
        problem = quote_problem(
            quote=statement.quote,
            text=statement.source.text if statement.source else "",
            value=statement.value,
            qualifier=statement.qualifier,
            currency=statement.currency,
        )
        if problem is not None:
            yield Finding(
                QUOTE_CHECK_FAILS,
                "figure-statements",
                statement.pk,
                f"Statement {statement.pk} of {statement.figure}: {problem.message}",
            )
    cited = FigureStatement.objects.filter(figure=OuterRef("pk"), source__isnull=False)
    unsourced = ReportedFigure.objects.select_related("edition", "delegation", "enterprise").filter(~Exists(cited))
    for figure in unsourced.order_by("pk"):
        yield Finding(
            FIGURE_WITHOUT_SOURCE,
            "reported-figures",
            figure.pk,
            f"No source states {figure}: none of its statements cites one.",
        )
