"""The seed's deal through the API: ZKH Industrial Supply Co buys organo-silicon products from Dow
for US$300 million, the Shanghai trading delegation's first deal at the 6th CIIE."""

import pytest
from django.urls import reverse

from config.seed import load_seed_facts
from delegations.models import Delegation
from tests.api.collection import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    load_seed_facts()


def shanghai() -> Delegation:
    return Delegation.objects.get(name="Shanghai trading delegation")


def test_search_for_dow_finds_exactly_the_zkh_dow_deal(anon, seeded):
    body = anon.get(reverse("deal-list"), {"search": "Dow"}).json()
    assert body["count"] == 1
    (deal,) = body["results"]
    assert (deal["value"], deal["stage"], deal["buyer"]["name"], deal["seller"]["name"]) == (
        {"amount": "300000000.00", "currency": "USD"},
        "signed",
        "ZKH Industrial Supply Co",
        "Dow",
    )


def test_the_seed_deal_reads_as_the_report_tells_it(anon, seeded):
    (deal,) = anon.get(reverse("deal-list"), {"search": "Dow"}).json()["results"]
    qingpu = Delegation.objects.get(name="Qingpu District trading delegation")
    assert {
        name: deal[name]
        for name in (
            "title",
            "delegation",
            "value_usd",
            "usd_rate",
            "usd_rate_date",
            "first_deal_of",
            "is_first_deal",
            "regional_debut",
            "debut_region",
            "is_published",
        )
    } == {
        "title": "Organo-silicon products procurement order",
        "delegation": {"id": qingpu.pk, "name": "Qingpu District trading delegation"},
        "value_usd": {"amount": "300000000.00", "currency": "USD"},
        "usd_rate": "1.0000000000",
        "usd_rate_date": None,
        "first_deal_of": {"id": shanghai().pk, "name": "Shanghai trading delegation"},
        "is_first_deal": True,
        "regional_debut": True,
        "debut_region": "Asia Pacific",
        "is_published": True,
    }
    assert ([market["name"] for market in deal["markets"]], deal["edition"]["name"]) == (
        ["Architecture", "Electronics", "New energy", "Packaging", "Transportation"],
        "6th China International Import Expo",
    )


def test_the_shanghai_delegation_includes_the_deal_of_its_qingpu_sub_delegation(anon, seeded):
    body = anon.get(reverse("deal-list"), {"delegation": shanghai().pk}).json()
    assert [(deal["seller"]["name"], deal["delegation"]["name"]) for deal in body["results"]] == [
        ("Dow", "Qingpu District trading delegation")
    ]


def test_a_malformed_value_usd_min_is_a_400_naming_it(anon, seeded):
    response = anon.get(reverse("deal-list"), {"value_usd_min": "abc"})
    assert (response.status_code, errors(response)) == (400, [("invalid", "value_usd_min")])


def test_an_unknown_parameter_is_a_400_naming_it(anon, seeded):
    response = anon.get(reverse("deal-list"), {"nosuch": "1"})
    assert (response.status_code, errors(response)) == (400, [("unknown_parameter", "nosuch")])
