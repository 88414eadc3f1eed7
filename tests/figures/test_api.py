"""A figure shows its statements and its preferred value; statements are written at their own
collection, and the figure's preferred value follows them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import DelegationFactory, EditionFactory, FigureStatementFactory, ReportedFigureFactory

pytestmark = pytest.mark.django_db


def shown(client, figure) -> dict:
    response = client.get(reverse("reported-figure-detail", args=[figure.pk]))
    assert response.status_code == 200
    return response.json()


def test_a_figure_shows_each_statement_and_the_preferred_value(anon):
    figure = ReportedFigureFactory(value=Decimal("1000000000"), quote="more than US$1 billion")
    preferred = figure.statements.get()
    other = FigureStatementFactory(
        figure=figure, value=Decimal("1100000000"), rank="normal", quote="over US$1.1 billion"
    )

    body = shown(anon, figure)

    assert [(each["id"], each["value"], each["rank"], each["value_usd"]) for each in body["statements"]] == [
        (preferred.pk, "1000000000.00", "preferred", "1000000000.00"),
        (other.pk, "1100000000.00", "normal", "1100000000.00"),
    ]
    assert (body["preferred_statement"], body["value"], body["qualifier"], body["currency"], body["value_usd"]) == (
        preferred.pk,
        "1000000000.00",
        "more_than",
        "USD",
        "1000000000.00",
    )


def test_without_a_preferred_statement_the_latest_normal_one_is_the_value(admin_api):
    figure = ReportedFigureFactory(rank="normal", as_of="2021-11-12")
    newer = FigureStatementFactory(figure=figure, rank="normal", as_of="2023-11-11", value=Decimal("2130000000"))
    FigureStatementFactory(figure=figure, rank="deprecated", as_of="2024-01-01", value=Decimal("3000000000"))

    assert (shown(admin_api, figure)["preferred_statement"], shown(admin_api, figure)["value"]) == (
        newer.pk,
        "2130000000.00",
    )

    response = admin_api.patch(reverse("figure-statement-detail", args=[newer.pk]), {"rank": "deprecated"})

    assert response.status_code == 200
    assert shown(admin_api, figure)["value"] == "1000000000.00"


def test_a_figure_with_no_statement_has_no_value(anon):
    figure = ReportedFigureFactory(statement=False)

    body = shown(anon, figure)

    assert (body["statements"], body["preferred_statement"], body["value"], body["qualifier"]) == ([], None, None, None)


def test_an_expo_wide_figure_and_a_delegations_are_told_apart_by_filter(anon):
    edition = EditionFactory()
    expo_wide = ReportedFigureFactory(edition=edition, delegation=None, metric="intention_order_volume")
    ReportedFigureFactory(edition=edition, delegation=DelegationFactory(), metric="intention_order_volume")

    response = anon.get(reverse("reported-figure-list"), {"expo_wide": "true"})

    assert [row["id"] for row in response.json()["results"]] == [expo_wide.pk]


def test_statements_are_listed_by_figure_and_rank(anon):
    figure = ReportedFigureFactory()
    normal = FigureStatementFactory(figure=figure, rank="normal")
    ReportedFigureFactory()

    response = anon.get(reverse("figure-statement-list"), {"figure": figure.pk, "rank": "normal"})

    assert [row["id"] for row in response.json()["results"]] == [normal.pk]


def test_a_bulk_write_of_statements_is_all_or_nothing(admin_api):
    figure = ReportedFigureFactory(statement=False)
    item = {"figure": figure.pk, "qualifier": "more_than", "currency": "USD", "rank": "normal"}

    response = admin_api.post(
        reverse("figure-statement-bulk"),
        {
            "items": [
                {**item, "value": "1000000000", "quote": "more than US$1 billion"},
                {**item, "value": "2000000000", "quote": "more than US$1 billion"},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    assert [(error["attr"], error["code"]) for error in response.json()["errors"]] == [
        ("items.1.value", "quote_states_another_value")
    ]
    assert not figure.statements.exists()
