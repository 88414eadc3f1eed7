"""The figures' findings for the quality report: stored statements whose quote check fails, and
figures no source states."""

from decimal import Decimal

import pytest

from config.seed import load_seed_facts
from figures.models import FigureStatement, ReportedFigure
from figures.quality import quote_check_findings, without_source
from tests.factories import FigureStatementFactory, ReportedFigureFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_seed_has_no_finding():
    load_seed_facts(only=())
    assert list(quote_check_findings(FigureStatement.objects.all())) == []
    assert list(without_source(ReportedFigure.objects.all())) == []


def test_a_statement_whose_source_text_changed_and_a_figure_without_a_source_are_found():
    source = SourceFactory(text="Ten activities to promote the district were held during the expo.")
    activities = ReportedFigureFactory(metric="promotional_activities", unit="activities", statement=False)
    statement = FigureStatementFactory(
        figure=activities,
        value=Decimal(10),
        qualifier="exact",
        quote="Ten activities to promote the district were held",
        source=source,
    )
    # Written around the services: a value its quote does not state.
    FigureStatement.objects.filter(pk=statement.pk).update(value=Decimal(12))
    unsourced = ReportedFigureFactory(source=None)
    bare = ReportedFigureFactory(statement=False)

    assert list(quote_check_findings(FigureStatement.objects.all())) == [
        (
            statement.pk,
            f"Statement {statement.pk} of {activities}: The quote does not state 12 (exact): it states Ten (exact).",
        ),
    ]
    assert list(without_source(ReportedFigure.objects.order_by("pk"))) == [unsourced, bare]
