"""A deal's stage moves only through sign, execute and cancel, each logged with who and when."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deals.models import Deal, DealStageChange
from tests.factories import DealFactory, ExchangeRateFactory, admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return admin(username="clerk")


@pytest.fixture
def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def move(client, deal, action, body=None):
    return client.post(reverse(f"deal-{action}", args=[deal.pk]), body or {}, format="json")


def test_sign_moves_an_intention_to_signed_and_logs_it(client, user):
    deal = DealFactory(stage=Deal.Stage.INTENTION, signed_on=None)

    response = move(client, deal, "sign", {"signed_on": "2023-11-06"})

    assert response.status_code == 200
    assert (response.json()["stage"], response.json()["signed_on"]) == ("signed", "2023-11-06")
    change = DealStageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.changed_by, change.reason) == ("intention", "signed", user, "")


def test_signing_revalues_the_deal_at_the_signing_date(client):
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0600000000"))
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 6), rate_to_usd=Decimal("1.0700000000"))
    deal = DealFactory(
        stage=Deal.Stage.INTENTION,
        currency="EUR",
        amount=Decimal("1000.00"),
        usd_rate=Decimal("1.0600000000"),
        signed_on=datetime.date(2023, 11, 1),
    )

    response = move(client, deal, "sign", {"signed_on": "2023-11-07"})

    assert response.json()["value_usd"] == {"amount": "1070.00", "currency": "USD"}
    assert (response.json()["usd_rate"], response.json()["usd_rate_date"]) == ("1.0700000000", "2023-11-06")


def test_sign_needs_a_date(client):
    deal = DealFactory(stage=Deal.Stage.INTENTION)

    response = move(client, deal, "sign")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "signed_on"
    assert Deal.objects.get(pk=deal.pk).stage == "intention"


def test_execute_moves_a_signed_deal_to_executed(client):
    deal = DealFactory(stage=Deal.Stage.SIGNED)

    response = move(client, deal, "execute")

    assert (response.status_code, response.json()["stage"]) == (200, "executed")


def test_cancel_needs_a_reason_and_records_it(client):
    deal = DealFactory(stage=Deal.Stage.SIGNED)

    assert move(client, deal, "cancel").status_code == 400
    response = move(client, deal, "cancel", {"reason": "The buyer withdrew."})

    assert (response.status_code, response.json()["stage"]) == (200, "cancelled")
    assert DealStageChange.objects.get(deal=deal).reason == "The buyer withdrew."


@pytest.mark.parametrize(
    ("stage", "action", "message"),
    [
        (
            "intention",
            "execute",
            "Cannot move this deal from intention to executed: an intention deal can only become cancelled or signed.",
        ),
        (
            "signed",
            "sign",
            "Cannot move this deal from signed to signed: a signed deal can only become cancelled or executed.",
        ),
        ("executed", "cancel", "Cannot move this deal from executed to cancelled: it is final."),
        ("cancelled", "sign", "Cannot move this deal from cancelled to signed: it is final."),
    ],
)
def test_an_illegal_move_is_a_409_that_says_which(client, stage, action, message):
    deal = DealFactory(stage=stage)
    body = {"signed_on": "2023-11-06", "reason": "r"}

    response = move(client, deal, action, body)

    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "illegal_stage_transition", "detail": message, "attr": None}],
    }
    assert Deal.objects.get(pk=deal.pk).stage == stage
    assert not DealStageChange.objects.exists()


def test_stage_is_read_only_in_create_and_update(client):
    deal = DealFactory(stage=Deal.Stage.INTENTION)

    response = client.patch(reverse("deal-detail", args=[deal.pk]), {"stage": "executed"}, format="json")

    assert (response.status_code, response.json()["stage"]) == (200, "intention")
    assert Deal.objects.get(pk=deal.pk).stage == "intention"
