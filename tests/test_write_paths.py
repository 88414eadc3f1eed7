"""One write path per record: the API, the admin's forms, its delete page and actions, and its
import write the thirteen collections besides deals through their apps' services."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deals.models import Market
from delegations.models import Enterprise, Participation
from framework import services, sync
from framework.api.serializers import ValidatedModelSerializer
from framework.models import Deletion
from tests.factories import (
    DealFactory,
    EnterpriseFactory,
    MarketFactory,
    ParticipationFactory,
    SourceFactory,
    valid_uscc,
)
from tests.test_admin import admin_url
from tests.test_admin_import import confirm, preview

pytestmark = pytest.mark.django_db

ZKH = {
    "name": "ZKH Industrial Supply Co",
    "name_zh": "震坤行工业超市",
    "kind": "company",
    "country": "CN",
    "city": "Shanghai",
    "district": "Putuo District",
    "industry": "MRO procurement",
    "uscc": "",
    "registry_id": "",
    "description": "An industrial supplies platform.",
}
VALUES = [*ZKH, "source_id"]
# The enterprise page's alias inline, left empty.
NO_ALIASES = {"aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}


def test_every_collection_but_deals_is_written_by_its_own_apps_services():
    owners = {
        label: (services.WRITES[label].create, services.WRITES[label].update, services.WRITES[label].delete)
        for label in sync.COLLECTIONS
        if label in services.WRITES
    }

    assert set(sync.COLLECTIONS) - set(owners) == {"deals.Deal"}
    for label, functions in owners.items():
        app_label = label.split(".")[0]
        assert {function.__module__ for function in functions} == {f"{app_label}.services"}, label


def test_the_admin_and_the_api_create_the_same_enterprise_with_the_same_history(admin_client, admin_user):
    source = SourceFactory()
    api = APIClient()
    api.force_authenticate(user=admin_user)

    added = admin_client.post(admin_url(Enterprise, "add"), {**ZKH, **NO_ALIASES, "source": source.pk, "_save": "Save"})
    # The same name again: the API takes it only when told it is another enterprise.
    distinct_from = [Enterprise.objects.get().pk]
    created = api.post(
        reverse("enterprise-list"), {**ZKH, "source": source.pk, "distinct_from": distinct_from}, format="json"
    )

    assert (added.status_code, created.status_code) == (302, 201)
    from_admin, from_api = Enterprise.objects.order_by("pk")
    assert from_api.pk == created.json()["id"]
    assert Enterprise.objects.filter(pk=from_admin.pk).values(*VALUES).get() == {**ZKH, "source_id": source.pk}
    assert Enterprise.objects.filter(pk=from_api.pk).values(*VALUES).get() == {**ZKH, "source_id": source.pk}
    histories = [
        list(record.history.values_list("history_type", "history_user", "history_change_reason", *ZKH))
        for record in (from_admin, from_api)
    ]
    assert histories[0] == histories[1] == [("+", admin_user.pk, None, *ZKH.values())]


def test_the_import_and_the_api_create_the_same_enterprise_with_the_same_values(admin_client, admin_user):
    api = APIClient()
    api.force_authenticate(user=admin_user)
    previewed = preview(admin_client, Enterprise, "csv", [["id", *ZKH], ["", *ZKH.values()]])

    confirm(admin_client, Enterprise, previewed)
    api.post(reverse("enterprise-list"), {**ZKH, "distinct_from": [Enterprise.objects.get().pk]}, format="json")

    from_import, from_api = Enterprise.objects.order_by("pk")
    assert [list(Enterprise.objects.filter(pk=record.pk).values(*ZKH)) for record in (from_import, from_api)] == [
        [ZKH],
        [ZKH],
    ]
    assert [
        list(record.history.values_list("history_type", "history_user", "history_change_reason"))
        for record in (from_import, from_api)
    ] == [[("+", admin_user.pk, "Imported from import.csv")], [("+", admin_user.pk, None)]]


def test_the_admin_refuses_an_enterprise_the_models_rules_refuse(admin_client):
    taken = EnterpriseFactory(uscc=valid_uscc(1))

    response = admin_client.post(
        admin_url(Enterprise, "add"), {**ZKH, **NO_ALIASES, "uscc": taken.uscc, "_save": "Save"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Another enterprise has this Unified Social Credit Code."]
    }
    assert Enterprise.objects.count() == 1


def test_the_admin_changes_a_participations_enterprises_through_its_service(admin_client, admin_user):
    participation = ParticipationFactory(enterprises=[EnterpriseFactory()])
    registered = EnterpriseFactory()
    form = {
        "delegation": participation.delegation.pk,
        "edition": participation.edition.pk,
        "registered_organisations": 120,
        "professional_audience": 3000,
        "enterprises": [registered.pk],
        "city_parlor": "",
        "services": "",
        "source": "",
        "_save": "Save",
    }

    response = admin_client.post(admin_url(Participation, "change", participation.pk), form)

    assert response.status_code == 302
    participation.refresh_from_db()
    assert (participation.registered_organisations, list(participation.enterprises.all())) == (120, [registered])
    assert participation.history.latest().history_user == admin_user


def test_the_admin_does_not_delete_a_market_deals_aim_at(admin_client):
    market = MarketFactory()
    deal = DealFactory(title="Organo-silicon order", markets=[market])

    page = admin_client.get(admin_url(Market, "delete", market.pk))
    refused = admin_client.post(admin_url(Market, "delete", market.pk), {"post": "yes"})

    assert page.context["protected"] == [f"Deal: {deal}"]
    assert refused.status_code == 200
    assert Market.objects.count() == 1


def test_the_admins_delete_selected_action_deletes_through_the_service(admin_client):
    markets = MarketFactory.create_batch(2)
    ids = sorted(market.pk for market in markets)

    response = admin_client.post(
        admin_url(Market, "changelist"), {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )

    assert response.status_code == 302
    assert not Market.objects.exists()
    assert sorted(Deletion.objects.values_list("collection", "record_id")) == [("markets", pk) for pk in ids]


def test_a_serializer_does_not_save_a_record():
    class EnterpriseNameSerializer(ValidatedModelSerializer):
        class Meta:
            model = Enterprise
            fields = ("name",)

    serializer = EnterpriseNameSerializer(data={"name": "ZKH"})
    assert serializer.is_valid()

    with pytest.raises(NotImplementedError):
        serializer.save()
    assert not Enterprise.objects.exists()


def test_the_admin_writes_aliases_through_the_service_with_the_history(admin_client, admin_user):
    enterprise = EnterpriseFactory(**{**ZKH, "uscc": ""})
    form = {
        **ZKH,
        "aliases-TOTAL_FORMS": "2",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "震坤行",
        "aliases-0-kind": "other_language",
        "aliases-1-name": "ZKH",
        "aliases-1-kind": "short",
        "_save": "Save",
    }

    response = admin_client.post(admin_url(Enterprise, "change", enterprise.pk), form)

    assert response.status_code == 302
    assert list(enterprise.aliases.values_list("name", "kind", "name_key")) == [
        ("ZKH", "short", "zkh"),
        ("震坤行", "other_language", "震坤行"),
    ]
    latest = enterprise.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        admin_user,
        "aliases added: 震坤行 (other_language), ZKH (short)",
    )
