"""The shapes a report's facts are written in. A report is one module of data (``config/seeds/``):
its source, the edition it is about, and the delegations, enterprises, deals, activities and
figures it states, each figure with the sentence that states it. Records are named, not numbered:
a delegation by its name, an enterprise by its English name, an edition by its number, so that
reports that speak of the same record load into one row."""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SourceFacts:
    title: str
    author: str
    kind: str = "news_report"
    publisher: str = ""
    published_on: datetime.date | None = None
    url: str = ""
    file: str = ""
    notes: str = ""


@dataclass(frozen=True)
class EditionFacts:
    number: int
    name: str
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True)
class DelegationFacts:
    name: str
    parent: str | None = None
    region: str = ""
    description: str = ""


@dataclass(frozen=True)
class ParticipationFacts:
    delegation: str
    registered_organisations: int | None = None
    professional_audience: int | None = None
    city_parlor: str = ""
    services: str = ""


@dataclass(frozen=True)
class EnterpriseFacts:
    name: str
    kind: str = "company"
    country: str = ""
    city: str = ""
    district: str = ""
    industry: str = ""
    description: str = ""


@dataclass(frozen=True)
class DealFacts:
    """A deal between ``buyer`` and ``seller`` (English names of enterprises of the report), agreed
    in ``delegation`` at the report's edition. ``amount`` is None where the report gives none."""

    title: str
    buyer: str
    seller: str
    delegation: str
    stage: str
    amount: Decimal | None = None
    currency: str = ""
    description: str = ""
    first_deal_of: str | None = None
    regional_debut: bool = False
    debut_region: str = ""
    markets: tuple[str, ...] = ()
    # What it buys: (product, category name) pairs.
    products: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ActivityFacts:
    delegation: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class FigureFacts:
    """A number the report states. Its subject is ``delegation`` at the report's edition (or, with
    ``delegation`` None, the edition as a whole), over ``consecutive_editions`` ending with it. A
    conversion the quote gives, "1.7 million yuan (US$261,538)", values it in USD."""

    metric: str
    qualifier: str
    value: str
    quote: str
    delegation: str | None = None
    currency: str = ""
    unit: str = ""
    consecutive_editions: int = 1
    # What tells two figures of one subject and metric apart, e.g. "overseas organisations".
    description: str = ""


@dataclass(frozen=True)
class Report:
    """Everything one report states, loaded together, every record citing ``source``."""

    key: str
    source: SourceFacts
    edition: EditionFacts
    delegations: tuple[DelegationFacts, ...] = ()
    participations: tuple[ParticipationFacts, ...] = ()
    enterprises: tuple[EnterpriseFacts, ...] = ()
    deals: tuple[DealFacts, ...] = ()
    activities: tuple[ActivityFacts, ...] = ()
    figures: tuple[FigureFacts, ...] = ()


@dataclass(frozen=True)
class ChineseName:
    """The Chinese name (and pinyin) of a record another report states, from a reference list."""

    model: str
    name: str
    name_zh: str
    pinyin: str = ""
    aliases: tuple[str, ...] = ()
