"""The main filters of the other collections, on ``.qs`` and through their list endpoints."""

import datetime
from types import SimpleNamespace

import pytest

from deals.models import ExchangeRate
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Edition
from tests.api.filtering import ROUTES, Finder
from tests.factories import (
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    ExpoFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    SettlementFactory,
    valid_uscc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=ROUTES)
def route(request) -> str:
    return request.param


def ids(*rows) -> list[int]:
    return sorted(row.pk for row in rows)


# Delegations


@pytest.fixture
def tree() -> SimpleNamespace:
    """Shanghai ⊃ Qingpu ⊃ Zhujiajiao, Shanghai ⊃ Jiading; Beijing alone."""
    t = SimpleNamespace()
    t.shanghai = DelegationFactory(name="Shanghai trading delegation", region="Shanghai")
    t.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=t.shanghai, region="Qingpu")
    t.zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=t.qingpu, region="Qingpu")
    t.jiading = DelegationFactory(name="Jiading District trading delegation", parent=t.shanghai, region="Jiading")
    t.beijing = DelegationFactory(name="Beijing trading delegation", name_zh="北京交易团", region="Beijing")
    return t


@pytest.fixture
def delegations(route, anon) -> Finder:
    return Finder(route=route, basename="delegation", queryset=Delegation.objects.all(), client=anon)


def test_delegations_by_parent_are_its_direct_children(delegations, tree):
    assert delegations(parent=tree.shanghai.pk) == ids(tree.qingpu, tree.jiading)


def test_delegations_root_true_are_those_without_a_parent(delegations, tree):
    assert delegations(root="true") == ids(tree.shanghai, tree.beijing)


def test_delegations_root_false_are_those_with_a_parent(delegations, tree):
    assert delegations(root="false") == ids(tree.qingpu, tree.zhujiajiao, tree.jiading)


def test_delegations_within_are_the_delegation_and_everything_below_it(delegations, tree):
    assert delegations(within=tree.shanghai.pk) == ids(tree.shanghai, tree.qingpu, tree.zhujiajiao, tree.jiading)


def test_delegations_within_a_sub_delegation(delegations, tree):
    assert delegations(within=tree.qingpu.pk) == ids(tree.qingpu, tree.zhujiajiao)


def test_delegations_search_in_name_chinese_name_and_region(delegations, tree):
    assert (delegations(search="jiading"), delegations(search="北京"), delegations(search="qingpu town")) == (
        ids(tree.jiading),
        ids(tree.beijing),
        ids(tree.zhujiajiao),
    )


# Enterprises


@pytest.fixture
def enterprises_world() -> SimpleNamespace:
    e = SimpleNamespace()
    e.zkh = EnterpriseFactory(
        name="ZKH Industrial Supply Co", country="CN", district="Qingpu District", uscc=valid_uscc(1)
    )
    e.dow = EnterpriseFactory(name="Dow", country="US", district="", industry="Materials science")
    e.basf = EnterpriseFactory(name="BASF", country="DE", district="", industry="Chemicals")
    e.commission = EnterpriseFactory(
        name="Qingpu District Commerce Commission",
        kind=Enterprise.Kind.GOVERNMENT,
        country="CN",
        district="Qingpu District",
        industry="",
    )
    e.association = EnterpriseFactory(
        name="Shanghai Importers Association", kind=Enterprise.Kind.ASSOCIATION, country="CN", district="Huangpu"
    )
    return e


@pytest.fixture
def enterprises(route, anon) -> Finder:
    return Finder(route=route, basename="enterprise", queryset=Enterprise.objects.all(), client=anon)


def test_enterprises_by_country(enterprises, enterprises_world):
    e = enterprises_world
    assert enterprises(country="CN") == ids(e.zkh, e.commission, e.association)


def test_enterprises_by_several_countries(enterprises, enterprises_world):
    assert enterprises(country=["US", "DE"]) == ids(enterprises_world.dow, enterprises_world.basf)


def test_enterprises_by_kind(enterprises, enterprises_world):
    e = enterprises_world
    assert enterprises(kind=["government", "association"]) == ids(e.commission, e.association)


def test_enterprises_by_district_in_any_case(enterprises, enterprises_world):
    assert enterprises(district="qingpu district") == ids(enterprises_world.zkh, enterprises_world.commission)


def test_enterprises_by_district_match_it_whole(enterprises, enterprises_world):
    assert enterprises(district="Qingpu") == []


def test_enterprises_search_in_names_and_industry(enterprises, enterprises_world):
    e = enterprises_world
    assert (enterprises(search="qingpu commission"), enterprises(search="chemicals")) == (
        ids(e.commission),
        ids(e.basf),
    )


def test_enterprises_search_in_the_uscc(enterprises, enterprises_world):
    assert enterprises(search=valid_uscc(1)[:12]) == ids(enterprises_world.zkh)


def test_enterprises_by_uscc(enterprises, enterprises_world):
    assert enterprises(uscc=valid_uscc(1)) == ids(enterprises_world.zkh)


def test_enterprises_by_participation(enterprises, enterprises_world):
    participation = ParticipationFactory(enterprises=[enterprises_world.zkh, enterprises_world.dow])
    assert enterprises(participation=participation.pk) == ids(enterprises_world.zkh, enterprises_world.dow)


def test_enterprises_ordered_by_country_then_name(enterprises, enterprises_world):
    e = enterprises_world
    assert enterprises.ordered(ordering="country,name") == [
        e.commission.pk,
        e.association.pk,
        e.zkh.pk,
        e.basf.pk,
        e.dow.pk,
    ]


# Participations


@pytest.fixture
def participations_world(tree) -> SimpleNamespace:
    p = SimpleNamespace()
    ciie = ExpoFactory(name="China International Import Expo")
    p.ciie6 = EditionFactory(expo=ciie, number=6, start_date=datetime.date(2023, 11, 5))
    p.ciie5 = EditionFactory(expo=ciie, number=5, start_date=datetime.date(2022, 11, 5))
    p.other = EditionFactory(start_date=datetime.date(2023, 4, 1))
    p.qingpu6 = ParticipationFactory(delegation=tree.qingpu, edition=p.ciie6)
    p.qingpu5 = ParticipationFactory(delegation=tree.qingpu, edition=p.ciie5)
    p.zhujiajiao6 = ParticipationFactory(delegation=tree.zhujiajiao, edition=p.ciie6)
    p.beijing6 = ParticipationFactory(delegation=tree.beijing, edition=p.ciie6)
    p.shanghai_other = ParticipationFactory(delegation=tree.shanghai, edition=p.other)
    p.expo = ciie
    return p


@pytest.fixture
def participations(route, anon) -> Finder:
    return Finder(route=route, basename="participation", queryset=Participation.objects.all(), client=anon)


def test_participations_by_edition(participations, participations_world):
    p = participations_world
    assert participations(edition=p.ciie6.pk) == ids(p.qingpu6, p.zhujiajiao6, p.beijing6)


def test_participations_by_delegation_include_sub_delegations(participations, participations_world, tree):
    p = participations_world
    assert participations(delegation=tree.qingpu.pk) == ids(p.qingpu6, p.qingpu5, p.zhujiajiao6)


def test_participations_by_delegation_and_edition(participations, participations_world, tree):
    p = participations_world
    assert participations(delegation=tree.shanghai.pk, edition=p.ciie6.pk) == ids(p.qingpu6, p.zhujiajiao6)


def test_participations_by_expo(participations, participations_world):
    p = participations_world
    assert participations(expo=p.expo.pk) == ids(p.qingpu6, p.qingpu5, p.zhujiajiao6, p.beijing6)


def test_participations_ordered_by_edition_start(participations, participations_world):
    p = participations_world
    assert participations.ordered(ordering="-edition_start_date") == [
        p.qingpu6.pk,
        p.zhujiajiao6.pk,
        p.beijing6.pk,
        p.shanghai_other.pk,
        p.qingpu5.pk,
    ]


# Settlements


@pytest.fixture
def settlements_world(tree) -> SimpleNamespace:
    s = SimpleNamespace()
    qingpu = ParticipationFactory(delegation=tree.qingpu)
    beijing = ParticipationFactory(delegation=tree.beijing)
    s.confirmed = SettlementFactory.create_batch(2, participation=qingpu, status=Settlement.Status.CONFIRMED)
    s.intended = SettlementFactory.create_batch(3, participation=qingpu, status=Settlement.Status.INTENDED)
    s.beijing = SettlementFactory(participation=beijing, status=Settlement.Status.CONFIRMED)
    s.qingpu = qingpu
    return s


@pytest.fixture
def settlements(route, anon) -> Finder:
    return Finder(route=route, basename="settlement", queryset=Settlement.objects.all(), client=anon)


def test_settlements_by_status(settlements, settlements_world):
    assert settlements(status="intended") == ids(*settlements_world.intended)


def test_settlements_by_several_statuses(settlements, settlements_world):
    s = settlements_world
    assert settlements(status=["confirmed", "intended"]) == ids(*s.confirmed, *s.intended, s.beijing)


def test_settlements_by_status_and_delegation(settlements, settlements_world, tree):
    assert settlements(status="confirmed", delegation=tree.shanghai.pk) == ids(*settlements_world.confirmed)


def test_settlements_by_participation(settlements, settlements_world):
    s = settlements_world
    assert settlements(participation=s.qingpu.pk) == ids(*s.confirmed, *s.intended)


# Activities, editions, exchange rates


def test_activities_held_between_dates(route, anon):
    activities = Finder(route=route, basename="activity", queryset=PromotionalActivity.objects.all(), client=anon)
    _early, middle, late = (PromotionalActivityFactory(held_on=datetime.date(2023, 11, day)) for day in (5, 7, 9))
    assert activities(held_after="2023-11-06", held_before="2023-11-09") == ids(middle, late)


def test_editions_by_expo_and_start(route, anon):
    editions = Finder(route=route, basename="edition", queryset=Edition.objects.all(), client=anon)
    ciie = ExpoFactory()
    sixth = EditionFactory(expo=ciie, number=6, start_date=datetime.date(2023, 11, 5))
    EditionFactory(expo=ciie, number=5, start_date=datetime.date(2022, 11, 5))
    EditionFactory(number=6, start_date=datetime.date(2023, 11, 5))
    assert editions(expo=ciie.pk, starts_after="2023-01-01") == ids(sixth)


def test_exchange_rates_by_currency_and_date(route, anon):
    rates = Finder(route=route, basename="exchange-rate", queryset=ExchangeRate.objects.all(), client=anon)
    eur = ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 5))
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 10, 5))
    ExchangeRateFactory(currency="CNY", date=datetime.date(2023, 11, 5))
    assert rates(currency="EUR", date_after="2023-11-01") == ids(eur)
