"""Every collection of the API, declared once: what it is made of, what a write sends, what a row
shows. The tests themselves come from :mod:`tests.api.collection`."""

from decimal import Decimal
from typing import Any

import pytest
from factory import SelfAttribute, SubFactory

from deals.models import Category, Deal, ExchangeRate, Market
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from tests.api.collection import CollectionTests, ProtectedDeleteTests, SelectionTests
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    ExpoFactory,
    FigureStatementFactory,
    MarketFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    ReportedFigureFactory,
    SettlementFactory,
    SourceFactory,
    VenueFactory,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

TIMESTAMPS = ("created_at", "updated_at")
SOURCE = ("id", "title")
VENUE = ("id", "name", "name_zh")
EXPO = ("id", "name", "name_zh", "short_name")
EDITION = ("id", "name", "name_zh", "number")
DELEGATION = ("id", "name", "name_zh")
ENTERPRISE = ("id", "name", "name_zh", "country")
PARTICIPATION = ("id", "delegation", "edition")
MARKET = ("id", "name", "name_zh")
# What every record named in two languages shows after its Chinese name.
BILINGUAL = ("name_pinyin", "name_zh_source")
LINE_ITEM = ("id", "product", "category", "hs_code", "amount")
MONEY = ("amount", "currency")

# Each row cites a source of its own.
CITED = {"source": SubFactory(SourceFactory)}
# A record named in two languages cites a source of its Chinese name too.
NAMED = {**CITED, "name_zh_source": SubFactory(SourceFactory)}
# An edition with no name of its own is labelled from its expo ("6th CIIE"), so its brief needs the expo.
UNNAMED_EDITION = ""


class TestExpos(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "expo"
    model = Expo
    factory = ExpoFactory
    fields = ("id", "name", "short_name", "name_zh", *BILINGUAL, "host_venue", "website", "source", *TIMESTAMPS)
    brief_fields = {"host_venue": VENUE, "name_zh_source": SOURCE, "source": SOURCE}
    rich = NAMED
    referred_by = "editions"

    def create_payload(self) -> dict[str, Any]:
        return {
            "name": "China International Import Expo",
            "short_name": "CIIE",
            "name_zh": "中国国际进口博览会",
            "name_pinyin": "Zhōngguó Guójì Jìnkǒu Bólǎnhuì",
            "name_zh_source": SourceFactory().pk,
            "host_venue": VenueFactory().pk,
            "website": "https://www.ciie.org/",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "name": "China Import and Export Fair",
            "short_name": "Canton Fair",
            "name_zh": "中国进出口商品交易会",
            "host_venue": None,
            "website": "https://www.cantonfair.org.cn/",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"short_name": "CIIE"}

    def referrer(self, instance: Expo) -> Edition:
        return EditionFactory(expo=instance)


class TestEditions(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "edition"
    model = Edition
    factory = EditionFactory
    fields = (
        "id",
        "expo",
        "number",
        "name",
        "name_zh",
        *BILINGUAL,
        "start_date",
        "end_date",
        "venue",
        "dates_source",
        "source",
        *TIMESTAMPS,
    )
    brief_fields = {"expo": EXPO, "name_zh_source": SOURCE, "venue": VENUE, "dates_source": SOURCE, "source": SOURCE}
    rich = {**NAMED, "dates_source": SubFactory(SourceFactory)}
    referred_by = "participations"

    def create_payload(self) -> dict[str, Any]:
        return {
            "expo": ExpoFactory().pk,
            "number": 6,
            "name": "6th China International Import Expo",
            "start_date": "2023-11-05",
            "end_date": "2023-11-10",
            "venue": VenueFactory().pk,
            "dates_source": SourceFactory().pk,
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "expo": ExpoFactory().pk,
            "number": 7,
            "name": "7th China International Import Expo",
            "start_date": "2024-11-05",
            "end_date": "2024-11-10",
            "venue": None,
            "dates_source": None,
            "source": SourceFactory().pk,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"name": "6th China International Import Expo"}

    def referrer(self, instance: Edition) -> Participation:
        return ParticipationFactory(edition=instance)


class TestVenues(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "venue"
    model = Venue
    factory = VenueFactory
    fields = ("id", "name", "name_zh", *BILINGUAL, "address", "district", "city", "country", "source", *TIMESTAMPS)
    brief_fields = {"name_zh_source": SOURCE, "source": SOURCE}
    rich = NAMED
    referred_by = "expos"

    def create_payload(self) -> dict[str, Any]:
        return {
            "name": "National Exhibition and Convention Center (Shanghai)",
            "name_zh": "国家会展中心(上海)",
            "address": "333 Songze Avenue",
            "district": "Qingpu District",
            "city": "Shanghai",
            "country": "CN",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "name": "Canton Fair Complex",
            "name_zh": "中国进出口商品交易会展馆",
            "address": "382 Yuejiang Middle Road",
            "district": "Haizhu District",
            "city": "Guangzhou",
            "country": "CN",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"address": "333 Songze Avenue"}

    def referrer(self, instance: Venue) -> Expo:
        return ExpoFactory(host_venue=instance)


class TestSources(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "source"
    model = Source
    factory = SourceFactory
    fields = (
        "id",
        "kind",
        "title",
        "author",
        "publisher",
        "published_on",
        "url",
        "file",
        "text",
        "notes",
        *TIMESTAMPS,
    )
    referred_by = "venues"

    def create_payload(self) -> dict[str, Any]:
        return {
            "kind": "news_report",
            "title": "Procurement, cultural exchanges and opening-up thanks to CIIE",
            "author": "Hu Min",
            "publisher": "Shanghai Daily",
            "published_on": "2023-11-11",
            "url": "https://www.shine.cn/news/metro/2311111/",
            "file": "config/sources/000_753cb23db75e7b94.txt",
            "text": "Procurement, cultural exchanges and opening-up thanks to CIIE\n\nBy Hu Min ...",
            "notes": "The report names no publisher.",
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "kind": "public_record",
            "title": "6th China International Import Expo: dates",
            "author": "",
            "publisher": "",
            "published_on": None,
            "url": "",
            "file": "",
            "text": "",
            "notes": "Held from 5 to 10 November 2023.",
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"author": "Hu Min"}

    def referrer(self, instance: Source) -> Venue:
        return VenueFactory(source=instance)


class TestReportedFigures(SelectionTests, CollectionTests):
    basename = "reported-figure"
    model = ReportedFigure
    factory = ReportedFigureFactory
    fields = (
        "id",
        "edition",
        "delegation",
        "enterprise",
        "consecutive_editions",
        "metric",
        "description",
        "unit",
        "statements",
        "preferred_statement",
        "value",
        "qualifier",
        "currency",
        "value_usd",
        *TIMESTAMPS,
    )
    brief_fields = {"delegation": DELEGATION, "edition": EDITION}
    rich = {"edition__name": UNNAMED_EDITION}
    # The count, the page, and the statements with their sources.
    list_queries = 3
    retrieve_queries = 2

    def create_payload(self) -> dict[str, Any]:
        return {
            "delegation": DelegationFactory().pk,
            "edition": EditionFactory().pk,
            "consecutive_editions": 1,
            "metric": "registered_organisations",
            "description": "",
            "unit": "enterprises and organisations",
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "delegation": None,
            "enterprise": EnterpriseFactory().pk,
            "edition": EditionFactory().pk,
            "consecutive_editions": 6,
            "metric": "intention_order_volume",
            "description": "Orders of one buyer with its many suppliers",
            "unit": "",
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"description": "Orders signed on the first day"}


REGISTRATION_QUOTE = "The district's trading delegation comprised of representatives from 3,014 enterprises."


class TestFigureStatements(SelectionTests, CollectionTests):
    basename = "figure-statement"
    model = FigureStatement
    factory = FigureStatementFactory
    fields = ("id", *FigureStatement.FIELDS, *TIMESTAMPS)
    brief_fields = {"figure": ("id", "metric", "description"), "source": SOURCE}
    rich = CITED

    def create_payload(self) -> dict[str, Any]:
        return {
            "figure": ReportedFigureFactory(
                metric="registered_organisations", unit="enterprises and organisations", statement=False
            ).pk,
            "value": "3014.00",
            "qualifier": "exact",
            "currency": "",
            "quote": REGISTRATION_QUOTE,
            "rank": "normal",
            "as_of": "2023-11-10",
            # With the source's text stored, a quote not in it is at fault, else the value.
            "source": SourceFactory(text=f"Qingpu at the 6th CIIE. {REGISTRATION_QUOTE} A record.").pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "figure": ReportedFigureFactory(statement=False).pk,
            "value": "5150000000.00",
            "qualifier": "more_than",
            "currency": "USD",
            "quote": "Procurement orders of intention worth over US$5.15 billion.",
            "rank": "deprecated",
            "as_of": None,
            "source": SourceFactory().pk,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"rank": "normal"}


class TestDelegations(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "delegation"
    model = Delegation
    factory = DelegationFactory
    fields = ("id", "name", "name_zh", *BILINGUAL, "parent", "region", "description", "source", *TIMESTAMPS)
    brief_fields = {"name_zh_source": SOURCE, "parent": DELEGATION, "source": SOURCE}
    rich = {**NAMED, "parent": SubFactory(DelegationFactory)}
    referred_by = "delegations"

    def create_payload(self) -> dict[str, Any]:
        return {
            "name": "Qingpu District trading delegation",
            "name_zh": "青浦区交易分团",
            "parent": DelegationFactory().pk,
            "region": "Qingpu District",
            "description": "Signed the Shanghai group's first order six years running.",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "name": "Shanghai trading delegation",
            "name_zh": "上海交易团",
            "parent": None,
            "region": "Shanghai",
            "description": 'Also called the "Shanghai trading group".',
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"region": "Qingpu District"}

    def referrer(self, instance: Delegation) -> Delegation:
        return DelegationFactory(parent=instance)


class TestParticipations(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "participation"
    model = Participation
    factory = ParticipationFactory
    fields = (
        "id",
        "delegation",
        "edition",
        "registered_organisations",
        "professional_audience",
        "enterprise_count",
        "city_parlor",
        "services",
        "source",
        *TIMESTAMPS,
    )
    brief_fields = {"delegation": DELEGATION, "edition": EDITION, "source": SOURCE}
    rich = {**CITED, "edition__name": UNNAMED_EDITION}
    referred_by = "settlements"

    def create_payload(self) -> dict[str, Any]:
        return {
            "delegation": DelegationFactory().pk,
            "edition": EditionFactory().pk,
            "registered_organisations": 3014,
            "professional_audience": 18773,
            "enterprises": [EnterpriseFactory().pk, EnterpriseFactory().pk],
            "city_parlor": 'A "city parlor" at the National Exhibition and Convention Center (Shanghai).',
            "services": "One-stop consultation services.",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "delegation": DelegationFactory().pk,
            "edition": EditionFactory().pk,
            "registered_organisations": None,
            "professional_audience": None,
            "enterprises": [EnterpriseFactory().pk],
            "city_parlor": "",
            "services": "",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"professional_audience": 30_000}

    def referrer(self, instance: Participation) -> Settlement:
        return SettlementFactory(participation=instance)


class TestEnterprises(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "enterprise"
    model = Enterprise
    factory = EnterpriseFactory
    fields = (
        "id",
        "name",
        "name_zh",
        *BILINGUAL,
        "kind",
        "country",
        "city",
        "district",
        "industry",
        "uscc",
        "uscc_check_valid",
        "registry_id",
        "description",
        "source",
        "aliases",
        *TIMESTAMPS,
    )
    brief_fields = {"name_zh_source": SOURCE, "source": SOURCE}
    rich = NAMED
    referred_by = "deals"
    # The enterprises, then their aliases.
    list_queries = 3
    retrieve_queries = 2

    def create_payload(self) -> dict[str, Any]:
        return {
            "name": "ZKH Industrial Supply Co",
            "name_zh": "震坤行工业超市(上海)有限公司",
            "kind": "company",
            "country": "CN",
            "city": "Shanghai",
            "district": "Qingpu District",
            "industry": "Industrial supplies",
            "uscc": valid_uscc(42),
            "registry_id": "",
            "description": "Registered in Qingpu.",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "name": "Dow",
            "name_zh": "陶氏",
            "kind": "company",
            "country": "US",
            "city": "Midland",
            "district": "",
            "industry": "Materials science",
            "uscc": "",
            "registry_id": "SEC CIK 0001751788",
            "description": "",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"industry": "Materials science"}

    def referrer(self, instance: Enterprise) -> Deal:
        return DealFactory(buyer=instance)


class TestSettlements(SelectionTests, CollectionTests):
    basename = "settlement"
    model = Settlement
    factory = SettlementFactory
    fields = ("id", "participation", "enterprise", "status", "announced_on", "notes", "source", *TIMESTAMPS)
    brief_fields = {"participation": PARTICIPATION, "enterprise": ENTERPRISE, "source": SOURCE}
    rich = {**CITED, "participation__edition__name": UNNAMED_EDITION}

    def create_payload(self) -> dict[str, Any]:
        return {
            "participation": ParticipationFactory().pk,
            "enterprise": EnterpriseFactory().pk,
            "status": "intended",
            "announced_on": "2023-11-09",
            "notes": "One of the 85 with the intention.",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "participation": ParticipationFactory().pk,
            "enterprise": EnterpriseFactory().pk,
            "status": "confirmed",
            "announced_on": None,
            "notes": "",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"status": "intended"}


class TestActivities(SelectionTests, CollectionTests):
    basename = "activity"
    model = PromotionalActivity
    factory = PromotionalActivityFactory
    fields = (
        "id",
        "participation",
        "title",
        "title_zh",
        *BILINGUAL,
        "held_on",
        "location",
        "description",
        "source",
        *TIMESTAMPS,
    )
    brief_fields = {"participation": PARTICIPATION, "name_zh_source": SOURCE, "source": SOURCE}
    rich = {**NAMED, "participation__edition__name": UNNAMED_EDITION}

    def create_payload(self) -> dict[str, Any]:
        return {
            "participation": ParticipationFactory().pk,
            "title": "Qingpu investment promotion conference",
            "held_on": "2023-11-06",
            "location": "National Exhibition and Convention Center (Shanghai)",
            "description": "One of ten activities to promote the district.",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {
            "participation": ParticipationFactory().pk,
            "title": "City parlor open day",
            "held_on": None,
            "location": "",
            "description": "",
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"location": "Qingpu District"}


class TestDeals(SelectionTests, CollectionTests):
    basename = "deal"
    model = Deal
    factory = DealFactory
    fields = (
        "id",
        "title",
        "description",
        "buyer",
        "seller",
        "delegation",
        "edition",
        "value",
        "stated_value_usd",
        "value_usd",
        "usd_rate",
        "usd_rate_date",
        "usd_rate_source",
        "stage",
        "signed_on",
        "first_deal_of",
        "is_first_deal",
        "regional_debut",
        "debut_region",
        "markets",
        "line_items",
        "is_published",
        "embargo_until",
        "source",
        *TIMESTAMPS,
    )
    brief_fields = {
        "buyer": ENTERPRISE,
        "seller": ENTERPRISE,
        "delegation": DELEGATION,
        "edition": EDITION,
        "value": MONEY,
        "value_usd": MONEY,
        "first_deal_of": DELEGATION,
        "markets": MARKET,
        "line_items": LINE_ITEM,
        "source": SOURCE,
    }
    rich = {
        **CITED,
        "edition__name": UNNAMED_EDITION,
        "first_deal_of": SelfAttribute("delegation"),
    }
    # The page, its count, and one query each for the many-to-many relations it renders
    # (markets and line items); a retrieve needs no count.
    list_queries = 4
    retrieve_queries = 3

    def make_row(self) -> Deal:
        deal = DealFactory(**self.rich, markets=[MarketFactory(), MarketFactory()])
        DealLineItemFactory.create_batch(2, deal=deal)
        return deal

    def make_rows(self, count: int) -> list[Deal]:
        return [self.make_row() for _ in range(count)]

    def create_payload(self) -> dict[str, Any]:
        return {
            "title": "Organo-silicon products procurement order",
            "description": "One of the products makes its debut in the Asia Pacific.",
            "buyer": EnterpriseFactory().pk,
            "seller": EnterpriseFactory(country="US").pk,
            "delegation": DelegationFactory().pk,
            "edition": EditionFactory().pk,
            "value": {"amount": "300000000.00", "currency": "USD"},
            "signed_on": "2023-11-06",
            "regional_debut": True,
            "debut_region": "Asia Pacific",
            "markets": [MarketFactory().pk, MarketFactory().pk],
            "line_items": [
                {"product": "Organo-silicon products", "category": CategoryFactory().pk, "hs_code": "391000"},
                {"product": "Silicone rubber", "category": CategoryFactory().pk, "amount": "1000000.00"},
            ],
            "is_published": True,
            "embargo_until": "2023-11-11T09:00:00Z",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        delegation = DelegationFactory()
        return {
            "title": "Industrial coatings supply agreement",
            "description": "",
            "buyer": EnterpriseFactory().pk,
            "seller": EnterpriseFactory().pk,
            "delegation": delegation.pk,
            "edition": EditionFactory().pk,
            "value": {"amount": "2500000.00", "currency": "USD"},
            "signed_on": None,
            "first_deal_of": delegation.pk,
            "regional_debut": False,
            "debut_region": "",
            "markets": [MarketFactory().pk],
            "line_items": [{"product": "Industrial coatings", "category": CategoryFactory().pk, "hs_code": "3208"}],
            "is_published": False,
            "embargo_until": None,
            "source": None,
        }

    def patch_payload(self) -> dict[str, Any]:
        return {"title": "Organo-silicon products procurement order"}

    def stored(self, instance: Deal, name: str) -> Any:
        if name == "value":
            return {"amount": instance.amount, "currency": instance.currency}
        if name == "line_items":
            return [
                {"product": item.product, "category": item.category_id, "hs_code": item.hs_code, "amount": item.amount}
                for item in instance.line_items.order_by("id")
            ]
        return super().stored(instance, name)

    def as_stored(self, name: str, sent: Any) -> Any:
        if name == "value":
            return {"amount": Decimal(sent["amount"]), "currency": sent["currency"]}
        if name == "line_items":
            return [
                {
                    "product": item["product"],
                    "category": item["category"],
                    "hs_code": item.get("hs_code", ""),
                    "amount": Decimal(item["amount"]) if item.get("amount") is not None else None,
                }
                for item in sent
            ]
        return super().as_stored(name, sent)


class TestMarkets(SelectionTests, CollectionTests):
    basename = "market"
    model = Market
    factory = MarketFactory
    fields = ("id", "name", "name_zh", *BILINGUAL, "source", *TIMESTAMPS)
    brief_fields = {"name_zh_source": SOURCE, "source": SOURCE}
    rich = NAMED

    def create_payload(self) -> dict[str, Any]:
        return {"name": "Electronics", "source": SourceFactory().pk}

    def update_payload(self) -> dict[str, Any]:
        return {"name": "New energy", "source": None}

    def patch_payload(self) -> dict[str, Any]:
        return {"name": "Packaging"}

    def test_delete_while_a_deal_aims_at_it_is_a_409(self, admin_api) -> None:
        market = MarketFactory()
        deal = DealFactory(markets=[market])
        response = admin_api.delete(self.detail_url(market.pk))
        assert response.status_code == 409
        assert response.json()["errors"][0]["detail"] == (
            "Cannot delete: still referred to by deals. Delete or change those first."
        )
        assert list(deal.markets.all()) == [market]


class TestCategories(ProtectedDeleteTests, SelectionTests, CollectionTests):
    basename = "category"
    model = Category
    factory = CategoryFactory
    fields = ("id", "name", "name_zh", *BILINGUAL, "description", "source", *TIMESTAMPS)
    brief_fields = {"name_zh_source": SOURCE, "source": SOURCE}
    rich = NAMED
    referred_by = "deal line items"

    def create_payload(self) -> dict[str, Any]:
        return {
            "name": "Organo-silicon products",
            "description": "Silicones in primary forms (HS 3910).",
            "source": SourceFactory().pk,
        }

    def update_payload(self) -> dict[str, Any]:
        return {"name": "Industrial coatings", "description": "", "source": None}

    def patch_payload(self) -> dict[str, Any]:
        return {"description": "Silicones in primary forms (HS 3910)."}

    def referrer(self, instance: Category):
        return DealLineItemFactory(category=instance)


class TestExchangeRates(SelectionTests, CollectionTests):
    basename = "exchange-rate"
    model = ExchangeRate
    factory = ExchangeRateFactory
    fields = ("id", "currency", "date", "rate_to_usd", "source", *TIMESTAMPS)
    brief_fields = {"source": SOURCE}
    rich = CITED

    def create_payload(self) -> dict[str, Any]:
        return {"currency": "EUR", "date": "2023-11-05", "rate_to_usd": "1.0850000000", "source": SourceFactory().pk}

    def update_payload(self) -> dict[str, Any]:
        return {"currency": "JPY", "date": "2023-11-06", "rate_to_usd": "0.0066950000", "source": None}

    def patch_payload(self) -> dict[str, Any]:
        return {"rate_to_usd": "0.1400000000"}
