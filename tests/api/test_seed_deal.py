"""The seed's deal through the API: ZKH Industrial Supply Co buys organo-silicon products from Dow
for US$300 million, the Shanghai trading delegation's first deal at the 6th CIIE, created as an
intention and then signed, as its history shows."""

import pytest
from django.urls import reverse

from config.seed import load_seed_facts
from deals.models import Deal, DealStageChange
from delegations.models import Delegation
from tests.api.collection import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    load_seed_facts(only=())


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
        "delegation": {"id": qingpu.pk, "name": "Qingpu District trading delegation", "name_zh": qingpu.name_zh},
        "value_usd": {"amount": "300000000.00", "currency": "USD"},
        "usd_rate": "1.0000000000",
        "usd_rate_date": None,
        "first_deal_of": {"id": shanghai().pk, "name": "Shanghai trading delegation", "name_zh": shanghai().name_zh},
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


def test_the_seed_deal_history_shows_its_move_from_intention_to_signed(analyst_api, seeded):
    deal = Deal.objects.get()

    entries = analyst_api.get(reverse("deal-history", args=[deal.pk])).json()["results"]

    assert [(entry["type"], entry["user"], entry["reason"]) for entry in entries] == [
        ("changed", None, "stage: signed"),
        # Linking the markets, as any create with markets records it.
        ("changed", None, None),
        ("created", None, None),
    ]
    assert entries[0]["changes"] == [{"field": "stage", "old": "intention", "new": "signed"}]
    created = {change["field"]: change["new"] for change in entries[-1]["changes"]}
    assert (created["stage"], created["value_usd"], "signed_on" in created) == ("intention", "300000000.00", False)
    assert list(DealStageChange.objects.values_list("deal", "from_stage", "to_stage", "changed_by")) == [
        (deal.pk, "intention", "signed", None)
    ]


def test_loading_the_seed_again_adds_no_history(seeded):
    deal = Deal.objects.get()
    history = list(deal.history.values_list("history_id", flat=True))

    assert load_seed_facts(only=()).updated == {}

    assert list(deal.history.values_list("history_id", flat=True)) == history
    assert DealStageChange.objects.count() == 1


def test_loading_signs_a_seed_deal_left_an_intention_without_changing_its_other_facts(seeded):
    deal = Deal.objects.get()
    Deal.objects.filter(pk=deal.pk).update(stage=Deal.Stage.INTENTION)
    DealStageChange.objects.all().delete()

    assert load_seed_facts(only=()).updated == {"Deal": 1}

    latest = deal.history.latest()
    assert (latest.stage, latest.history_change_reason) == ("signed", "stage: signed")
    assert list(DealStageChange.objects.values_list("from_stage", "to_stage")) == [("intention", "signed")]
