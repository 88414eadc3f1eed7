"""The seed facts: every fact of the news report "Procurement, cultural exchanges and opening-up
thanks to CIIE" (Hu Min) about the Qingpu District trading delegation at the 6th CIIE, as records
citing that report. Where the report is vague (the signing date, which enterprises registered or
will settle, what the ten activities were) the field stays empty. The one outside fact is the 6th
edition's dates, cited to a public-record source of their own.

Then the facts of two more reports (the 4th CIIE in 2021 and the 1st in 2018, modules of
``config/seeds``), each citing its own report, and the Chinese names of the records from a
reference list of their own (``config/seeds/chinese_names.py``).

Loading is idempotent: each record is found by its natural key and only changed fields are
written, so a second run changes nothing."""

import datetime
from collections.abc import Collection
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from config.seeds import chinese_names, minhang_2018, qingpu_2021
from config.seeds.loading import SeedResult, load_chinese_names, load_deal, load_figure, load_report, upsert
from deals.models import Category, Market
from deals.services import LineItemInput
from delegations.models import Delegation, Enterprise, Participation
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure

ARTICLE_PATH = Path(__file__).resolve().parent / "sources" / "000_753cb23db75e7b94.txt"
ARTICLE_FILE = "config/sources/000_753cb23db75e7b94.txt"
ARTICLE_TITLE = "Procurement, cultural exchanges and opening-up thanks to CIIE"
ARTICLE_AUTHOR = "Hu Min"
DATES_TITLE = "6th China International Import Expo: dates (5–10 November 2023)"

VOLUME_QUOTE = (
    "The trading volume of Qingpu's delegation hit more than US$1 billion during the expo, "
    "a press conference heard on Saturday."
)
REGISTRATION_QUOTE = (
    "The district's trading delegation comprised of representatives from 3,014 enterprises and "
    "organizations and it had 18,773 professional audience registered for the expo, both a record "
    "high, according to the Qingpu District Commerce Commission."
)
SETTLEMENT_QUOTE = (
    "As of Thursday, eight companies that attended of the expo have confirmed they will settle in "
    "the district, with another 85 having the intention."
)
ACTIVITIES_QUOTE = "Ten activities to promote the district were held during the expo."
SIX_YEARS_QUOTE = (
    "Trading delegations from Qingpu District signed the first order of the Shanghai trading group "
    "for six consecutive years at CIIE with trading volume surpassing US$2.13 billion and "
    "procurement orders of intention worth over US$5.15 billion."
)

Metric = ReportedFigure.Metric
Qualifier = FigureStatement.Qualifier


class Figure(NamedTuple):
    metric: str
    qualifier: str
    value: str
    quote: str
    currency: str = ""
    unit: str = ""
    consecutive_editions: int = 1


FIGURES = (
    Figure(Metric.TRADING_VOLUME, Qualifier.MORE_THAN, "1000000000", VOLUME_QUOTE, currency="USD"),
    Figure(
        Metric.REGISTERED_ORGANISATIONS,
        Qualifier.EXACT,
        "3014",
        REGISTRATION_QUOTE,
        unit="enterprises and organisations",
    ),
    Figure(Metric.PROFESSIONAL_AUDIENCE, Qualifier.EXACT, "18773", REGISTRATION_QUOTE, unit="professional visitors"),
    Figure(Metric.SETTLEMENTS_CONFIRMED, Qualifier.EXACT, "8", SETTLEMENT_QUOTE, unit="companies"),
    Figure(Metric.SETTLEMENTS_INTENDED, Qualifier.EXACT, "85", SETTLEMENT_QUOTE, unit="companies"),
    Figure(Metric.PROMOTIONAL_ACTIVITIES, Qualifier.EXACT, "10", ACTIVITIES_QUOTE, unit="activities"),
    Figure(
        Metric.FIRST_ORDERS_OF_PARENT,
        Qualifier.EXACT,
        "6",
        SIX_YEARS_QUOTE,
        unit="consecutive editions",
        consecutive_editions=6,
    ),
    Figure(
        Metric.TRADING_VOLUME,
        Qualifier.MORE_THAN,
        "2130000000",
        SIX_YEARS_QUOTE,
        currency="USD",
        consecutive_editions=6,
    ),
    Figure(
        Metric.INTENTION_ORDER_VOLUME,
        Qualifier.MORE_THAN,
        "5150000000",
        SIX_YEARS_QUOTE,
        currency="USD",
        consecutive_editions=6,
    ),
)

MARKETS = ("Electronics", "Transportation", "New energy", "Packaging", "Architecture")


# The other reports loaded after the article, oldest edition last (each a module of config/seeds).
REPORTS = (qingpu_2021.REPORT, minhang_2018.REPORT)


@transaction.atomic
def load_seed_facts(*, only: Collection[str] | None = None) -> SeedResult:
    """Load (or bring up to date) every seed fact; returns what was created and updated. The
    article's facts are always loaded; ``only`` names what else to load: ``"reports"`` (the
    reports of other editions) and ``"chinese-names"`` (the reference list); all by default."""
    result = SeedResult()
    article = upsert(
        result,
        Source,
        {"title": ARTICLE_TITLE, "author": ARTICLE_AUTHOR},
        {
            "kind": Source.Kind.NEWS_REPORT,
            "publisher": "",
            "published_on": None,
            "url": "",
            "file": ARTICLE_FILE,
            # The stored copy's text: the figures' quotes are checked against it.
            "text": ARTICLE_PATH.read_text(encoding="utf-8"),
            "notes": "The report names no publisher or date of publication.",
        },
    )
    dates_source = upsert(
        result,
        Source,
        {"title": DATES_TITLE, "author": ""},
        {
            "kind": Source.Kind.PUBLIC_RECORD,
            "notes": (
                "Public record: the 6th CIIE was held from 5 to 10 November 2023. "
                'The news report says only that the expo "concluded on Friday".'
            ),
        },
    )
    cited = {"source": article}

    venue = upsert(
        result,
        Venue,
        {"name": "National Exhibition and Convention Center (Shanghai)"},
        {**cited, "district": "Qingpu District", "city": "Shanghai", "country": "CN"},
    )
    ciie = upsert(
        result,
        Expo,
        {"name": "China International Import Expo"},
        {**cited, "short_name": "CIIE", "host_venue": venue},
    )
    edition = upsert(
        result,
        Edition,
        {"expo": ciie, "number": 6},
        {
            **cited,
            "name": "6th China International Import Expo",
            "start_date": datetime.date(2023, 11, 5),
            "end_date": datetime.date(2023, 11, 10),
            "dates_source": dates_source,
            "venue": venue,
        },
    )
    shanghai = upsert(
        result,
        Delegation,
        {"name": "Shanghai trading delegation", "parent": None},
        {**cited, "region": "Shanghai", "description": 'Also called the "Shanghai trading group".'},
    )
    qingpu = upsert(
        result,
        Delegation,
        {"name": "Qingpu District trading delegation", "parent": shanghai},
        {**cited, "region": "Qingpu District"},
    )
    upsert(
        result,
        Participation,
        {"delegation": qingpu, "edition": edition},
        {
            **cited,
            "registered_organisations": 3014,
            "professional_audience": 18773,
            "city_parlor": (
                'A "city parlor" at the National Exhibition and Convention Center (Shanghai) '
                "to display the image of the district and attract investment."
            ),
            "services": (
                "One-stop consultation services: investment cooperation, policy explanation, "
                "resource matching and pavilion guidance."
            ),
        },
    )
    zkh = upsert(
        result,
        Enterprise,
        {"name": "ZKH Industrial Supply Co"},
        {
            **cited,
            "kind": Enterprise.Kind.COMPANY,
            "country": "CN",
            "city": "Shanghai",
            "district": "Qingpu District",
        },
    )
    dow = upsert(
        result,
        Enterprise,
        {"name": "Dow"},
        {**cited, "kind": Enterprise.Kind.COMPANY, "industry": "Materials science"},
    )
    markets = [upsert(result, Market, {"name": name}, cited) for name in MARKETS]
    organo_silicon = upsert(result, Category, {"name": "Organo-silicon products"}, cited)

    load_deal(
        result,
        signed=True,
        parties={"buyer": zkh, "seller": dow, "delegation": qingpu, "edition": edition},
        values={
            **cited,
            "title": "Organo-silicon products procurement order",
            "description": (
                "A procurement order mainly for organo-silicon products, one of which makes its debut "
                "in the Asia Pacific. Based on the deal, the two sides will jointly explore downstream "
                "markets for industrial products."
            ),
            "amount": Decimal("300000000.00"),
            "currency": "USD",
            "signed_on": None,
            "first_deal_of": shanghai,
            "regional_debut": True,
            "debut_region": "Asia Pacific",
            "is_published": True,
            "embargo_until": None,
        },
        markets=markets,
        line_items=[LineItemInput(product="Organo-silicon products", category=organo_silicon)],
    )
    # Each figure the article states, with the article's statement of it, preferred.
    for figure in FIGURES:
        load_figure(
            result,
            subject={
                "edition": edition,
                "delegation": qingpu,
                "enterprise": None,
                "metric": figure.metric,
                "consecutive_editions": figure.consecutive_editions,
                "description": "",
            },
            unit=figure.unit,
            source=article,
            statement={
                "qualifier": figure.qualifier,
                "value": Decimal(figure.value),
                "currency": figure.currency,
                "quote": figure.quote,
            },
        )
    if only is None or "reports" in only:
        for report in REPORTS:
            load_report(result, report, expo=ciie, venue=venue)
    if only is None or "chinese-names" in only:
        load_chinese_names(result, chinese_names.SOURCE, chinese_names.NAMES)
    return result
