"""The whole seed: the article, two more reports (the 4th CIIE in 2021, the 1st in 2018) and the
records' Chinese names from a reference list, loaded idempotently, each fact citing its source;
and what a new user finds in it."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from config.seed import load_seed_facts
from deals.models import Deal
from delegations.models import Delegation, EditorAssignment, Enterprise, Participation, PromotionalActivity
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from figures.quality import quote_check_findings, without_source

pytestmark = pytest.mark.django_db

ARTICLE = "Procurement, cultural exchanges and opening-up thanks to CIIE"
SHINE_2021 = "Qingpu an expo winner! West Hongqiao deals inked and 11 others on the boil"
DAILY_2018 = "Seizing challenges of import expo"
NAMES_LIST = "Reference list of Chinese names"
QINGPU = "Qingpu District trading delegation"


@pytest.fixture
def seeded():
    load_seed_facts()


def source(title: str) -> Source:
    return Source.objects.get(title=title)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("framework", "expo", "delegations", "deals", "figures")
        for model in apps.get_app_config(app).get_models()
    }


def statements_of(edition: int) -> dict[tuple, tuple]:
    rows = FigureStatement.objects.filter(figure__edition__number=edition).select_related("figure__delegation")
    return {
        (row.figure.metric, row.figure.description, row.figure.delegation and row.figure.delegation.name): (
            row.qualifier,
            row.value,
            row.currency,
            row.figure.unit,
            row.source.title,
        )
        for row in rows
    }


def test_loading_everything_twice_changes_nothing():
    first = load_seed_facts()
    counts = row_counts()
    second = load_seed_facts()
    assert first.created == {
        "Category": 1,
        "Deal": 5,
        "DealLineItem": 1,
        "Delegation": 3,
        "Edition": 3,
        "Enterprise": 9,
        "EnterpriseAlias": 1,
        "Expo": 1,
        "FigureStatement": 21,
        "Market": 5,
        "Participation": 3,
        "PromotionalActivity": 2,
        "ReportedFigure": 21,
        "Source": 5,
        "Venue": 1,
    }
    assert (second.created, second.updated) == ({}, {})
    assert row_counts() == counts


def test_each_reports_source_holds_its_stored_text(seeded):
    assert [
        (row.title, row.author, row.publisher, row.published_on, row.file)
        for row in Source.objects.exclude(kind="public_record").order_by("title")
    ] == [
        (ARTICLE, "Hu Min", "", None, "config/sources/000_753cb23db75e7b94.txt"),
        (
            SHINE_2021,
            "Hu Min",
            "SHINE (Shanghai Daily)",
            datetime.date(2021, 11, 12),
            "config/sources/shine-2021-11-12-qingpu-4th-ciie.md",
        ),
        (NAMES_LIST, "", "", None, "config/sources/chinese-names.md"),
        (
            DAILY_2018,
            "Cao Yunyi",
            "Shanghai Daily",
            datetime.date(2018, 11, 20),
            "config/sources/shanghai-daily-2018-11-20-minhang-1st-ciie.md",
        ),
    ]
    assert "US$57.83 billion" in source(DAILY_2018).text
    assert "1.7 million yuan (US$261,538)" in source(SHINE_2021).text


def test_three_editions_of_one_expo_each_citing_its_report(seeded):
    assert [
        (row.number, row.name, row.start_date, row.end_date, row.source.title)
        for row in Edition.objects.select_related("source").order_by("number")
    ] == [
        (1, "1st China International Import Expo", datetime.date(2018, 11, 5), datetime.date(2018, 11, 10), DAILY_2018),
        (4, "4th China International Import Expo", datetime.date(2021, 11, 5), datetime.date(2021, 11, 10), SHINE_2021),
        (6, "6th China International Import Expo", datetime.date(2023, 11, 5), datetime.date(2023, 11, 10), ARTICLE),
    ]
    assert Expo.objects.count() == Venue.objects.count() == 1


def test_the_2021_deals_activities_and_figures(seeded):
    first = Deal.objects.get(edition__number=4, first_deal_of__isnull=False)
    assert (first.buyer.name, first.seller.name, first.seller.country, first.stage, first.value_usd) == (
        "Yundu (Shanghai) Science and Technology Co Ltd",
        "Hong Kong Xingyun Logistics Trading Limited",
        "HK",
        "signed",
        Decimal("700000000.00"),
    )
    assert (first.delegation.name, first.first_deal_of.name, first.source.title) == (
        QINGPU,
        "Shanghai trading delegation",
        SHINE_2021,
    )
    intent = Deal.objects.get(edition__number=4, first_deal_of__isnull=True)
    assert (intent.buyer.name, intent.buyer.kind, intent.seller.name, intent.stage, intent.value_usd) == (
        "Qingpu District",
        "government",
        "KNX Human Capital",
        "intention",
        Decimal("150000000.00"),
    )
    assert sorted(PromotionalActivity.objects.values_list("title", "participation__edition__number")) == [
        ("Forum on the spillover effect of the expo", 4),
        ("Rehabilitation and assisting device industry forum", 4),
    ]
    assert statements_of(4) == {
        ("first_orders_of_parent", "", QINGPU): ("exact", Decimal("4.00"), "", "consecutive editions", SHINE_2021),
        ("settlements_confirmed", "overseas organisations", QINGPU): (
            "exact",
            Decimal("5.00"),
            "",
            "overseas organisations",
            SHINE_2021,
        ),
        ("settlements_confirmed", "companies", QINGPU): ("exact", Decimal("5.00"), "", "companies", SHINE_2021),
        ("settlements_intended", "", QINGPU): ("exact", Decimal("11.00"), "", "companies", SHINE_2021),
        ("market_sales", "", QINGPU): ("more_than", Decimal("1700000.00"), "CNY", "", SHINE_2021),
        ("daily_visitors", "", QINGPU): ("more_than", Decimal("15000.00"), "", "visitors a day", SHINE_2021),
    }


def test_the_market_sales_in_yuan_are_valued_with_the_reports_own_conversion(seeded):
    statement = FigureStatement.objects.get(figure__metric="market_sales")
    assert (statement.value_usd, statement.usd_rate_source) == (Decimal("261538.00"), "stated")


def test_the_2018_report_minhang_an_expo_wide_figure_and_deals_with_no_value(seeded):
    minhang = Delegation.objects.get(name="Minhang District trading delegation")
    assert (minhang.parent.name, minhang.region, minhang.source.title) == (
        "Shanghai trading delegation",
        "Minhang District",
        DAILY_2018,
    )
    assert Participation.objects.get(delegation=minhang).registered_organisations == 913
    expo_wide = ReportedFigure.objects.get(edition__number=1, delegation__isnull=True)
    assert (expo_wide.metric, expo_wide.enterprise, expo_wide.statements.get().value) == (
        "intention_order_volume",
        None,
        Decimal("57830000000.00"),
    )
    signings = Deal.objects.filter(edition__number=1).order_by("title")
    assert [(deal.seller.name, deal.stage, deal.amount, deal.currency, deal.value_usd) for deal in signings] == [
        ("Fiat Chrysler Asia Pacific Investment Co", "signed", None, "", None),
        ("Kao Corp Shanghai", "signed", None, "", None),
    ]
    assert {deal.buyer.name for deal in signings} == {"Minhang District trading union"}
    assert statements_of(1) == {
        ("intention_order_volume", "", None): ("exact", Decimal("57830000000.00"), "USD", "", DAILY_2018),
        ("promotional_activities", "", "Minhang District trading delegation"): (
            "exact",
            Decimal("12.00"),
            "",
            "events",
            DAILY_2018,
        ),
        ("registered_organisations", "", "Minhang District trading delegation"): (
            "exact",
            Decimal("913.00"),
            "",
            "enterprises",
            DAILY_2018,
        ),
        ("dealers_registered", "", "Minhang District trading delegation"): (
            "exact",
            Decimal("5461.00"),
            "",
            "dealers",
            DAILY_2018,
        ),
        ("companies_in_talks", "", "Minhang District trading delegation"): (
            "about",
            Decimal("30.00"),
            "",
            "companies",
            DAILY_2018,
        ),
        ("event_attendance", "", "Minhang District trading delegation"): (
            "more_than",
            Decimal("100.00"),
            "",
            "South Korean enterprises",
            DAILY_2018,
        ),
    }


def test_every_quote_of_the_seed_is_in_its_source_and_states_its_value(seeded):
    assert FigureStatement.objects.count() == 21
    assert list(quote_check_findings(FigureStatement.objects.all())) == []
    assert list(without_source(ReportedFigure.objects.all())) == []


def test_the_chinese_names_cite_the_reference_list_not_the_reports(seeded):
    names = source(NAMES_LIST)
    named = [
        (model.__name__, row.name, row.name_zh, row.name_pinyin, row.source.title)
        for model in (Expo, Edition, Venue, Delegation, Enterprise)
        for row in model.objects.filter(name_zh_source=names).select_related("source").order_by("name")
    ]
    assert named == [
        (
            "Expo",
            "China International Import Expo",
            "中国国际进口博览会（进博会）",
            "Zhōngguó Guójì Jìnkǒu Bólǎnhuì (Jìnbóhuì)",
            ARTICLE,
        ),
        ("Edition", "6th China International Import Expo", "第六届中国国际进口博览会", "Dì-liù Jiè", ARTICLE),
        (
            "Venue",
            "National Exhibition and Convention Center (Shanghai)",
            "国家会展中心（上海）",
            "Guójiā Huìzhǎn Zhōngxīn (Shànghǎi)",
            ARTICLE,
        ),
        (
            "Delegation",
            "Minhang District trading delegation",
            "闵行区交易分团",
            "Mǐnháng Qū Jiāoyì Fēntuán",
            DAILY_2018,
        ),
        ("Delegation", "Qingpu District trading delegation", "青浦区交易分团", "Qīngpǔ Qū Jiāoyì Fēntuán", ARTICLE),
        ("Delegation", "Shanghai trading delegation", "上海交易团", "Shànghǎi Jiāoyì Tuán", ARTICLE),
        ("Enterprise", "Dow", "陶氏", "Táoshì", ARTICLE),
        ("Enterprise", "Qingpu District", "青浦区", "Qīngpǔ Qū", SHINE_2021),
        ("Enterprise", "ZKH Industrial Supply Co", "震坤行工业超市（上海）有限公司", "Zhènkūnxíng", ARTICLE),
    ]
    zkh = Enterprise.objects.get(name="ZKH Industrial Supply Co")
    assert list(zkh.aliases.values_list("name", "kind")) == [("震坤行", "short")]
    # No record that a report alone names has a Chinese name made up for it.
    assert Enterprise.objects.filter(name_zh="").count() == 6


def seed_deal() -> Deal:
    return Deal.objects.get(title="Organo-silicon products procurement order")


@pytest.mark.parametrize("term", ["震坤行", "zhenkunxing", "Qingpu"])
def test_a_new_user_finds_the_zkh_dow_deal(seeded, anon, term):
    results = anon.get("/api/deals/", {"search": term}).json()["results"]
    assert seed_deal().pk in [deal["id"] for deal in results]


def test_searching_in_chinese_finds_dow(seeded, anon):
    assert [row["name"] for row in anon.get("/api/enterprises/", {"search": "陶氏"}).json()["results"]] == ["Dow"]


def test_an_editor_creating_zkh_again_is_told_of_the_seeds_zkh(seeded):
    editor = User.objects.create_user("qingpu-editor")
    editor.groups.add(Group.objects.get(name="Delegation editors"))
    EditorAssignment.objects.create(user=editor, delegation=Delegation.objects.get(name=QINGPU))
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post("/api/enterprises/", {"name": "ZKH Industrial Supply Co., Ltd.", "country": "CN"})
    assert response.status_code == 409
    zkh = Enterprise.objects.get(name="ZKH Industrial Supply Co")
    assert response.json()["candidates"] == [
        {
            "enterprise": {
                "id": zkh.pk,
                "name": zkh.name,
                "name_zh": "震坤行工业超市（上海）有限公司",
                "country": "CN",
            },
            "score": 90,
            "reasons": [
                {
                    "code": "same_name",
                    "detail": '"ZKH Industrial Supply Co., Ltd." and "ZKH Industrial Supply Co" are the same name '
                    'without legal form: "zkh industrial supply".',
                },
                {"code": "same_country", "detail": "Both are in CN."},
            ],
        }
    ]
    assert not Enterprise.objects.filter(name="ZKH Industrial Supply Co., Ltd.").exists()


def test_the_quality_report_lists_the_seed_deals_missing_signing_date(seeded, analyst_api):
    results = analyst_api.get("/api/quality/", {"code": "signed_without_date"}).json()["results"]
    assert {
        "code": "signed_without_date",
        "message": "Signed deal 'Organo-silicon products procurement order' has no signing date.",
        "record": {
            "collection": "deals",
            "id": seed_deal().pk,
            "name": "Organo-silicon products procurement order",
            "url": f"http://testserver/api/deals/{seed_deal().pk}/",
        },
    } in results


def test_the_runs_of_first_orders_sit_beside_the_first_orders_on_record(seeded, anon):
    rows = anon.get("/api/stats/reconciliation/", {"metric": "first_orders_of_parent"}).json()["results"]
    runs = {
        row["figure"]["consecutive_editions"]: (
            [statement["quote"] for statement in row["figure"]["statements"]],
            [(first["edition_name"], first["title"]) for first in row["first_orders"]],
        )
        for row in rows
    }
    assert runs == {
        6: (
            [
                "Trading delegations from Qingpu District signed the first order of the Shanghai trading group for "
                "six consecutive years at CIIE with trading volume surpassing US$2.13 billion and procurement orders "
                "of intention worth over US$5.15 billion."
            ],
            [
                ("4th China International Import Expo", "The Shanghai trading group's first order at the 4th CIIE"),
                ("6th China International Import Expo", "Organo-silicon products procurement order"),
            ],
        ),
        4: (
            [
                "Qingpu District has sealed the first order of the Shanghai trading delegation for four consecutive "
                "years at the expo."
            ],
            [("4th China International Import Expo", "The Shanghai trading group's first order at the 4th CIIE")],
        ),
    }
