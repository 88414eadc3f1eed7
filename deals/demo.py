"""Synthetic demo data: a deterministic, valid data set of any size for trying the API and the
admin at scale. The rows are built with the model classes in dependency order (the deals and what
hangs off them in a tight loop); all are written with ``bulk_create`` in one transaction, and
every record cites one synthetic source."""

import bisect
import datetime
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import faker
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from deals import funnel_summaries, summaries
from deals.models import Category, Deal, DealLineItem, DealStageChange, ExchangeRate, Market
from deals.services import convert_to_usd, implied_rate
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Bilingual, Edition, Expo, Source, Venue, ordinal
from framework import sync
from framework.access import visibility_time

# Currencies with their share of deals and a base rate (USD per unit) that each edition varies by ±5%.
CURRENCIES = {
    "USD": (50, Decimal(1)),
    "CNY": (30, Decimal("0.14")),
    "EUR": (12, Decimal("1.10")),
    "JPY": (8, Decimal("0.0075")),
}
# The share of deals whose value no source gives, and of deals in another currency than USD whose
# source states their USD value.
UNVALUED_SHARE = 0.02
STATED_SHARE = 0.1
STAGES = {Deal.Stage.INTENTION: 35, Deal.Stage.SIGNED: 40, Deal.Stage.EXECUTED: 20, Deal.Stage.CANCELLED: 5}
# Country → (share of enterprises, cities).
COUNTRIES = {
    "CN": (55, ["Shanghai", "Beijing", "Hangzhou", "Suzhou", "Shenzhen"]),
    "US": (10, ["Chicago", "Houston", "Seattle"]),
    "DE": (7, ["Munich", "Hamburg"]),
    "JP": (6, ["Tokyo", "Osaka"]),
    "FR": (4, ["Paris", "Lyon"]),
    "KR": (4, ["Seoul"]),
    "GB": (3, ["London"]),
    "IT": (3, ["Milan"]),
    "NL": (2, ["Rotterdam"]),
    "CH": (2, ["Basel"]),
    "AU": (2, ["Sydney"]),
    "SG": (2, ["Singapore"]),
}
SHANGHAI_DISTRICTS = [
    "Qingpu District",
    "Minhang District",
    "Pudong New Area",
    "Jiading District",
    "Songjiang District",
]
DELEGATIONS = {
    "Shanghai": SHANGHAI_DISTRICTS,
    "Zhejiang": ["Hangzhou", "Ningbo", "Wenzhou"],
    "Jiangsu": ["Suzhou", "Nanjing", "Wuxi"],
    "Guangdong": ["Guangzhou", "Shenzhen", "Foshan"],
}
INDUSTRIES = [
    "Industrial supplies",
    "Materials science",
    "Medical devices",
    "Food and agriculture",
    "Automotive",
    "Consumer electronics",
    "Cosmetics",
    "Semiconductors",
    "Pharmaceuticals",
    "Logistics",
]
MARKETS = [
    "Electronics",
    "Transportation",
    "New energy",
    "Packaging",
    "Architecture",
    "Healthcare",
    "Consumer goods",
    "Agriculture",
    "Automotive",
    "Textiles",
]
# Category → (product nouns, HS codes).
CATEGORIES = {
    "Organo-silicon products": (["silicone sealant", "silicone rubber", "silane coupling agent"], ["3910", "391000"]),
    "Medical devices": (["ultrasound scanner", "surgical robot", "infusion pump"], ["9018", "901812"]),
    "Food and agricultural products": (["chilled beef", "milk powder", "soybeans"], ["0201", "0402", "1201"]),
    "Industrial machinery": (["injection moulding machine", "industrial robot", "CNC lathe"], ["8477", "8479"]),
    "Automobiles": (["electric SUV", "hybrid sedan", "electric truck"], ["8703", "8704"]),
    "Consumer electronics": (["smartphone", "television set", "smart speaker"], ["8517", "8528"]),
    "Cosmetics": (["skin-care set", "perfume", "sunscreen"], ["3303", "3304"]),
    "Semiconductors": (["power module", "memory chip", "image sensor"], ["8541", "8542"]),
    "Pharmaceuticals": (["oncology drug", "vaccine", "insulin"], ["3002", "3004"]),
    "Textiles and apparel": (["wool knitwear", "technical fabric", "outdoor jacket"], ["5112", "6110"]),
}
GRADES = ["Premium", "Industrial-grade", "High-purity", "Standard", "Custom", "Next-generation", "Certified"]
DEBUT_REGIONS = ["Asia Pacific", "China", "East Asia", "Yangtze River Delta"]
# Two expos: one in November like the CIIE, one in spring; (name, short name, editions, month, day).
EXPOS = [
    ("Synthetic International Import Expo", "SIIE", 6, 11, 5),
    ("Synthetic Consumer Products Fair", "SCPF", 3, 4, 15),
]
# Enterprises: one per DEALS_PER_ENTERPRISE deals, plus a base so small runs still have a choice.
DEALS_PER_ENTERPRISE = 20
BASE_ENTERPRISES = 50
# The reason every history row of the demo data gives, but for its stage moves.
HISTORY_REASON = "demo data"
# The moves from an intention that make a deal of each later stage, made as deals.services makes them.
MOVES = {
    Deal.Stage.SIGNED: (Deal.Stage.SIGNED,),
    Deal.Stage.EXECUTED: (Deal.Stage.SIGNED, Deal.Stage.EXECUTED),
    Deal.Stage.CANCELLED: (Deal.Stage.CANCELLED,),
}
CANCELLATION_REASON = "The buyer withdrew."
MICROSECOND = datetime.timedelta(microseconds=1)
VENUE = ("Synthetic Exhibition and Convention Center", "Qingpu District", "Shanghai", "CN")
ACTIVITY_LOCATION = "National Exhibition and Convention Center (Shanghai)"


class DemoDataExists(Exception):
    """The database already holds the demo data of this seed."""


@dataclass(frozen=True)
class EditionPlan:
    """An edition with its days and, per currency and day, the rate a deal signed that day uses."""

    edition: Edition
    days: tuple[datetime.date, ...]
    rates: dict[tuple[str, datetime.date], tuple[Decimal, datetime.date]]


def source_title(seed: int) -> str:
    """The title of the synthetic source the demo data of ``seed`` cites."""
    return f"Synthetic demo data (seed {seed})"


def generate_demo(*, deals: int, seed: int = 0, batch_size: int = 5000) -> dict[str, int]:
    """Create ``deals`` synthetic deals with everything they need (expos, editions, delegations,
    enterprises, markets, categories, exchange rates, participations) in one transaction, with
    the history, stage changes and data version the services would have recorded, and return the
    number of rows created per kind. The same seed gives the same data. Raises
    :class:`DemoDataExists` if this seed's data is already there."""
    if deals < 1:
        raise ValueError("Generate at least one deal.")
    rng = random.Random(seed)
    with transaction.atomic():
        if Source.objects.filter(kind=Source.Kind.SYNTHETIC, title=source_title(seed)).exists():
            raise DemoDataExists(f"The demo data of seed {seed} is already in this database.")
        counts = _Builder(rng=rng, seed=seed, batch_size=batch_size).run(deals=deals)
        # bulk_create sends no post_save: what is cached from the records is made stale here, once.
        sync.data_changed()
        # The statistics and funnel summaries, summed up in one pass rather than from the
        # changes the triggers logged for each deal inserted.
        summaries.rebuild(at=visibility_time())
        funnel_summaries.rebuild()
        return counts


class _Builder:
    """Creates the rows of one demo data set in dependency order, counting them by kind."""

    def __init__(self, *, rng: random.Random, seed: int, batch_size: int) -> None:
        self.rng = rng
        self.seed = seed
        self.batch_size = batch_size
        self.counts: dict[str, int] = {}
        # Company names in English and Chinese, drawn from one generator of their own.
        names = random.Random(seed)
        self.fake_en = faker.Faker("en_US")
        self.fake_zh = faker.Faker("zh_CN")
        # Faker's stub leaves out the random property its proxy sets on every locale's generator.
        self.fake_en.random = self.fake_zh.random = names  # type: ignore[attr-defined]
        # Unique names carry the seed so the data sets of several seeds can share a database.
        self.suffix = f" (demo seed {seed})"

    def save(self, key: str, objs: list) -> list:
        """Insert ``objs`` (all of one model) and count them under ``key``; they get their ids."""
        if objs:
            model = type(objs[0])
            # bulk_create calls no save(), which keeps the search keys of the Chinese names.
            for obj in objs:
                if isinstance(obj, Bilingual):
                    obj.search_pinyin = obj.pinyin_search_keys()
            model.objects.bulk_create(objs, batch_size=self.batch_size)
        self.counts[key] = self.counts.get(key, 0) + len(objs)
        return objs

    def record_history(self) -> None:
        """What saving the rows through the services one by one would have recorded, copied
        inside the database a statement at a time (simple-history's bulk helper takes longer than
        the data itself): the first version of every row whose history is kept; and for a deal,
        as deals.services records one made as an intention and then moved, a first version as an
        intention without its markets, a version with them (if any), then a stage change and a
        version per move to its stage. A deal's versions are a microsecond apart, in that order."""
        when = timezone.now()
        for model, rows in (
            (Delegation, Delegation.objects.filter(source=self.source)),
            (Enterprise, Enterprise.objects.filter(source=self.source)),
            (Participation, Participation.objects.filter(source=self.source)),
            (DealLineItem, DealLineItem.objects.filter(deal__source=self.source)),
        ):
            _copy_versions(model, rows, when=when)
        deals = Deal.objects.filter(source=self.source)
        intention = Deal.Stage.INTENTION
        _copy_versions(Deal, deals, when=when, values={"stage": intention})
        with_markets = deals.filter(pk__in=Deal.markets.through.objects.values("deal_id"))
        _copy_versions(Deal, with_markets, when=when + MICROSECOND, history_type="~", values={"stage": intention})
        self.counts["deal_stage_changes"] = 0
        for stage, moves in MOVES.items():
            from_stage = intention
            for step, to_stage in enumerate(moves, start=2):
                moved, at = deals.filter(stage=stage), when + step * MICROSECOND
                reason = CANCELLATION_REASON if to_stage == Deal.Stage.CANCELLED else ""
                self.counts["deal_stage_changes"] += _insert_stage_changes(
                    moved, from_stage=from_stage, to_stage=to_stage, reason=reason, at=at
                )
                # As deals.services._move records the move in the history.
                _copy_versions(
                    Deal,
                    moved,
                    when=at,
                    history_type="~",
                    reason=reason or f"stage: {to_stage}",
                    values={"stage": to_stage},
                )
                from_stage = to_stage
        _copy_deal_markets(source=self.source)

    def run(self, *, deals: int) -> dict[str, int]:
        self.source = Source(
            kind=Source.Kind.SYNTHETIC,
            title=source_title(self.seed),
            publisher="",
            published_on=None,
            url="",
            notes="Generated by `manage.py generate_demo`: every name, amount and date is invented.",
        )
        self.save("sources", [self.source])
        editions = self.editions()
        delegations = self.delegations()
        enterprises = self.enterprises(deals // DEALS_PER_ENTERPRISE + BASE_ENTERPRISES)
        self.participations(editions, delegations, enterprises)
        markets = self.save("markets", [Market(name=name + self.suffix, source=self.source) for name in MARKETS])
        categories = self.save(
            "categories",
            [Category(name=name + self.suffix, source=self.source) for name in CATEGORIES],
        )
        plans = self.exchange_rates(editions)
        self.deals(
            deals, plans=plans, delegations=delegations, enterprises=enterprises, markets=markets, categories=categories
        )
        self.record_history()
        return self.counts

    def editions(self) -> list[Edition]:
        """Two expos at one venue, with yearly editions of six days each."""
        name, district, city, country = VENUE
        venue = self.save(
            "venues",
            [Venue(name=name + self.suffix, district=district, city=city, country=country, source=self.source)],
        )[0]
        expos = self.save(
            "expos",
            [
                Expo(name=name + self.suffix, short_name=short, host_venue=venue, source=self.source)
                for name, short, _, _, _ in EXPOS
            ],
        )
        editions = []
        for expo, (name, _, count, month, day) in zip(expos, EXPOS, strict=True):
            for number in range(1, count + 1):
                start = datetime.date(2017 + number, month, day)
                editions.append(
                    Edition(
                        expo=expo,
                        number=number,
                        name=f"{ordinal(number)} {name}",
                        start_date=start,
                        end_date=start + datetime.timedelta(days=5),
                        venue=venue,
                        source=self.source,
                    )
                )
        return self.save("editions", editions)

    def delegations(self) -> list[Delegation]:
        """A few regional delegations, each with sub-delegations for its districts or cities."""
        roots = self.save(
            "delegations",
            [
                Delegation(name=f"{region} trading delegation", region=region, source=self.source)
                for region in DELEGATIONS
            ],
        )
        children = self.save(
            "delegations",
            [
                Delegation(name=f"{sub} trading delegation", region=sub, parent=root, source=self.source)
                for root, subs in zip(roots, DELEGATIONS.values(), strict=True)
                for sub in subs
            ],
        )
        return roots + children

    def enterprises(self, count: int) -> list[Enterprise]:
        """``count`` enterprises in several countries, most of them Chinese."""
        rng = self.rng
        countries = rng.choices(list(COUNTRIES), weights=[share for share, _ in COUNTRIES.values()], k=count)
        enterprises = []
        for country in countries:
            city = rng.choice(COUNTRIES[country][1])
            enterprises.append(
                Enterprise(
                    # The Chinese name is drawn first: the names of a seed stay those it always gave.
                    name_zh=self.fake_zh.company() if country == "CN" else "",
                    name=self.fake_en.company(),
                    kind=rng.choices(list(Enterprise.Kind), weights=[85, 5, 5, 3, 2])[0],
                    country=country,
                    city=city,
                    district=rng.choice(SHANGHAI_DISTRICTS) if city == "Shanghai" else "",
                    industry=rng.choice(INDUSTRIES),
                    source=self.source,
                )
            )
        return self.save("enterprises", enterprises)

    def participations(
        self, editions: list[Edition], delegations: list[Delegation], enterprises: list[Enterprise]
    ) -> None:
        """Every delegation at every edition, with a few settlements and promotional activities."""
        rng = self.rng
        participations = self.save(
            "participations",
            [
                Participation(
                    delegation=delegation,
                    edition=edition,
                    registered_organisations=rng.randint(100, 5000),
                    professional_audience=rng.randint(1000, 20000),
                    source=self.source,
                )
                for edition in editions
                for delegation in delegations
            ],
        )
        settlements = []
        activities = []
        for participation in participations:
            edition = participation.edition
            for enterprise in rng.sample(enterprises, rng.randint(0, 4)):
                settlements.append(
                    Settlement(
                        participation=participation,
                        enterprise=enterprise,
                        status=rng.choice(["confirmed", "intended", "intended"]),
                        announced_on=edition.end_date,
                        source=self.source,
                    )
                )
            for number in range(1, rng.randint(1, 3) + 1):
                activities.append(
                    PromotionalActivity(
                        participation=participation,
                        title=f"{participation.delegation.region} investment promotion conference {number}",
                        held_on=edition.start_date + datetime.timedelta(days=number),
                        location=ACTIVITY_LOCATION,
                        source=self.source,
                    )
                )
        self.save("settlements", settlements)
        self.save("promotional_activities", activities)

    def exchange_rates(self, editions: list[Edition]) -> list[EditionPlan]:
        """A rate per non-USD currency at each edition's start date (unless the database has one
        already), and for each edition day the rate deals.services would take: the latest on or
        before that day, whichever rates the database holds."""
        rng = self.rng
        foreign = [currency for currency in CURRENCIES if currency != "USD"]
        known: dict[str, dict[datetime.date, Decimal]] = {currency: {} for currency in foreign}
        for currency, date, rate in ExchangeRate.objects.filter(currency__in=foreign).values_list(
            "currency", "date", "rate_to_usd"
        ):
            known[currency][date] = rate
        new_rates = []
        for currency in foreign:
            base = CURRENCIES[currency][1]
            # The demo's editions all have dates.
            for start in sorted({cast(datetime.date, edition.start_date) for edition in editions}):
                # Drawn even when the database has this rate, so the deals that follow stay the same.
                rate = (base * Decimal(rng.randint(9500, 10500)) / 10000).quantize(Decimal("1E-8"))
                if start in known[currency]:
                    continue
                known[currency][start] = rate
                new_rates.append(ExchangeRate(currency=currency, date=start, rate_to_usd=rate, source=self.source))
        self.save("exchange_rates", new_rates)
        plans = []
        for edition in editions:
            # The demo's editions all have dates.
            first, last = cast(datetime.date, edition.start_date), cast(datetime.date, edition.end_date)
            days = tuple(first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1))
            rates = {}
            for currency in foreign:
                dates = sorted(known[currency])
                for day in days:
                    rate_date = dates[bisect.bisect_right(dates, day) - 1]
                    rates[currency, day] = (known[currency][rate_date], rate_date)
            plans.append(EditionPlan(edition=edition, days=days, rates=rates))
        return plans

    def deals(
        self,
        count: int,
        *,
        plans: list[EditionPlan],
        delegations: list[Delegation],
        enterprises: list[Enterprise],
        markets: list[Market],
        categories: list[Category],
    ) -> None:
        """``count`` deals with their line items and markets (test_demo.py holds them to full_clean())."""
        rng = self.rng
        valuations = random.Random(f"valuations-{self.seed}")
        currencies = list(CURRENCIES)
        currency_weights = list(itertools.accumulate(weight for weight, _ in CURRENCIES.values()))
        stages = list(STAGES)
        stage_weights = list(itertools.accumulate(STAGES.values()))
        enterprise_ids = [enterprise.pk for enterprise in enterprises]
        market_ids = [market.pk for market in markets]
        # Pools computed once, so the loop draws names rather than generating them.
        kinds = [
            (category.pk, [f"{grade} {noun}" for grade in GRADES for noun in nouns], codes)
            for category, (nouns, codes) in zip(categories, CATEGORIES.values(), strict=True)
        ]
        through = Deal.markets.through
        firsts: set[tuple[int, int]] = set()
        for batch in _chunks(count, self.batch_size):
            batch_deals: list[Deal] = []
            batch_items: list[list[tuple[str, int, str, Decimal | None]]] = []
            batch_markets: list[list[int]] = []
            for _ in batch:
                plan = rng.choice(plans)
                delegation = rng.choice(delegations)
                buyer_index = rng.randrange(len(enterprise_ids))
                seller_index = rng.randrange(len(enterprise_ids) - 1)
                if seller_index >= buyer_index:
                    seller_index += 1
                currency = rng.choices(currencies, cum_weights=currency_weights)[0]
                drawn = _amount(rng)
                # A few deals' value no source gives; of those in another currency, some sources
                # state the USD value beside it (to the dollar), which is then their value. Drawn
                # from a generator of their own, the rest of the data is what it was without them.
                valued = valuations.random() >= UNVALUED_SHARE
                stated = valuations.random() < STATED_SHARE and currency != "USD"
                # The first deal generated for a delegation at an edition is its first deal there:
                # signed on the opening day, and not cancelled.
                first = (delegation.pk, plan.edition.pk) not in firsts
                if first:
                    firsts.add((delegation.pk, plan.edition.pk))
                    signed_on = plan.days[0]
                    stage = rng.choice([Deal.Stage.SIGNED, Deal.Stage.EXECUTED])
                else:
                    signed_on = rng.choice(plan.days)
                    stage = rng.choices(stages, cum_weights=stage_weights)[0]
                stated_value_usd: Decimal | None = None
                usd_rate_source = ""
                usd_rate: Decimal | None
                value_usd: Decimal | None
                amount: Decimal | None = drawn
                if not valued:
                    amount = value_usd = usd_rate = usd_rate_date = None
                    currency = ""
                elif currency == "USD":
                    value_usd, usd_rate, usd_rate_date = drawn, Decimal(1), None
                else:
                    usd_rate, usd_rate_date = plan.rates[currency, signed_on]
                    value_usd = convert_to_usd(amount=drawn, rate=usd_rate)
                    usd_rate_source = Deal.RateSource.TABLE
                    if stated:
                        stated_value_usd = value_usd = max(value_usd.quantize(Decimal(1)), Decimal(1))
                        usd_rate = implied_rate(amount=drawn, value_usd=value_usd)
                        usd_rate_date, usd_rate_source = None, Deal.RateSource.STATED
                line_kinds = [rng.choice(kinds) for _ in range(rng.randint(1, 3))]
                line_amounts: Sequence[Decimal | None] = [None] * len(line_kinds)
                if rng.random() < 0.5:
                    split = _split(rng, drawn, len(line_kinds))
                    # An unknown value has no known parts.
                    line_amounts = line_amounts if amount is None else split
                items = [
                    (rng.choice(products), category_id, rng.choice(codes) if rng.random() < 0.8 else "", line_amount)
                    for (category_id, products, codes), line_amount in zip(line_kinds, line_amounts, strict=True)
                ]
                debut = rng.random() < 0.03
                batch_deals.append(
                    Deal(
                        title=f"{items[0][0].capitalize()} procurement",
                        buyer_id=enterprise_ids[buyer_index],
                        seller_id=enterprise_ids[seller_index],
                        delegation_id=delegation.pk,
                        edition_id=plan.edition.pk,
                        amount=amount,
                        currency=currency,
                        stated_value_usd=stated_value_usd,
                        value_usd=value_usd,
                        usd_rate=usd_rate,
                        usd_rate_date=usd_rate_date,
                        usd_rate_source=usd_rate_source,
                        stage=stage,
                        signed_on=signed_on,
                        first_deal_of_id=delegation.pk if first else None,
                        regional_debut=debut,
                        debut_region=rng.choice(DEBUT_REGIONS) if debut else "",
                        is_published=rng.random() < 0.9,
                        source_id=self.source.pk,
                    )
                )
                batch_items.append(items)
                batch_markets.append(rng.sample(market_ids, rng.randint(0, 3)))
            self.save("deals", batch_deals)
            self.save(
                "deal_line_items",
                [
                    DealLineItem(deal_id=deal.pk, product=product, category_id=category_id, hs_code=code, amount=amount)
                    for deal, items in zip(batch_deals, batch_items, strict=True)
                    for product, category_id, code, amount in items
                ],
            )
            self.save(
                "deal_markets",
                [
                    through(deal_id=deal.pk, market_id=market_id)
                    for deal, deal_market_ids in zip(batch_deals, batch_markets, strict=True)
                    for market_id in deal_market_ids
                ],
            )


def _copy_versions(
    model: type[Model],
    rows: QuerySet,
    *,
    when: datetime.datetime,
    history_type: str = "+",
    reason: str = HISTORY_REASON,
    values: dict[str, str] | None = None,
) -> None:
    """Write a version of each of ``rows`` (of ``model``) into its history as the row is, but
    for the columns given in ``values``, dated ``when``, by no user."""
    values = values or {}
    quote = connection.ops.quote_name
    # The columns its history keeps (a history may leave derived ones out).
    kept = {field.attname for field in model.history.model._meta.concrete_fields}  # type: ignore[attr-defined]  # simple_history's manager
    fields = [field for field in model._meta.concrete_fields if field.attname in kept]
    # A concrete field has a column (the stubs allow None, for the others).
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    cells = ", ".join("%s" if field.attname in values else quote(cast(str, field.column)) for field in fields)
    ids_sql, ids_params = rows.values("pk").query.sql_with_params()
    given = [values[field.attname] for field in fields if field.attname in values]
    with connection.cursor() as cursor:
        # model.history: the manager simple_history adds to a model with a history, unknown to type[Model].
        cursor.execute(
            f"INSERT INTO {quote(model.history.model._meta.db_table)} "  # type: ignore[attr-defined]  # noqa: S608
            f"({columns}, history_date, history_type, history_change_reason) "
            f"SELECT {cells}, %s, %s, %s FROM {quote(model._meta.db_table)} WHERE id IN ({ids_sql})",
            [*given, when, history_type, reason, *ids_params],
        )


def _insert_stage_changes(
    deals: QuerySet[Deal], *, from_stage: str, to_stage: str, reason: str, at: datetime.datetime
) -> int:
    """A stage change from ``from_stage`` to ``to_stage`` at ``at`` for each of ``deals``, by no
    user; the number written."""
    quote = connection.ops.quote_name
    ids_sql, ids_params = deals.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(DealStageChange._meta.db_table)} "  # noqa: S608
            "(deal_id, from_stage, to_stage, changed_by_id, reason, changed_at) "
            f"SELECT id, %s, %s, NULL, %s, %s FROM {quote(Deal._meta.db_table)} WHERE id IN ({ids_sql})",
            [from_stage, to_stage, reason, at, *ids_params],
        )
        return cursor.rowcount


def _copy_deal_markets(*, source: Source) -> None:
    """The markets of the deals citing ``source`` in each of their versions but the first, as
    simple-history copies a deal's markets into every version written once it has them."""
    quote = connection.ops.quote_name
    history = Deal.history.model
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history.markets.model._meta.db_table)} (id, deal_id, market_id, history_id) "  # noqa: S608
            f"SELECT markets.id, markets.deal_id, markets.market_id, versions.history_id "
            f"FROM {quote(Deal.markets.through._meta.db_table)} markets "
            f"JOIN {quote(history._meta.db_table)} versions ON versions.id = markets.deal_id "
            "WHERE versions.source_id = %s AND versions.history_type = %s",
            [source.pk, "~"],
        )


def _chunks(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def _amount(rng: random.Random) -> Decimal:
    """An amount from 10,000.00 to 999,999,999.99, log-uniform; half of them whole thousands."""
    magnitude = rng.randint(6, 10)
    cents = rng.randint(10**magnitude, 10 ** (magnitude + 1) - 1)
    if rng.random() < 0.5:
        cents -= cents % 100_000
    return Decimal(cents).scaleb(-2)


def _split(rng: random.Random, amount: Decimal, parts: int) -> Sequence[Decimal]:
    """``amount`` split into ``parts`` positive amounts that add up to it."""
    cents = int(amount * 100)
    cuts = sorted(rng.sample(range(1, cents), parts - 1))
    bounds = [0, *cuts, cents]
    return [Decimal(high - low).scaleb(-2) for low, high in itertools.pairwise(bounds)]
