"""One write path for deals: the admin form, the admin import and the API write a deal through the
same services, so the same input gives the same history and the same USD value; a deal is
created as an intention, whatever the caller asks."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from deals import selectors
from deals.models import Deal
from deals.services import NotAnIntention, OutOfScope, deal_create
from framework.api.errors import api_exception
from tests.factories import (
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
    editor,
)
from tests.test_admin import admin_url, deal_form_data
from tests.test_admin_import import confirm, preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties() -> dict:
    """A buyer, a seller, a delegation, the 6th CIIE (5–10 November 2023), two markets and a EUR rate."""
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0850000000"))
    return {
        "buyer": EnterpriseFactory(name="ZKH Industrial Supply Co"),
        "seller": EnterpriseFactory(name="Dow"),
        "delegation": DelegationFactory(name="Qingpu District trading delegation"),
        "edition": EditionFactory(start_date=datetime.date(2023, 11, 5), end_date=datetime.date(2023, 11, 10)),
        "markets": [MarketFactory(name="Electronics"), MarketFactory(name="New energy")],
    }


def ids(parties: dict) -> dict:
    return {name: parties[name].pk for name in ("buyer", "seller", "delegation", "edition")}


def market_ids(parties: dict) -> list[int]:
    return [market.pk for market in parties["markets"]]


def admin_form(parties: dict, **values) -> dict:
    """What the admin's deal form posts for a deal between the parties (1000.00 EUR signed 2023-11-06)."""
    return deal_form_data(edition=parties["edition"]) | ids(parties) | values


def through_the_admin_form(client, parties: dict) -> Deal:
    form = admin_form(parties, markets=market_ids(parties), is_published="on")
    assert client.post(admin_url(Deal, "add"), form).status_code == 302
    deal = Deal.objects.latest("id")
    assert client.post(admin_url(Deal, "change", deal.pk), form | {"amount": "2000.00"}).status_code == 302
    return deal


def through_the_admin_import(client, parties: dict) -> Deal:
    headers = ["id", "title", "buyer", "seller", "delegation", "edition", "amount", "currency", "signed_on", "markets"]
    row = [
        "",
        "Organo-silicon products",
        *ids(parties).values(),
        "1000.00",
        "EUR",
        "2023-11-06",
        ",".join(str(pk) for pk in market_ids(parties)),
    ]
    confirm(client, Deal, preview(client, Deal, "csv", [[*headers, "is_published"], [*row, "1"]], name="deals"))
    deal = Deal.objects.latest("id")
    confirm(client, Deal, preview(client, Deal, "csv", [["id", "amount"], [deal.pk, "2000.00"]], name="deals"))
    return deal


def through_the_api(user, parties: dict) -> Deal:
    api = APIClient()
    api.force_authenticate(user)
    body = {
        "title": "Organo-silicon products",
        **ids(parties),
        "value": {"amount": "1000.00", "currency": "EUR"},
        "signed_on": "2023-11-06",
        "markets": market_ids(parties),
        "is_published": True,
    }
    created = api.post(reverse("deal-list"), body, format="json")
    assert created.status_code == 201, created.json()
    changed = api.patch(
        reverse("deal-detail", args=[created.json()["id"]]), {"value": {"amount": "2000.00", "currency": "EUR"}}
    )
    assert changed.status_code == 200, changed.json()
    return Deal.objects.get(pk=created.json()["id"])


def history(deal: Deal) -> list[tuple]:
    """The deal's history, oldest first, as (type, user, changes) with the changes as (field, old, new)."""
    return [
        (entry.type, entry.history_user, [(change.field, change.old, change.new) for change in entry.changes])
        for entry in reversed(selectors.deal_history(deal=deal))
    ]


def usd(deal: Deal) -> tuple:
    return (
        deal.stage,
        deal.value_usd,
        deal.usd_rate,
        deal.usd_rate_date,
        sorted(deal.markets.values_list("pk", flat=True)),
    )


def test_the_admin_form_the_admin_import_and_the_api_write_the_same_deal(admin_client, admin_user, parties):
    deals = {
        "admin form": through_the_admin_form(admin_client, parties),
        "admin import": through_the_admin_import(admin_client, parties),
        "api": through_the_api(admin_user, parties),
    }

    histories = {path: history(deal) for path, deal in deals.items()}
    assert histories["admin form"] == histories["api"]
    assert histories["admin import"] == histories["api"]
    created, linked, changed = histories["api"]
    assert (created[0], created[1], {field: new for field, _, new in created[2]}["stage"]) == (
        "created",
        admin_user,
        "intention",
    )
    # Linking the markets is recorded as a change of none of the deal's own fields.
    assert linked == ("changed", admin_user, [])
    assert changed == (
        "changed",
        admin_user,
        [("amount", "1000.00", "2000.00"), ("value_usd", "1085.00", "2170.00")],
    )
    values = {path: usd(Deal.objects.get(pk=deal.pk)) for path, deal in deals.items()}
    assert values == dict.fromkeys(
        deals,
        ("intention", Decimal("2170.00"), Decimal("1.0850000000"), datetime.date(2023, 11, 1), market_ids(parties)),
    )
    # The import's history also says which file the deal came from.
    assert set(deals["admin import"].history.values_list("history_change_reason", flat=True)) == {
        "Imported from deals.csv"
    }


def deal_arguments(parties: dict) -> dict:
    return {
        "title": "Organo-silicon products",
        **{name: parties[name] for name in ("buyer", "seller", "delegation", "edition")},
        "amount": Decimal("1000.00"),
        "currency": "EUR",
    }


@pytest.mark.parametrize("stage", [Deal.Stage.SIGNED, Deal.Stage.EXECUTED, Deal.Stage.CANCELLED])
def test_a_deal_is_created_only_as_an_intention(parties, stage):
    with pytest.raises(NotAnIntention) as refused:
        deal_create(**deal_arguments(parties), stage=stage, user=None)

    assert not Deal.objects.exists()
    error = api_exception(refused.value)
    assert (error.status_code, error.detail) == (
        400,
        {"stage": [f"A deal is created as an intention, not {stage}: create it, then sign, execute or cancel it."]},
    )
    assert error.detail["stage"][0].code == "not_an_intention"


def test_an_editor_creates_deals_only_for_their_delegations(parties):
    with pytest.raises(OutOfScope):
        deal_create(**deal_arguments(parties), user=editor(DelegationFactory()))

    deal = deal_create(**deal_arguments(parties), user=editor(parties["delegation"]))
    assert (deal.stage, deal.value_usd) == ("intention", Decimal("1085.00"))


def test_the_admin_form_refuses_a_delegation_its_user_may_not_write_deals_for(client, parties):
    staff = editor(DelegationFactory(), is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_deal", "view_deal"]))
    client.force_login(staff)

    response = client.post(admin_url(Deal, "add"), admin_form(parties))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["Not one of the delegations you edit."]
    assert not Deal.objects.exists()
