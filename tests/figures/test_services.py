"""The services that write reported figures and their statements: admins only (editors do not
write them), under the models' rules, a statement's quote checked against its source's text and
its money valued in USD with the source's own conversion, else the rate table."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from figures import services
from figures.models import FigureStatement, ReportedFigure
from framework.access import OutOfScope
from tests.factories import (
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    FigureStatementFactory,
    ReportedFigureFactory,
    SourceFactory,
    admin,
    editor,
)

pytestmark = pytest.mark.django_db

MARKET_QUOTE = (
    "A CIIE market featuring nearly 50 types of commodities recorded more than 1.7 million yuan (US$261,538) "
    "in sales during the expo with a daily visitor flow above 15,000, both record-high results."
)


def trading_volume(**fields) -> dict:
    return {"edition": EditionFactory(), "metric": "trading_volume", **fields}


def test_an_editor_records_no_figure_even_of_their_delegation():
    qingpu = DelegationFactory()

    with pytest.raises(OutOfScope) as refused:
        services.reported_figure_create(user=editor(qingpu), data=trading_volume(delegation=qingpu))

    assert (refused.value.code, refused.value.details) == ("out_of_scope", {"field": "non_field_errors"})
    assert not ReportedFigure.objects.exists()


def test_an_admin_records_a_figure_of_an_edition_alone():
    figure = services.reported_figure_create(user=admin(), data=trading_volume())

    stored = ReportedFigure.objects.get()
    assert (stored.pk, stored.metric, stored.delegation, stored.enterprise, stored.unit) == (
        figure.pk,
        "trading_volume",
        None,
        None,
        "",
    )


def test_a_figure_about_a_delegation_and_an_enterprise_is_refused():
    data = trading_volume(delegation=DelegationFactory(), enterprise=EnterpriseFactory())
    with pytest.raises(ValidationError) as refused:
        services.reported_figure_create(user=admin(), data=data)

    assert refused.value.message_dict == {
        "__all__": ["A figure is about a delegation or an enterprise at an edition, not both."]
    }


def test_a_second_figure_of_the_same_subject_and_metric_is_refused():
    existing = ReportedFigureFactory()
    with pytest.raises(ValidationError) as refused:
        services.reported_figure_create(
            user=admin(),
            data={"edition": existing.edition, "delegation": existing.delegation, "metric": existing.metric},
        )

    assert refused.value.message_dict == {
        "__all__": ["This delegation already has this figure; add a statement to it."]
    }


def test_a_count_says_what_it_counts_and_money_has_no_unit():
    with pytest.raises(ValidationError) as count:
        services.reported_figure_create(
            user=admin(), data={"edition": EditionFactory(), "metric": "settlements_confirmed"}
        )
    with pytest.raises(ValidationError) as money:
        services.reported_figure_create(user=admin(), data=trading_volume(unit="dollars"))

    assert count.value.message_dict == {"unit": ["Say what the figure counts (e.g. companies)."]}
    assert money.value.message_dict == {"unit": ["A figure in money has no unit: its statements give the currency."]}


def test_a_statement_in_usd_is_its_own_usd_value():
    statement = FigureStatementFactory(value=Decimal("2130000000"), quote="surpassing US$2.13 billion")

    assert (statement.value_usd, statement.usd_rate, statement.usd_rate_source) == (
        Decimal("2130000000"),
        Decimal(1),
        "usd",
    )


def test_a_statement_in_yuan_takes_the_sources_own_conversion():
    figure = ReportedFigureFactory(metric="market_sales", statement=False)
    ExchangeRateFactory(currency="CNY", date=datetime.date(2021, 11, 1), rate_to_usd=Decimal("0.1500000000"))

    statement = services.figure_statement_create(
        user=admin(),
        data={
            "figure": figure,
            "value": Decimal("1700000"),
            "qualifier": "more_than",
            "currency": "CNY",
            "quote": MARKET_QUOTE,
            "source": SourceFactory(text=f"Qingpu an expo winner! {MARKET_QUOTE} More."),
        },
    )

    stored = FigureStatement.objects.get(pk=statement.pk)
    assert (stored.value_usd, stored.usd_rate, stored.usd_rate_source) == (
        Decimal("261538.00"),
        Decimal("0.1538458824"),
        "stated",
    )


def test_a_statement_without_a_conversion_takes_the_rate_table_else_has_no_usd_value():
    figure = ReportedFigureFactory(metric="market_sales", statement=False)
    source = SourceFactory(published_on=datetime.date(2021, 11, 12))
    data = {"figure": figure, "qualifier": "exact", "currency": "CNY", "source": source}

    unvalued = services.figure_statement_create(
        user=admin(), data={**data, "value": Decimal("2000000"), "quote": "Sales reached 2 million yuan."}
    )
    ExchangeRateFactory(currency="CNY", date=datetime.date(2021, 11, 1), rate_to_usd=Decimal("0.1500000000"))
    valued = services.figure_statement_create(
        user=admin(), data={**data, "value": Decimal("3000000"), "quote": "Sales reached 3 million yuan."}
    )

    assert (unvalued.value_usd, unvalued.usd_rate, unvalued.usd_rate_source) == (None, None, "")
    assert (valued.value_usd, valued.usd_rate, valued.usd_rate_source) == (
        Decimal("450000.00"),
        Decimal("0.1500000000"),
        "rate_table",
    )


def test_a_count_has_no_currency_and_money_needs_one():
    count = ReportedFigureFactory(metric="settlements_confirmed", unit="companies", statement=False)
    money = ReportedFigureFactory(statement=False)

    with pytest.raises(ValidationError) as counted:
        FigureStatementFactory(figure=count, value=Decimal(8), qualifier="exact", currency="USD", quote="eight")
    with pytest.raises(ValidationError) as priced:
        FigureStatementFactory(figure=money, value=Decimal(8), qualifier="exact", currency="", quote="eight")

    assert counted.value.message_dict == {
        "currency": ["A count has no currency; the figure's unit says what it counts."]
    }
    assert priced.value.message_dict == {"currency": ["A figure in money is stated with its currency."]}


def test_a_figure_has_one_preferred_statement_at_most():
    first = FigureStatementFactory()

    with pytest.raises(ValidationError) as refused:
        FigureStatementFactory(figure=first.figure)

    assert refused.value.message_dict == {
        "__all__": ["The figure already has a preferred statement; rank this one normal."]
    }
    second = FigureStatementFactory(figure=first.figure, rank="normal")
    assert list(first.figure.statements.values_list("pk", "rank")) == [(first.pk, "preferred"), (second.pk, "normal")]


def test_a_statement_changes_its_figures_updated_at():
    figure = ReportedFigureFactory()
    before = ReportedFigure.objects.get(pk=figure.pk).updated_at

    FigureStatementFactory(figure=figure, rank="normal")

    assert ReportedFigure.objects.get(pk=figure.pk).updated_at > before


def test_a_refused_change_leaves_the_statement_as_it_was():
    statement = FigureStatementFactory(value=Decimal("300.00"), qualifier="exact", quote="It was US$300.")

    with pytest.raises(ValidationError) as refused:
        services.figure_statement_update(figure_statement=statement, user=admin(), data={"value": Decimal("301.00")})

    assert refused.value.message_dict == {"value": ["The quote does not state 301 (exact): it states US$300 (exact)."]}
    assert (statement.value, FigureStatement.objects.get().value) == (Decimal("300.00"), Decimal("300.00"))
