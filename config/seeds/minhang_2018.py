"""Minhang at the 1st CIIE (2018): Shanghai Daily's report "Seizing challenges of import expo"
(config/sources/shanghai-daily-2018-11-20-minhang-1st-ciie.md)."""

import datetime

from config.seeds.facts import (
    DealFacts,
    DelegationFacts,
    EditionFacts,
    EnterpriseFacts,
    FigureFacts,
    ParticipationFacts,
    Report,
    SourceFacts,
)

MINHANG = "Minhang District trading delegation"
UNION = "Minhang District trading union"

EXPO_QUOTE = (
    "Expo racked up deals for intended purchases of goods and services totaling US$57.83 billion, according to "
    "Sun Chenghai, a deputy director of the event."
)
EVENTS_QUOTE = (
    "Minhang District held 12 investment and trade promotion events during the recent China International Import "
    "Expo, playing a big part in the success of the event."
)
UNION_QUOTE = (
    "Minhang also fielded a trading union comprised of 913 enterprises and 5,461 dealers covering a wide range of "
    "industries and promote deals inked during expo."
)
TALKS_QUOTE = "About 30 companies in Minhang held in-depth talks with foreign participants."
KOREA_QUOTE = (
    "In addition, more than 100 South Korean enterprises attended a conference held in the Caohejing High-Tech "
    "Industrial Park, which was the biggest event sponsored by the district."
)
SIGNINGS_QUOTE = (
    "The union held centralized signings for partnerships with foreign companies that included Fiat Chrysler Asia "
    "Pacific Investment Co and Kao Corp Shanghai."
)

REPORT = Report(
    key="minhang-2018",
    source=SourceFacts(
        title="Seizing challenges of import expo",
        author="Cao Yunyi",
        publisher="Shanghai Daily",
        published_on=datetime.date(2018, 11, 20),
        url="https://www.pressreader.com/china/shanghai-daily/20181120/281788515100637",
        file="config/sources/shanghai-daily-2018-11-20-minhang-1st-ciie.md",
        notes="Print edition, page reproduced by PressReader.",
    ),
    edition=EditionFacts(
        number=1,
        name="1st China International Import Expo",
        start_date=datetime.date(2018, 11, 5),
        end_date=datetime.date(2018, 11, 10),
    ),
    delegations=(
        DelegationFacts(
            name=MINHANG,
            parent="Shanghai trading delegation",
            region="Minhang District",
            description='The report calls it Minhang\'s "trading union".',
        ),
    ),
    participations=(ParticipationFacts(delegation=MINHANG, registered_organisations=913),),
    enterprises=(
        EnterpriseFacts(
            name=UNION,
            kind="association",
            country="CN",
            city="Shanghai",
            district="Minhang District",
            description="The trading union Minhang fielded at the expo: 913 enterprises and 5,461 dealers.",
        ),
        EnterpriseFacts(name="Fiat Chrysler Asia Pacific Investment Co"),
        EnterpriseFacts(name="Kao Corp Shanghai", city="Shanghai"),
    ),
    deals=tuple(
        DealFacts(
            title=f"Centralised signing of a partnership with {partner}",
            buyer=UNION,
            seller=partner,
            delegation=MINHANG,
            stage="signed",
            description=(f"{SIGNINGS_QUOTE} The report gives no value and no date, and does not say which side buys."),
        )
        for partner in ("Fiat Chrysler Asia Pacific Investment Co", "Kao Corp Shanghai")
    ),
    figures=(
        FigureFacts("intention_order_volume", "exact", "57830000000", EXPO_QUOTE, currency="USD"),
        FigureFacts("promotional_activities", "exact", "12", EVENTS_QUOTE, delegation=MINHANG, unit="events"),
        FigureFacts("registered_organisations", "exact", "913", UNION_QUOTE, delegation=MINHANG, unit="enterprises"),
        FigureFacts("dealers_registered", "exact", "5461", UNION_QUOTE, delegation=MINHANG, unit="dealers"),
        FigureFacts("companies_in_talks", "about", "30", TALKS_QUOTE, delegation=MINHANG, unit="companies"),
        FigureFacts(
            "event_attendance", "more_than", "100", KOREA_QUOTE, delegation=MINHANG, unit="South Korean enterprises"
        ),
    ),
)
