"""Search in two languages: every collection with names finds a record by its English or Chinese
name, or by pinyin with or without tone marks and spaces; enterprises by their aliases; deals by
their parties, delegation, edition and line items, each deal once however many of those match.

The deal world: ZKH (震坤行工业超市（上海）有限公司, alias 震坤行) buys from Dow (陶氏) within the
Qingpu District trading delegation at the 6th CIIE; BASF sells to Sony within the Beijing
trading delegation at the 5th CIIE."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from deals.models import Category, Deal, Market
from delegations.models import Delegation, Enterprise, PromotionalActivity
from expo.models import Edition, Expo, Venue
from tests.api.filtering import ROUTES, Finder
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseAliasFactory,
    EnterpriseFactory,
    ExpoFactory,
    MarketFactory,
    PromotionalActivityFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

ZKH_ZH = "震坤行工业超市（上海）有限公司"


@pytest.fixture(params=ROUTES)
def route(request) -> str:
    return request.param


def ids(*rows) -> list[int]:
    return sorted(row.pk for row in rows)


@pytest.fixture
def world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.ciie = ExpoFactory(name="China International Import Expo", short_name="CIIE", name_zh="中国国际进口博览会")
    w.ciie6 = EditionFactory(
        expo=w.ciie,
        number=6,
        name="6th China International Import Expo",
        name_zh="第六届中国国际进口博览会",
        start_date=datetime.date(2023, 11, 5),
    )
    w.ciie5 = EditionFactory(expo=w.ciie, number=5, name="", start_date=datetime.date(2022, 11, 5))
    w.qingpu = DelegationFactory(name="Qingpu District trading delegation", name_zh="青浦区交易分团")
    w.beijing = DelegationFactory(name="Beijing trading delegation", name_zh="北京交易团", region="Beijing")
    w.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh=ZKH_ZH, country="CN")
    # Two aliases that both match "震坤行": a join on them would list ZKH's deal twice.
    EnterpriseAliasFactory(enterprise=w.zkh, name="震坤行")
    EnterpriseAliasFactory(enterprise=w.zkh, name="震坤行工业超市")
    w.dow = EnterpriseFactory(name="Dow", name_zh="陶氏", country="US", district="", city="")
    w.basf = EnterpriseFactory(name="BASF", country="DE", district="", city="")
    w.sony = EnterpriseFactory(name="Sony", name_zh="索尼", country="JP", district="", city="")
    silicon = CategoryFactory(name="Organo-silicon products")
    w.dow_deal = DealFactory(title="Procurement order", buyer=w.zkh, seller=w.dow, delegation=w.qingpu, edition=w.ciie6)
    # Two line items with the same product word: the deal is still found once.
    DealLineItemFactory(deal=w.dow_deal, product="Silicone resin", category=silicon)
    DealLineItemFactory(deal=w.dow_deal, product="Silicone sealant", category=silicon)
    w.sony_deal = DealFactory(
        title="Image sensor purchase", buyer=w.basf, seller=w.sony, delegation=w.beijing, edition=w.ciie5
    )
    DealLineItemFactory(deal=w.sony_deal, product="CMOS image sensor", category=silicon)
    return w


@pytest.fixture
def deals(route, anon) -> Finder:
    return Finder(route=route, basename="deal", queryset=Deal.objects.all(), client=anon)


# Deals


@pytest.mark.parametrize(
    "term",
    ["震坤行", "zhenkunxing", "Zhènkūnxíng", "zhen kun xing", "ZHENKUNXING", "Qingpu", "qingpuqu", "青浦"],
)
def test_deal_search_finds_the_zkh_dow_deal_once(deals, world, term):
    assert deals.ordered(search=term) == [world.dow_deal.pk]


def test_deal_search_finds_the_zkh_dow_deal_through_the_api_with_its_count(anon, world):
    for term in ("震坤行", "zhenkunxing", "Zhènkūnxíng", "zhen kun xing", "Qingpu"):
        body = anon.get(reverse("deal-list"), {"search": term}).json()
        assert (body["count"], [row["id"] for row in body["results"]]) == (1, [world.dow_deal.pk]), term


def test_deal_search_matches_the_sellers_chinese_name_and_pinyin(deals, world):
    assert (deals(search="陶氏"), deals(search="taoshi"), deals(search="suoni")) == (
        ids(world.dow_deal),
        ids(world.dow_deal),
        ids(world.sony_deal),
    )


def test_deal_search_matches_the_editions_names_in_either_language(deals, world):
    assert (deals(search="第六届"), deals(search="diliujie"), deals(search="6th China")) == (
        ids(world.dow_deal),
        ids(world.dow_deal),
        ids(world.dow_deal),
    )


def test_deal_search_matches_line_item_products_listing_each_deal_once(deals, world):
    assert (deals.ordered(search="silicone"), deals(search="sensor"), deals(search="cmos")) == (
        [world.dow_deal.pk],
        ids(world.sony_deal),
        ids(world.sony_deal),
    )


def test_deal_search_words_may_match_different_languages_and_relations(deals, world):
    assert (deals(search="震坤行 silicone taoshi"), deals(search="zhenkunxing sensor")) == (ids(world.dow_deal), [])


def test_deal_search_pinyin_words_must_each_be_in_a_name(deals, world):
    assert deals(search="zhen kun xing beijing") == []


# Enterprises


@pytest.fixture
def enterprises(route, anon) -> Finder:
    return Finder(route=route, basename="enterprise", queryset=Enterprise.objects.all(), client=anon)


@pytest.mark.parametrize("term", ["陶氏", "taoshi", "Táoshì", "tao shi"])
def test_enterprise_search_finds_dow_by_its_chinese_name_or_pinyin(enterprises, world, term):
    assert enterprises(search=term) == ids(world.dow)


def test_enterprise_search_finds_an_enterprise_once_by_several_matching_aliases(enterprises, world):
    EnterpriseAliasFactory(enterprise=world.basf, name="Badische Anilin")
    assert (enterprises.ordered(search="震坤行"), enterprises(search="badische"), enterprises(search="gongye")) == (
        [world.zkh.pk],
        ids(world.basf),
        ids(world.zkh),
    )


def test_enterprise_search_by_an_alias_counts_the_enterprise_once(anon, world):
    body = anon.get(reverse("enterprise-list"), {"search": "zhenkunxing"}).json()
    assert (body["count"], [row["id"] for row in body["results"]]) == (1, [world.zkh.pk])


# A name a source spells: the characters' most common reading (闵行 → "minxing") is not the name's.


@pytest.fixture
def delegations(route, anon) -> Finder:
    return Finder(route=route, basename="delegation", queryset=Delegation.objects.all(), client=anon)


def test_a_delegation_is_found_by_the_pinyin_its_source_spells_and_by_the_characters(delegations, world):
    minhang = DelegationFactory(
        name="Minhang District trading delegation", name_zh="闵行区交易分团", name_pinyin="Mǐnháng Qū Jiāoyì Fēntuán"
    )
    assert minhang.search_pinyin == "minxingqujiaoyifentuan minhangqujiaoyifentuan"
    assert (delegations(search="Mǐnháng Qū"), delegations(search="minxing"), delegations(search="闵行")) == (
        ids(minhang),
        ids(minhang),
        ids(minhang),
    )


def test_a_changed_chinese_name_is_searched_by_its_new_pinyin(admin_api, world):
    url = reverse("delegation-detail", args=[world.beijing.pk])
    response = admin_api.patch(url, {"name_zh": "北京市交易团", "name_pinyin": "Běijīng Shì"}, format="json")
    assert response.status_code == 200, response.json()
    world.beijing.refresh_from_db()
    assert world.beijing.search_pinyin == "beijingshijiaoyituan beijingshi"
    found = admin_api.get(reverse("delegation-list"), {"search": "beijingshi"}).json()["results"]
    assert [row["id"] for row in found] == [world.beijing.pk]


def test_the_search_key_is_not_shown_or_written(admin_api, world):
    url = reverse("delegation-detail", args=[world.qingpu.pk])
    response = admin_api.patch(url, {"search_pinyin": "nonsense"}, format="json")
    world.qingpu.refresh_from_db()
    assert ("search_pinyin" in response.json(), world.qingpu.search_pinyin) == (False, "qingpuqujiaoyifentuan")


# Every other collection with names


@pytest.mark.parametrize(
    ("basename", "model", "make", "terms"),
    [
        (
            "venue",
            Venue,
            lambda: VenueFactory(name="National Exhibition and Convention Center", name_zh="国家会展中心"),
            ("国家会展", "guojiahuizhan", "Guójiā Huìzhǎn", "convention"),
        ),
        (
            "expo",
            Expo,
            lambda: ExpoFactory(name="China Import and Export Fair", short_name="Canton Fair", name_zh="广交会"),
            ("广交会", "guangjiaohui", "guang jiao hui", "canton"),
        ),
        (
            "edition",
            Edition,
            lambda: EditionFactory(
                expo=ExpoFactory(name="China Import and Export Fair", short_name="Canton Fair", name_zh="广交会"),
                number=134,
                name="134th Canton Fair",
                name_zh="第134届广交会",
            ),
            ("第134届", "di134jie", "guangjiaohui", "134th", "canton"),
        ),
        (
            "market",
            Market,
            lambda: MarketFactory(name="New energy", name_zh="新能源"),
            ("新能源", "xinnengyuan", "Xīn Néngyuán", "energy"),
        ),
        (
            "category",
            Category,
            lambda: CategoryFactory(name="Organo-silicon products", name_zh="有机硅产品"),
            ("有机硅", "youjigui", "yǒujīguī", "organo"),
        ),
        (
            "activity",
            PromotionalActivity,
            lambda: PromotionalActivityFactory(title="Qingpu investment promotion", title_zh="青浦投资推介会"),
            ("推介会", "tuijiehui", "tuī jiè huì", "investment"),
        ),
    ],
)
def test_a_named_record_is_found_in_either_language_and_in_pinyin(route, anon, basename, model, make, terms):
    record = make()
    found = Finder(route=route, basename=basename, queryset=model.objects.all(), client=anon)
    assert [found(search=term) for term in terms] == [[record.pk]] * len(terms)


def test_edition_search_finds_the_editions_of_an_expo_by_its_names(route, anon, world):
    editions = Finder(route=route, basename="edition", queryset=Edition.objects.all(), client=anon)
    assert (editions(search="进口博览会"), editions(search="jinkou"), editions(search="ciie")) == (
        ids(world.ciie6, world.ciie5),
        ids(world.ciie6, world.ciie5),
        ids(world.ciie6, world.ciie5),
    )


# The admin searches as the API does


def test_the_admin_finds_enterprises_and_deals_by_pinyin_and_aliases_once(admin_client, world):
    enterprises = admin_client.get(reverse("admin:delegations_enterprise_changelist"), {"q": "zhenkunxing"})
    deals = admin_client.get(reverse("admin:deals_deal_changelist"), {"q": "震坤行"})
    assert (list(enterprises.context["cl"].result_list), list(deals.context["cl"].result_list)) == (
        [world.zkh],
        [world.dow_deal],
    )
