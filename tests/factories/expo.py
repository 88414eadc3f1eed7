"""Factories for what is expo-wide: sources, venues, expos, editions and reported figures."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from expo.models import Edition, Expo, Source, Venue, ordinal
from figures.models import FigureStatement, ReportedFigure
from figures.services import figure_statement_create

# Editions are yearly, in early November, like the CIIE (the 1st was 5–10 November 2018).
FIRST_EDITION_START = datetime.date(2018, 11, 5)
EDITION_DAYS = 6


def edition_start(number: int) -> datetime.date:
    """The start of the ``number``-th yearly edition (years wrap after 50 so any sequence fits)."""
    return FIRST_EDITION_START.replace(year=FIRST_EDITION_START.year + (number - 1) % 50)


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    kind = Source.Kind.NEWS_REPORT
    title = factory.Sequence(lambda n: f"Trade delegation report {n}")
    publisher = "Example News"
    published_on = datetime.date(2023, 11, 10)
    url = factory.Sequence(lambda n: f"https://news.example.com/reports/{n}")


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Exhibition and Convention Center {n}")
    district = "Qingpu District"
    city = "Shanghai"
    country = "CN"


class ExpoFactory(DjangoModelFactory):
    class Meta:
        model = Expo

    name = factory.Sequence(lambda n: f"International Import Expo {n}")
    short_name = factory.Sequence(lambda n: f"IIE{n}")
    host_venue = factory.SubFactory(VenueFactory)


class EditionFactory(DjangoModelFactory):
    class Meta:
        model = Edition

    expo = factory.SubFactory(ExpoFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{ordinal(o.number)} {o.expo.name}")
    start_date = factory.LazyAttribute(lambda o: edition_start(o.number))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=EDITION_DAYS - 1))
    venue = factory.SelfAttribute("expo.host_venue")


QUALIFIER_WORDS = {"exact": "", "more_than": "more than ", "at_least": "at least ", "about": "about "}


def stating(value: Decimal, qualifier: str = "exact", currency: str = "") -> str:
    """A sentence that states ``value`` with ``qualifier`` (in US dollars where ``currency`` is USD)."""
    amount = f"US${value:,}" if currency == "USD" else f"{value:,}"
    return f"The figure reached {QUALIFIER_WORDS[qualifier]}{amount}, the report said."


# What a statement of a figure takes, given to ReportedFigureFactory for its one statement.
STATEMENT_FIELDS = ("source", "value", "qualifier", "currency", "quote", "rank", "as_of")


class ReportedFigureFactory(DjangoModelFactory):
    """By default the seed's headline figure: a trading volume of more than US$1 billion, stated
    by one source in one preferred statement (``statement=False``: none). The statement's fields
    (``value``, ``qualifier``, ``currency``, ``quote``, ``source``, ``rank``, ``as_of``) may be
    given; it is written through the services, so it is valued in USD and its quote checked."""

    class Meta:
        model = ReportedFigure

    # A string path: the delegations factories import this module.
    delegation = factory.SubFactory("tests.factories.delegations.DelegationFactory")
    edition = factory.SubFactory(EditionFactory)
    metric = ReportedFigure.Metric.TRADING_VOLUME
    unit = factory.LazyAttribute(lambda figure: "" if figure.metric in ReportedFigure.MONEY_METRICS else "things")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        given = {name: kwargs.pop(name) for name in STATEMENT_FIELDS if name in kwargs}
        wanted = kwargs.pop("statement", True)
        figure = super()._create(model_class, *args, **kwargs)
        if wanted:
            FigureStatementFactory(figure=figure, **given)
        return figure


class FigureStatementFactory(DjangoModelFactory):
    """A preferred statement of a figure, written through the services."""

    class Meta:
        model = FigureStatement

    figure = factory.SubFactory(ReportedFigureFactory, statement=False)
    source = factory.SubFactory(SourceFactory)
    qualifier = FigureStatement.Qualifier.MORE_THAN
    value = Decimal("1000000000.00")
    currency = factory.LazyAttribute(lambda statement: "USD" if statement.figure.is_money else "")
    quote = factory.LazyAttribute(lambda statement: stating(statement.value, statement.qualifier, statement.currency))
    rank = FigureStatement.Rank.PREFERRED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return figure_statement_create(user=None, data=kwargs)
