"""The database refuses expo-wide records that break the domain's rules (SPEC §2): sources
without a title, unknown country and currency codes, editions numbered twice or ending before
they start, figure statements without their sentence or with a made-up qualifier, figures about two
subjects at once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from expo.models import Edition
from figures.models import FigureStatement, ReportedFigure
from tests.factories import (
    EditionFactory,
    EnterpriseFactory,
    ExpoFactory,
    ReportedFigureFactory,
    SourceFactory,
    VenueFactory,
)
from tests.factories.integrity import violates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [SourceFactory, VenueFactory, ExpoFactory, EditionFactory, ReportedFigureFactory])
def test_factories_create_valid_rows(factory):
    factory().full_clean()


def test_source_needs_a_title():
    with violates("source_title_not_empty"):
        SourceFactory(title="")


def test_venue_country_must_be_iso_3166():
    with violates("venue_country_iso3166"):
        VenueFactory(country="ZZ")


def test_venue_country_may_be_empty():
    venue = VenueFactory(country="")

    assert venue.country == ""


def test_edition_number_is_unique_within_its_expo():
    sixth = EditionFactory(number=6)

    with violates("edition_number_unique_per_expo", unique_columns=("expo_edition.expo_id", "expo_edition.number")):
        EditionFactory(expo=sixth.expo, number=6)


def test_edition_number_may_repeat_across_expos():
    EditionFactory(number=6)
    EditionFactory(number=6)

    assert Edition.objects.filter(number=6).count() == 2


def test_edition_numbers_start_at_one():
    with violates("edition_number_positive"):
        EditionFactory(number=0)


def test_edition_cannot_end_before_it_starts():
    with violates("edition_end_not_before_start"):
        EditionFactory(start_date=datetime.date(2023, 11, 10), end_date=datetime.date(2023, 11, 5))


def test_edition_may_start_and_end_on_one_day():
    edition = EditionFactory(start_date=datetime.date(2023, 11, 5), end_date=datetime.date(2023, 11, 5))

    assert edition.end_date == datetime.date(2023, 11, 5)


def raw_statement(**fields) -> FigureStatement:
    """A statement saved as given, past the services' checks, so that the database's own rules answer."""
    values = {"value": Decimal(1), "quote": "It was US$1.", "currency": "USD", **fields}
    return FigureStatement.objects.create(figure=ReportedFigureFactory(statement=False), **values)


def test_reported_figure_qualifier_must_be_known():
    with violates("figurestatement_qualifier_valid"):
        raw_statement(qualifier="roughly")


def test_reported_figure_cannot_be_negative():
    with violates("figurestatement_value_not_negative"):
        raw_statement(value=Decimal("-1.00"))


def test_reported_figure_covers_at_least_one_edition():
    with violates("reportedfigure_consecutive_editions_positive"):
        ReportedFigureFactory(consecutive_editions=0)


def test_reported_figure_needs_its_quote():
    with violates("figurestatement_quote_not_empty"):
        raw_statement(quote="")


def test_reported_figure_currency_must_be_iso_4217():
    with violates("figurestatement_currency_iso4217"):
        raw_statement(currency="XYZ")


def test_a_statement_rank_must_be_known():
    with violates("figurestatement_rank_valid"):
        raw_statement(rank="best")


def test_a_usd_value_comes_with_its_rate():
    with violates("figurestatement_usd_value_with_its_rate"):
        raw_statement(value_usd=Decimal(1), usd_rate=None, usd_rate_source="usd")


def test_a_figure_has_one_preferred_statement_in_the_database_too():
    first = raw_statement(rank="preferred")
    with violates("figurestatement_one_preferred_per_figure", unique_columns=("figures_figurestatement.figure_id",)):
        FigureStatement.objects.create(figure=first.figure, value=Decimal(1), quote="US$1", rank="preferred")


def test_a_figure_is_about_a_delegation_or_an_enterprise_not_both():
    with violates("reportedfigure_one_subject"):
        ReportedFigureFactory(enterprise=EnterpriseFactory(), statement=False)


def test_an_expo_wide_figure_is_one_per_edition_and_metric():
    first = ReportedFigureFactory(delegation=None, statement=False)
    columns = ("metric", "edition_id", "consecutive_editions", "description")
    with violates(
        "reportedfigure_one_per_edition_subject",
        unique_columns=tuple(f"expo_reportedfigure.{column}" for column in columns),
    ):
        ReportedFigureFactory(delegation=None, edition=first.edition, statement=False)


def test_reported_count_has_no_currency():
    figure = ReportedFigureFactory(
        metric=ReportedFigure.Metric.REGISTERED_ORGANISATIONS,
        qualifier=FigureStatement.Qualifier.EXACT,
        value=Decimal(3014),
        unit="enterprises and organisations",
    )

    statement = figure.statements.get()
    assert (statement.currency, figure.unit, statement.value_usd) == ("", "enterprises and organisations", None)


def test_full_clean_reports_edition_ending_before_it_starts():
    edition = EditionFactory.build(
        expo=ExpoFactory(), start_date=datetime.date(2023, 11, 10), end_date=datetime.date(2023, 11, 5)
    )

    with pytest.raises(ValidationError) as raised:
        edition.full_clean()

    assert raised.value.message_dict == {"__all__": ["An edition cannot end before it starts."]}


def test_full_clean_reports_unknown_qualifier_as_a_field_error():
    # The field's choices catch the value first; Django then skips constraints on that field.
    statement = FigureStatement(
        figure=ReportedFigureFactory(statement=False),
        value=Decimal(1),
        quote="US$1",
        currency="USD",
        qualifier="roughly",
    )

    with pytest.raises(ValidationError) as raised:
        statement.full_clean()

    assert raised.value.message_dict == {"qualifier": ["Value 'roughly' is not a valid choice."]}


def test_constraint_validation_reports_unknown_qualifier():
    statement = FigureStatement(
        figure=ReportedFigureFactory(statement=False),
        value=Decimal(1),
        quote="US$1",
        currency="USD",
        qualifier="roughly",
    )

    with pytest.raises(ValidationError) as raised:
        statement.validate_constraints()

    assert raised.value.messages == ["Qualifier must be one of exact, more_than, at_least, about."]


def test_constraint_validation_reports_unknown_venue_country():
    venue = VenueFactory.build(country="ZZ")

    with pytest.raises(ValidationError) as raised:
        venue.validate_constraints()

    assert raised.value.messages == ["Country must be an ISO 3166-1 alpha-2 code, such as CN or US."]
