"""Every change to deals, enterprises, delegations and participations is kept with its user and
time, whether made through the API, the admin or a command."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from deals.models import Deal
from delegations.models import Delegation, Enterprise, Participation
from tests.factories import DealFactory, DelegationFactory, EnterpriseFactory, ParticipationFactory, admin, editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return admin(username="historian")


@pytest.fixture
def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_changes_are_listed_newest_first_with_user_and_fields(client, user):
    deal = DealFactory(title="Before")
    client.patch(reverse("deal-detail", args=[deal.pk]), {"title": "After"}, format="json")
    client.post(reverse("deal-cancel", args=[deal.pk]), {"reason": "Withdrawn."}, format="json")

    response = client.get(reverse("deal-history", args=[deal.pk]))

    assert response.status_code == 200
    entries = response.json()["results"]
    assert [(entry["type"], entry["user"], entry["reason"]) for entry in entries] == [
        ("changed", {"id": user.pk, "username": "historian"}, "Withdrawn."),
        ("changed", {"id": user.pk, "username": "historian"}, None),
        ("created", None, None),
    ]
    assert entries[0]["changes"] == [{"field": "stage", "old": deal.stage, "new": "cancelled"}]
    assert entries[1]["changes"] == [{"field": "title", "old": "Before", "new": "After"}]


def test_history_of_a_deal_the_caller_cannot_see_is_404():
    deal = DealFactory(is_published=False)
    client = APIClient()
    client.force_authenticate(editor(DelegationFactory()))

    response = client.get(reverse("deal-history", args=[deal.pk]))

    assert response.status_code == 404


def test_history_is_not_for_the_public():
    deal = DealFactory(is_published=True)

    response = APIClient().get(reverse("deal-history", args=[deal.pk]))

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Deal, DealFactory),
        (Enterprise, EnterpriseFactory),
        (Delegation, DelegationFactory),
        (Participation, ParticipationFactory),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_api_writes_record_the_user(client, user, model, make):
    row = make()
    url = {Deal: "deal", Enterprise: "enterprise", Delegation: "delegation", Participation: "participation"}[model]
    field, value = ("title", "New title") if model is Deal else ("registered_organisations", 7)
    if model in (Enterprise, Delegation):
        field, value = "name", "New name"

    response = client.patch(reverse(f"{url}-detail", args=[row.pk]), {field: value}, format="json")

    assert response.status_code == 200
    latest = row.history.latest()
    assert (latest.history_type, latest.history_user, getattr(latest, field)) == ("~", user, value)


def test_admin_edits_are_recorded_and_can_be_reverted(user):
    enterprise = EnterpriseFactory(name="Old name")
    client = Client()
    client.force_login(user)
    client.post(
        reverse("admin:delegations_enterprise_change", args=[enterprise.pk]),
        # With the aliases inline's management form: no alias, none added.
        {"name": "New name", "kind": "company", "country": "CN", "aliases-TOTAL_FORMS": 0, "aliases-INITIAL_FORMS": 0},
    )
    assert Enterprise.objects.get(pk=enterprise.pk).name == "New name"
    first = enterprise.history.earliest()

    page = client.get(reverse("admin:delegations_enterprise_history", args=[enterprise.pk]))
    assert page.status_code == 200
    assert [entry.history_user for entry in page.context["page_obj"].object_list] == [user, None]
    client.post(
        reverse("admin:delegations_enterprise_simple_history", args=[enterprise.pk, first.history_id]),
        {"name": "Old name", "kind": "company", "country": "CN"},
    )

    assert Enterprise.objects.get(pk=enterprise.pk).name == "Old name"
    assert enterprise.history.latest().history_user == user


def test_the_seed_command_records_its_rows_without_a_user():
    call_command("load_seed")

    # Each deal of every report the seed loads: its first history row, the creation, names no one.
    deals = list(Deal.objects.all())
    assert len(deals) > 1
    assert {[(record.history_type, record.history_user) for record in deal.history.all()][-1] for deal in deals} == {
        ("+", None)
    }
