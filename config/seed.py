"""The seed facts: every fact of the news report "Procurement, cultural exchanges and opening-up
thanks to CIIE" (Hu Min) about the Qingpu District trading delegation at the 6th CIIE, as records
citing that report. Where the report is vague (the signing date, which enterprises registered or
will settle, what the ten activities were) the field stays empty. The one outside fact is the 6th
edition's dates, cited to a public-record source of their own.

Loading is idempotent: each record is found by its natural key and only changed fields are
written, so a second run changes nothing."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from django.db import models, transaction

from deals.models import Category, Deal, DealLineItem, Market
from deals.services import LineItemInput, deal_create, deal_sign, deal_update
from delegations.models import Delegation, Enterprise, Participation
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from framework.services import required_writes_of

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

M = TypeVar("M", bound=models.Model)

MARKETS = ("Electronics", "Transportation", "New energy", "Packaging", "Architecture")


@dataclass
class SeedResult:
    """What a load did: the records it created and updated, by model name."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: type[models.Model]) -> None:
        bucket[model.__name__] = bucket.get(model.__name__, 0) + 1


def _upsert(result: SeedResult, model: type[M], lookup: dict, values: dict) -> M:
    """The ``model`` row matching ``lookup``, created with ``values`` or brought up to date
    with them, through the services of the model's app; only fields that differ are written."""
    writes = required_writes_of(model)
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        result.count(result.created, model)
        return writes.create_record(user=None, data={**lookup, **values})
    changed = {name: value for name, value in values.items() if getattr(instance, name) != value}
    if changed:
        writes.update_record(record=instance, user=None, data=changed)
        result.count(result.updated, model)
    return instance


def _line_item_values(items: Iterable[LineItemInput]) -> list[tuple]:
    return sorted((item.product, item.category.pk, item.hs_code, item.amount) for item in items)


def _signed(deal: Deal) -> Deal:
    # The report says the order was signed, not on which day.
    return deal_sign(deal=deal, signed_on=None, user=None)


def _load_seed_deal(
    result: SeedResult,
    *,
    parties: dict[str, Any],
    values: dict[str, Any],
    markets: list[Market],
    line_items: list[LineItemInput],
) -> Deal:
    """The signed deal between ``parties``, created through the deal services (an intention,
    then signed, so its history shows the move) or brought up to date with ``values``,
    ``markets`` and ``line_items`` through them; nothing is written when nothing differs."""
    deal = Deal.objects.filter(**parties).first()
    if deal is None:
        deal = deal_create(**parties, **values, markets=markets, line_items=line_items, user=None)
        result.count(result.created, Deal)
        for _ in line_items:
            result.count(result.created, DealLineItem)
        return _signed(deal)
    # Stage moves are not undone: a deal executed or cancelled since stays so.
    unsigned = deal.stage == Deal.Stage.INTENTION
    changes = {name: value for name, value in values.items() if getattr(deal, name) != value}
    stale_markets = set(deal.markets.all()) != set(markets)
    stored_items = [LineItemInput.of(item) for item in deal.line_items.select_related("category")]
    stale_items = _line_item_values(stored_items) != _line_item_values(line_items)
    if changes or stale_markets or stale_items:
        deal_update(
            deal=deal,
            changes=changes,
            markets=markets if stale_markets else None,
            line_items=line_items if stale_items else None,
            user=None,
        )
    if unsigned:
        _signed(deal)
    if changes or unsigned:
        result.count(result.updated, Deal)
    if stale_markets:
        result.count(result.updated, Market)
    if stale_items:
        result.count(result.updated, DealLineItem)
    return deal


@transaction.atomic
def load_seed_facts() -> SeedResult:
    """Load (or bring up to date) every seed fact; returns what was created and updated."""
    result = SeedResult()
    article = _upsert(
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
    dates_source = _upsert(
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

    venue = _upsert(
        result,
        Venue,
        {"name": "National Exhibition and Convention Center (Shanghai)"},
        {**cited, "district": "Qingpu District", "city": "Shanghai", "country": "CN"},
    )
    ciie = _upsert(
        result,
        Expo,
        {"name": "China International Import Expo"},
        {**cited, "short_name": "CIIE", "host_venue": venue},
    )
    edition = _upsert(
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
    shanghai = _upsert(
        result,
        Delegation,
        {"name": "Shanghai trading delegation", "parent": None},
        {**cited, "region": "Shanghai", "description": 'Also called the "Shanghai trading group".'},
    )
    qingpu = _upsert(
        result,
        Delegation,
        {"name": "Qingpu District trading delegation", "parent": shanghai},
        {**cited, "region": "Qingpu District"},
    )
    _upsert(
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
    zkh = _upsert(
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
    dow = _upsert(
        result,
        Enterprise,
        {"name": "Dow"},
        {**cited, "kind": Enterprise.Kind.COMPANY, "industry": "Materials science"},
    )
    markets = [_upsert(result, Market, {"name": name}, cited) for name in MARKETS]
    organo_silicon = _upsert(result, Category, {"name": "Organo-silicon products"}, cited)

    _load_seed_deal(
        result,
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
        reported = _upsert(
            result,
            ReportedFigure,
            {
                "delegation": qingpu,
                "enterprise": None,
                "edition": edition,
                "metric": figure.metric,
                "consecutive_editions": figure.consecutive_editions,
                "description": "",
            },
            {"unit": figure.unit},
        )
        _upsert(
            result,
            FigureStatement,
            {"figure": reported, "source": article},
            {
                "qualifier": figure.qualifier,
                "value": Decimal(figure.value),
                "currency": figure.currency,
                "quote": figure.quote,
                "rank": FigureStatement.Rank.PREFERRED,
            },
        )
    return result
