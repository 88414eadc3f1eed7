"""Loading facts idempotently, through the services of each record's app: a record is found by its
natural key and only the fields that differ are written, so a second load changes nothing. A
report (``config.seeds.facts.Report``) loads as a whole; so does a list of Chinese names."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.db import models

from config.seeds.facts import ChineseName, DealFacts, Report, SourceFacts
from deals.models import Category, Deal, DealLineItem, Market
from deals.services import LineItemInput, deal_create, deal_sign, deal_update
from delegations.models import Delegation, Enterprise, EnterpriseAlias, Participation, PromotionalActivity
from delegations.services import AliasInput, enterprise_update
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from framework.services import required_writes_of

M = TypeVar("M", bound=models.Model)

# The checkout's root: a source's ``file`` is a path from it.
ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class SeedResult:
    """What a load did: the records it created and updated, by model name."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], model: type[models.Model]) -> None:
        bucket[model.__name__] = bucket.get(model.__name__, 0) + 1


def upsert(result: SeedResult, model: type[M], lookup: dict, values: dict) -> M:
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


def load_source(result: SeedResult, facts: SourceFacts) -> Source:
    """The source, with the text of its stored copy (the figures' quotes are checked against it)."""
    values: dict[str, Any] = {
        "kind": facts.kind,
        "publisher": facts.publisher,
        "published_on": facts.published_on,
        "url": facts.url,
        "file": facts.file,
        "notes": facts.notes,
    }
    if facts.file:
        values["text"] = (ROOT / facts.file).read_text(encoding="utf-8")
    return upsert(result, Source, {"title": facts.title, "author": facts.author}, values)


def _line_item_values(items: Iterable[LineItemInput]) -> list[tuple]:
    return sorted((item.product, item.category.pk, item.hs_code, item.amount) for item in items)


def load_deal(
    result: SeedResult,
    *,
    parties: dict[str, Any],
    values: dict[str, Any],
    signed: bool,
    markets: Sequence[Market] = (),
    line_items: Sequence[LineItemInput] = (),
) -> Deal:
    """The deal between ``parties``, created through the deal services (an intention, then
    signed where ``signed``, so its history shows the move) or brought up to date with
    ``values``, ``markets`` and ``line_items`` through them; nothing is written when nothing
    differs. The reports give no signing dates: a signed deal is signed on no known day."""
    deal = Deal.objects.filter(**parties).first()
    if deal is None:
        deal = deal_create(**parties, **values, markets=markets, line_items=line_items, user=None)
        result.count(result.created, Deal)
        for _ in line_items:
            result.count(result.created, DealLineItem)
        return deal_sign(deal=deal, signed_on=None, user=None) if signed else deal
    # Stage moves are not undone: a deal executed or cancelled since stays so.
    unsigned = signed and deal.stage == Deal.Stage.INTENTION
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
        deal_sign(deal=deal, signed_on=None, user=None)
    if changes or unsigned:
        result.count(result.updated, Deal)
    if stale_markets:
        result.count(result.updated, Market)
    if stale_items:
        result.count(result.updated, DealLineItem)
    return deal


def load_figure(
    result: SeedResult,
    *,
    subject: dict[str, Any],
    unit: str,
    source: Source,
    statement: dict[str, Any],
) -> FigureStatement:
    """The figure of ``subject`` (edition, delegation, enterprise, metric, run, description) and
    ``source``'s statement of it, preferred unless another source's statement already is."""
    figure = upsert(result, ReportedFigure, subject, {"unit": unit})
    others_preferred = figure.statements.exclude(source=source).filter(rank=FigureStatement.Rank.PREFERRED).exists()
    rank = FigureStatement.Rank.NORMAL if others_preferred else FigureStatement.Rank.PREFERRED
    existing = figure.statements.filter(source=source).first()
    values = {**statement, **({} if existing is not None else {"rank": rank})}
    return upsert(result, FigureStatement, {"figure": figure, "source": source}, values)


def _deal_values(facts: DealFacts, source: Source, delegations: dict[str, Delegation]) -> dict[str, Any]:
    return {
        "source": source,
        "title": facts.title,
        "description": facts.description,
        "amount": facts.amount,
        "currency": facts.currency,
        "signed_on": None,
        "first_deal_of": delegations[facts.first_deal_of] if facts.first_deal_of else None,
        "regional_debut": facts.regional_debut,
        "debut_region": facts.debut_region,
        "is_published": True,
        "embargo_until": None,
    }


def load_report(result: SeedResult, report: Report, *, expo: Expo, venue: Venue) -> Source:
    """Every fact of ``report``, each record citing its source. Delegations and enterprises it
    names that are already recorded (by name) are the same records; its edition is ``expo``'s
    edition of its number, held at ``venue``."""
    source = load_source(result, report.source)
    cited = {"source": source}
    edition = upsert(
        result,
        Edition,
        {"expo": expo, "number": report.edition.number},
        {
            **cited,
            "name": report.edition.name,
            "start_date": report.edition.start_date,
            "end_date": report.edition.end_date,
            "venue": venue,
        },
    )
    delegations = {delegation.name: delegation for delegation in Delegation.objects.all()}
    for facts in report.delegations:
        parent = delegations[facts.parent] if facts.parent else None
        delegations[facts.name] = upsert(
            result,
            Delegation,
            {"name": facts.name, "parent": parent},
            {**cited, "region": facts.region, "description": facts.description},
        )
    participations = {}
    for participation in report.participations:
        delegation = delegations[participation.delegation]
        participations[participation.delegation] = upsert(
            result,
            Participation,
            {"delegation": delegation, "edition": edition},
            {
                **cited,
                "registered_organisations": participation.registered_organisations,
                "professional_audience": participation.professional_audience,
                "city_parlor": participation.city_parlor,
                "services": participation.services,
            },
        )
    enterprises = {}
    for enterprise in report.enterprises:
        enterprises[enterprise.name] = upsert(
            result,
            Enterprise,
            {"name": enterprise.name},
            {
                **cited,
                "kind": enterprise.kind,
                "country": enterprise.country,
                "city": enterprise.city,
                "district": enterprise.district,
                "industry": enterprise.industry,
                "description": enterprise.description,
            },
        )
    for deal in report.deals:
        categories = {category: upsert(result, Category, {"name": category}, cited) for _, category in deal.products}
        load_deal(
            result,
            parties={
                "buyer": enterprises[deal.buyer],
                "seller": enterprises[deal.seller],
                "delegation": delegations[deal.delegation],
                "edition": edition,
            },
            values=_deal_values(deal, source, delegations),
            signed=deal.stage == Deal.Stage.SIGNED,
            markets=[upsert(result, Market, {"name": name}, cited) for name in deal.markets],
            line_items=[
                LineItemInput(product=product, category=categories[category]) for product, category in deal.products
            ],
        )
    for activity in report.activities:
        upsert(
            result,
            PromotionalActivity,
            {"participation": participations[activity.delegation], "title": activity.title},
            {**cited, "description": activity.description},
        )
    for figure in report.figures:
        load_figure(
            result,
            subject={
                "edition": edition,
                "delegation": delegations[figure.delegation] if figure.delegation else None,
                "enterprise": None,
                "metric": figure.metric,
                "consecutive_editions": figure.consecutive_editions,
                "description": figure.description,
            },
            unit=figure.unit,
            source=source,
            statement={
                "qualifier": figure.qualifier,
                "value": Decimal(figure.value),
                "currency": figure.currency,
                "quote": figure.quote,
            },
        )
    return source


NAMED: dict[str, type[models.Model]] = {
    "expo": Expo,
    "edition": Edition,
    "venue": Venue,
    "delegation": Delegation,
    "enterprise": Enterprise,
    "category": Category,
    "market": Market,
}


def load_chinese_names(result: SeedResult, source_facts: SourceFacts, names: Iterable[ChineseName]) -> Source:
    """The Chinese names (and pinyin, and Chinese aliases) of the records loaded, each citing
    ``source_facts`` as the source of its Chinese name, not the record's own source."""
    source = load_source(result, source_facts)
    for name in names:
        model = NAMED[name.model]
        record = model._default_manager.filter(name=name.name).first()
        if record is None:  # a record of a report not loaded
            continue
        upsert(
            result,
            model,
            {"pk": record.pk},
            {"name_zh": name.name_zh, "name_pinyin": name.pinyin, "name_zh_source": source},
        )
        if isinstance(record, Enterprise) and name.aliases:
            _add_aliases(result, record, name.aliases)
    return source


def _add_aliases(result: SeedResult, enterprise: Enterprise, aliases: Iterable[str]) -> None:
    stored = [AliasInput.of(alias) for alias in enterprise.aliases.all()]
    missing = [AliasInput(name=alias) for alias in aliases if alias not in {given.name for given in stored}]
    if missing:
        enterprise_update(enterprise=enterprise, user=None, data={}, aliases=[*stored, *missing])
        for _ in missing:
            result.count(result.created, EnterpriseAlias)
