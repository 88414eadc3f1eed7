"""The figure's admin page writes its statements inline, through the services: quotes checked and
money valued as through the API."""

from decimal import Decimal

import pytest

from figures.models import FigureStatement, ReportedFigure
from tests.factories import EditionFactory, SourceFactory
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db

ARTICLE = "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo."


def figure_form_data(**statement) -> dict:
    """What the admin's add form posts for an expo-wide trading volume with one statement."""
    data = {
        "edition": EditionFactory().pk,
        "consecutive_editions": "1",
        "metric": "trading_volume",
        "description": "",
        "unit": "",
        "statements-TOTAL_FORMS": "1",
        "statements-INITIAL_FORMS": "0",
        "statements-MIN_NUM_FORMS": "0",
        "statements-MAX_NUM_FORMS": "1000",
        "statements-0-value": "1000000000",
        "statements-0-qualifier": "more_than",
        "statements-0-currency": "USD",
        "statements-0-quote": ARTICLE,
        "statements-0-rank": "preferred",
        "statements-0-source": SourceFactory(text=ARTICLE).pk,
    }
    return data | {f"statements-0-{name}": value for name, value in statement.items()}


def test_adding_a_figure_with_a_statement_values_it(admin_client):
    response = admin_client.post(admin_url(ReportedFigure, "add"), figure_form_data())

    assert response.status_code == 302
    statement = FigureStatement.objects.get()
    assert statement.figure == ReportedFigure.objects.get()
    assert (statement.value, statement.value_usd, statement.usd_rate_source) == (
        Decimal("1000000000.00"),
        Decimal("1000000000.00"),
        "usd",
    )


def test_a_statement_whose_quote_does_not_say_its_value_is_a_form_error(admin_client):
    response = admin_client.post(admin_url(ReportedFigure, "add"), figure_form_data(value="2000000000"))

    assert response.status_code == 200
    (formset,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    assert formset.errors == [
        {"value": ["The quote does not state 2000000000 (more_than): it states more than US$1 billion (more_than)."]}
    ]
    assert not ReportedFigure.objects.exists()
