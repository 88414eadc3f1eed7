"""Qingpu at the 4th CIIE (2021): SHINE's report of the district's press conference of
12 November 2021 (config/sources/shine-2021-11-12-qingpu-4th-ciie.md)."""

import datetime
from decimal import Decimal

from config.seeds.facts import (
    ActivityFacts,
    DealFacts,
    EditionFacts,
    EnterpriseFacts,
    FigureFacts,
    ParticipationFacts,
    Report,
    SourceFacts,
)

QINGPU = "Qingpu District trading delegation"
SHANGHAI = "Shanghai trading delegation"

FOUR_YEARS_QUOTE = (
    "Qingpu District has sealed the first order of the Shanghai trading delegation for four consecutive years "
    "at the expo."
)
SETTLED_QUOTE = (
    "During the expo, five overseas organizations and five companies signed contracts to land in the district's "
    "West Hongqiao area, effectively converting from exhibitors into investors."
)
INTENDED_QUOTE = "Another 11 companies also inked deals of intent during the expo to settle in Qingpu District."
EVENTS_QUOTE = (
    "A number of events such as a forum on the spillover effect of the expo and a rehabilitation and assisting "
    "device industry forum were hosted by the district during the expo to boost investment."
)
MARKET_QUOTE = (
    "A CIIE market featuring nearly 50 types of commodities recorded more than 1.7 million yuan (US$261,538) in "
    "sales during the expo with a daily visitor flow above 15,000, both record-high results."
)

REPORT = Report(
    key="qingpu-2021",
    source=SourceFacts(
        title="Qingpu an expo winner! West Hongqiao deals inked and 11 others on the boil",
        author="Hu Min",
        publisher="SHINE (Shanghai Daily)",
        published_on=datetime.date(2021, 11, 12),
        url="https://www.shine.cn/news/metro/2111128087/",
        file="config/sources/shine-2021-11-12-qingpu-4th-ciie.md",
        notes="Reported at a press conference of Qingpu District on Friday 12 November 2021.",
    ),
    edition=EditionFacts(
        number=4,
        name="4th China International Import Expo",
        start_date=datetime.date(2021, 11, 5),
        end_date=datetime.date(2021, 11, 10),
    ),
    participations=(ParticipationFacts(delegation=QINGPU),),
    enterprises=(
        EnterpriseFacts(
            name="Yundu (Shanghai) Science and Technology Co Ltd",
            country="CN",
            city="Shanghai",
            district="Qingpu District",
        ),
        EnterpriseFacts(name="Hong Kong Xingyun Logistics Trading Limited", country="HK"),
        EnterpriseFacts(name="Qingpu District", kind="government", country="CN", city="Shanghai"),
        EnterpriseFacts(name="KNX Human Capital"),
    ),
    deals=(
        DealFacts(
            title="The Shanghai trading group's first order at the 4th CIIE",
            buyer="Yundu (Shanghai) Science and Technology Co Ltd",
            seller="Hong Kong Xingyun Logistics Trading Limited",
            delegation=QINGPU,
            stage="signed",
            amount=Decimal("700000000.00"),
            currency="USD",
            description="A procurement order; the report names neither its goods nor its signing date.",
            first_deal_of=SHANGHAI,
        ),
        DealFacts(
            title="Deal of intent between Qingpu District and KNX Human Capital",
            buyer="Qingpu District",
            seller="KNX Human Capital",
            delegation=QINGPU,
            stage="intention",
            amount=Decimal("150000000.00"),
            currency="USD",
            description="The report names the two parties, not which of them buys.",
        ),
    ),
    activities=(
        ActivityFacts(delegation=QINGPU, title="Forum on the spillover effect of the expo", description=EVENTS_QUOTE),
        ActivityFacts(
            delegation=QINGPU, title="Rehabilitation and assisting device industry forum", description=EVENTS_QUOTE
        ),
    ),
    figures=(
        FigureFacts(
            "first_orders_of_parent",
            "exact",
            "4",
            FOUR_YEARS_QUOTE,
            delegation=QINGPU,
            unit="consecutive editions",
            consecutive_editions=4,
        ),
        # "five overseas organizations and five companies": two figures of one metric, each as stated.
        FigureFacts(
            "settlements_confirmed",
            "exact",
            "5",
            SETTLED_QUOTE,
            delegation=QINGPU,
            unit="overseas organisations",
            description="overseas organisations",
        ),
        FigureFacts(
            "settlements_confirmed",
            "exact",
            "5",
            SETTLED_QUOTE,
            delegation=QINGPU,
            unit="companies",
            description="companies",
        ),
        FigureFacts("settlements_intended", "exact", "11", INTENDED_QUOTE, delegation=QINGPU, unit="companies"),
        FigureFacts(
            "market_sales",
            "more_than",
            "1700000",
            MARKET_QUOTE,
            delegation=QINGPU,
            currency="CNY",
        ),
        FigureFacts("daily_visitors", "more_than", "15000", MARKET_QUOTE, delegation=QINGPU, unit="visitors a day"),
    ),
)
