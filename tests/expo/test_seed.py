"""The seed facts: every fact of the report, exactly as it gives them, loaded idempotently."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from config.seed import ARTICLE_PATH, load_seed_facts
from deals.models import Category, Deal, DealLineItem, Market
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from figures.quotes import quote_problem

pytestmark = pytest.mark.django_db

ARTICLE_TITLE = "Procurement, cultural exchanges and opening-up thanks to CIIE"


@pytest.fixture
def seeded():
    load_seed_facts(only=())


def article() -> Source:
    return Source.objects.get(title=ARTICLE_TITLE)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("framework", "expo", "delegations", "deals", "figures")
        for model in apps.get_app_config(app).get_models()
    }


def test_article_source_has_title_author_and_no_publisher_or_date(seeded):
    source = article()
    assert (source.kind, source.author, source.publisher, source.published_on, source.url) == (
        "news_report",
        "Hu Min",
        "",
        None,
        "",
    )
    assert source.file == "config/sources/000_753cb23db75e7b94.txt"
    assert ARTICLE_PATH.read_text().splitlines()[0] == ARTICLE_TITLE


def test_venue_expo_and_sixth_edition(seeded):
    venue = Venue.objects.get()
    assert (venue.name, venue.district, venue.city, venue.country) == (
        "National Exhibition and Convention Center (Shanghai)",
        "Qingpu District",
        "Shanghai",
        "CN",
    )
    expo = Expo.objects.get()
    assert (expo.name, expo.short_name, expo.host_venue) == ("China International Import Expo", "CIIE", venue)
    edition = Edition.objects.get()
    assert (edition.expo, edition.number, edition.name, edition.venue) == (
        expo,
        6,
        "6th China International Import Expo",
        venue,
    )
    assert (edition.start_date, edition.end_date) == (datetime.date(2023, 11, 5), datetime.date(2023, 11, 10))


def test_edition_dates_cite_a_public_record(seeded):
    edition = Edition.objects.get()
    assert edition.source == article()
    assert edition.dates_source.kind == "public_record"
    assert "5 to 10 November 2023" in edition.dates_source.notes


def test_shanghai_delegation_with_qingpu_under_it(seeded):
    shanghai = Delegation.objects.get(name="Shanghai trading delegation")
    qingpu = Delegation.objects.get(name="Qingpu District trading delegation")
    assert shanghai.parent is None
    assert qingpu.parent == shanghai
    assert (shanghai.region, qingpu.region) == ("Shanghai", "Qingpu District")
    assert Delegation.objects.count() == 2


def test_qingpu_participation_counts_parlor_and_services(seeded):
    participation = Participation.objects.get()
    assert participation.delegation.name == "Qingpu District trading delegation"
    assert participation.edition.number == 6
    assert (participation.registered_organisations, participation.professional_audience) == (3014, 18773)
    assert '"city parlor"' in participation.city_parlor
    assert participation.services == (
        "One-stop consultation services: investment cooperation, policy explanation, "
        "resource matching and pavilion guidance."
    )
    # The report names no registered enterprise, settling company or activity.
    assert participation.enterprises.count() == 0
    assert Settlement.objects.count() == 0
    assert PromotionalActivity.objects.count() == 0


def test_enterprises_zkh_in_qingpu_and_dow_with_unknown_country(seeded):
    zkh = Enterprise.objects.get(name="ZKH Industrial Supply Co")
    dow = Enterprise.objects.get(name="Dow")
    assert (zkh.kind, zkh.country, zkh.city, zkh.district, zkh.uscc) == (
        "company",
        "CN",
        "Shanghai",
        "Qingpu District",
        "",
    )
    assert (dow.kind, dow.country, dow.industry, dow.uscc) == ("company", "", "Materials science", "")


def test_zkh_dow_deal(seeded):
    deal = Deal.objects.get()
    assert (deal.buyer.name, deal.seller.name) == ("ZKH Industrial Supply Co", "Dow")
    assert deal.delegation.name == "Qingpu District trading delegation"
    assert deal.first_deal_of.name == "Shanghai trading delegation"
    assert deal.edition.number == 6
    assert (deal.amount, deal.currency) == (Decimal("300000000.00"), "USD")
    assert (deal.value_usd, deal.usd_rate, deal.usd_rate_date) == (Decimal("300000000.00"), Decimal(1), None)
    assert (deal.stage, deal.signed_on) == ("signed", None)
    assert (deal.regional_debut, deal.debut_region) == (True, "Asia Pacific")
    assert (deal.is_published, deal.embargo_until) == (True, None)
    assert sorted(deal.markets.values_list("name", flat=True)) == [
        "Architecture",
        "Electronics",
        "New energy",
        "Packaging",
        "Transportation",
    ]
    item = DealLineItem.objects.get()
    assert (item.deal, item.product, item.category.name, item.hs_code, item.amount) == (
        deal,
        "Organo-silicon products",
        "Organo-silicon products",
        "",
        None,
    )


def figure(metric: str, consecutive: int = 1) -> tuple:
    row = ReportedFigure.objects.get(metric=metric, consecutive_editions=consecutive)
    (statement,) = row.statements.all()
    return (statement.qualifier, statement.value, statement.currency, row.unit)


def test_every_figure_of_the_report_with_its_qualifier(seeded):
    assert figure("trading_volume") == ("more_than", Decimal("1000000000.00"), "USD", "")
    assert figure("registered_organisations") == ("exact", Decimal("3014.00"), "", "enterprises and organisations")
    assert figure("professional_audience") == ("exact", Decimal("18773.00"), "", "professional visitors")
    assert figure("settlements_confirmed") == ("exact", Decimal("8.00"), "", "companies")
    assert figure("settlements_intended") == ("exact", Decimal("85.00"), "", "companies")
    assert figure("promotional_activities") == ("exact", Decimal("10.00"), "", "activities")
    assert figure("first_orders_of_parent", 6) == ("exact", Decimal("6.00"), "", "consecutive editions")
    assert figure("trading_volume", 6) == ("more_than", Decimal("2130000000.00"), "USD", "")
    assert figure("intention_order_volume", 6) == ("more_than", Decimal("5150000000.00"), "USD", "")
    assert ReportedFigure.objects.count() == 9
    assert FigureStatement.objects.count() == 9


def test_each_figure_has_one_preferred_statement_valued_in_usd_where_it_is_money(seeded):
    rows = {
        (row.figure.metric, row.figure.consecutive_editions): (row.rank, row.value_usd, row.usd_rate_source)
        for row in FigureStatement.objects.select_related("figure")
    }
    assert rows[("trading_volume", 1)] == ("preferred", Decimal("1000000000.00"), "usd")
    assert rows[("intention_order_volume", 6)] == ("preferred", Decimal("5150000000.00"), "usd")
    assert rows[("professional_audience", 1)] == ("preferred", None, "")
    assert {rank for rank, _, _ in rows.values()} == {"preferred"}


SEED_FIGURES = [
    ("trading_volume", 1),
    ("registered_organisations", 1),
    ("professional_audience", 1),
    ("settlements_confirmed", 1),
    ("settlements_intended", 1),
    ("promotional_activities", 1),
    ("first_orders_of_parent", 6),
    ("trading_volume", 6),
    ("intention_order_volume", 6),
]


@pytest.mark.parametrize(("metric", "consecutive"), SEED_FIGURES)
def test_each_seed_figures_quote_is_in_the_article_and_states_its_value(seeded, metric, consecutive):
    statement = FigureStatement.objects.select_related("source").get(
        figure__metric=metric, figure__consecutive_editions=consecutive
    )
    assert statement.source.text == ARTICLE_PATH.read_text(encoding="utf-8")
    assert (
        quote_problem(
            quote=statement.quote,
            text=statement.source.text,
            value=statement.value,
            qualifier=statement.qualifier,
            currency=statement.currency,
        )
        is None
    )


def test_every_figure_is_about_qingpu_at_the_sixth_ciie_and_quotes_the_report(seeded):
    text = " ".join(ARTICLE_PATH.read_text().split())
    for row in FigureStatement.objects.select_related("figure__delegation", "figure__edition", "source"):
        assert row.figure.delegation.name == "Qingpu District trading delegation"
        assert row.figure.edition.number == 6
        assert row.source == article()
        assert row.quote in text, row.quote


def test_every_seed_record_cites_the_article(seeded):
    source = article()
    for model in (Venue, Expo, Edition, Delegation, Participation, Enterprise, Market, Category, Deal, FigureStatement):
        assert set(model.objects.values_list("source", flat=True)) == {source.pk}, model.__name__


def test_loading_twice_changes_nothing():
    first = load_seed_facts(only=())
    counts = row_counts()
    stamps = list(Deal.objects.values_list("updated_at", flat=True))
    second = load_seed_facts(only=())
    assert sum(first.created.values()) == 36
    assert (second.created, second.updated) == ({}, {})
    assert row_counts() == counts
    assert list(Deal.objects.values_list("updated_at", flat=True)) == stamps


def test_loading_repairs_a_changed_fact():
    load_seed_facts(only=())
    Deal.objects.update(title="Edited")
    Deal.objects.get().markets.remove(Market.objects.get(name="Packaging"))
    result = load_seed_facts(only=())
    assert result.updated == {"Deal": 1, "Market": 1}
    deal = Deal.objects.get()
    assert deal.title == "Organo-silicon products procurement order"
    assert deal.markets.count() == 5


def test_load_seed_command_reports_then_says_nothing_changed(capsys):
    call_command("load_seed")
    call_command("load_seed")
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "Seed facts already loaded; nothing changed."
    assert out[0] == (
        "Created: 1 Category, 5 Deal, 1 DealLineItem, 3 Delegation, 3 Edition, 9 Enterprise, 1 EnterpriseAlias, "
        "1 Expo, 21 FigureStatement, 5 Market, 3 Participation, 2 PromotionalActivity, 21 ReportedFigure, 5 Source, "
        "1 Venue."
    )
