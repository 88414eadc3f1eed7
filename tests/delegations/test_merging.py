"""Merging a duplicate enterprise into the one that stays, and undoing it: every reference moves
to the survivor in one transaction, the merged names become aliases, the history and the
deletion feed say so, and an undo puts every row back exactly."""

import datetime

import pytest
from django.apps import apps
from django.db.models import ForeignKey, ManyToManyField
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Deal
from delegations import merging
from delegations.models import Enterprise, EnterpriseAlias, Merge, Participation, Settlement
from figures.models import ReportedFigure
from framework.models import Deletion
from tests.api.collection import errors
from tests.factories import (
    DealFactory,
    EnterpriseFactory,
    ParticipationFactory,
    ReportedFigureFactory,
    SettlementFactory,
    admin,
    analyst,
    editor,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
ParticipationEnterprise = Participation.enterprises.through


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def merge_url(enterprise_id: int) -> str:
    return reverse("enterprise-merge", args=[enterprise_id])


def unmerge_url(enterprise_id: int) -> str:
    return reverse("enterprise-unmerge", args=[enterprise_id])


# The tables a merge writes, besides the histories (which gain rows) and the merges themselves.
TABLES = (Enterprise, EnterpriseAlias, Deal, Participation, ParticipationEnterprise, Settlement, Deletion)


def rows(*, without_updated_at: bool = True) -> dict[str, list[dict]]:
    """Every row of every table a merge writes, by table, in id order."""
    state = {}
    for model in TABLES:
        columns = [field.attname for field in model._meta.concrete_fields]
        if without_updated_at:
            columns = [name for name in columns if name != "updated_at"]
        state[model._meta.label] = list(model.objects.order_by("pk").values(*columns))
    return state


@pytest.fixture
def duplicates():
    """ZKH (the survivor) and its duplicate 震坤行 with every kind of reference: deals as buyer
    and as seller, a participation of its own and one shared with ZKH, a settlement, aliases
    (one that ZKH has too), and records of others that must not change."""
    zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="", uscc=valid_uscc(1))
    duplicate = EnterpriseFactory(name="Zhenkunxing Industrial Supply", name_zh="震坤行", uscc=valid_uscc(2))
    dow, other = EnterpriseFactory(name="Dow"), EnterpriseFactory(name="Bystander")
    EnterpriseAlias.objects.create(enterprise=zkh, name="ZKH", kind=EnterpriseAlias.Kind.SHORT)
    EnterpriseAlias.objects.create(enterprise=duplicate, name="ZKH", kind=EnterpriseAlias.Kind.SHORT)
    EnterpriseAlias.objects.create(enterprise=duplicate, name="Zhenkunxing", kind=EnterpriseAlias.Kind.TRANSLITERATION)
    EnterpriseAlias.objects.create(enterprise=other, name="Bystanders", kind=EnterpriseAlias.Kind.FORMER)
    bought = DealFactory(buyer=duplicate, seller=dow)
    sold = DealFactory(buyer=dow, seller=duplicate)
    untouched = DealFactory(buyer=zkh, seller=dow)
    own = ParticipationFactory(enterprises=[duplicate, other])
    shared = ParticipationFactory(enterprises=[zkh, duplicate])
    settlement = SettlementFactory(enterprise=duplicate)
    SettlementFactory(enterprise=zkh)
    # Long unchanged, so that a change shows in updated_at.
    for model in (Enterprise, Deal, Participation, Settlement):
        model.objects.update(updated_at=LONG_AGO)
    return {
        "zkh": zkh,
        "duplicate": duplicate,
        "dow": dow,
        "bought": bought,
        "sold": sold,
        "untouched": untouched,
        "own": own,
        "shared": shared,
        "settlement": settlement,
    }


def merge(client: APIClient, merged: Enterprise, survivor: Enterprise, reason: str = "The same company"):
    return client.post(merge_url(merged.pk), {"into": survivor.pk, "reason": reason}, format="json")


def test_a_merge_moves_every_reference_to_the_survivor(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    user = admin(username="curator")

    response = merge(client_of(user), duplicate, zkh)

    assert response.status_code == 200, response.json()
    body = response.json()
    record = Merge.objects.get()
    assert body == {
        "id": record.pk,
        "merged_id": duplicate.pk,
        "merged_name": "Zhenkunxing Industrial Supply",
        "survivor_id": zkh.pk,
        "survivor_name": "ZKH Industrial Supply Co",
        "reason": "The same company",
        "moved": [
            {"relation": "participations (enterprises)", "count": 2},
            {"relation": "settlements (enterprise)", "count": 1},
            {"relation": "deals (buyer)", "count": 1},
            {"relation": "deals (seller)", "count": 1},
        ],
        "aliases_added": ["Zhenkunxing", "Zhenkunxing Industrial Supply", "震坤行"],
        "merged_by": "curator",
        "merged_at": body["merged_at"],
        "undone_by": None,
        "undone_at": None,
    }
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()
    duplicates["bought"].refresh_from_db()
    duplicates["sold"].refresh_from_db()
    assert (duplicates["bought"].buyer_id, duplicates["sold"].seller_id) == (zkh.pk, zkh.pk)
    assert set(duplicates["own"].enterprises.values_list("name", flat=True)) == {
        "ZKH Industrial Supply Co",
        "Bystander",
    }
    assert list(duplicates["shared"].enterprises.values_list("pk", flat=True)) == [zkh.pk]
    assert Settlement.objects.get(pk=duplicates["settlement"].pk).enterprise_id == zkh.pk
    assert list(zkh.aliases.order_by("name").values_list("name", "kind")) == [
        ("ZKH", "short"),
        ("Zhenkunxing", "transliteration"),
        ("Zhenkunxing Industrial Supply", "merged"),
        ("震坤行", "merged"),
    ]


def test_a_merge_followed_by_its_unmerge_restores_every_row_exactly(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    before = rows()
    created_before = rows(without_updated_at=False)["delegations.Enterprise"]
    client = client_of(admin())
    assert merge(client, duplicate, zkh).status_code == 200
    assert rows() != before
    undo_started = timezone.now()

    response = client.post(unmerge_url(duplicate.pk))

    assert response.status_code == 200, response.json()
    assert response.json()["undone_at"] is not None
    assert rows() == before
    # updated_at aside: the records the merge and its undo changed are newer, for syncing clients.
    changed = {duplicate.pk, zkh.pk}
    after = {row["id"]: row["updated_at"] for row in rows(without_updated_at=False)["delegations.Enterprise"]}
    assert {pk for pk, updated in after.items() if updated >= undo_started} == changed
    assert {row["id"]: row["updated_at"] for row in created_before if row["id"] not in changed} == {
        pk: updated for pk, updated in after.items() if pk not in changed
    }
    moved_deals = {duplicates["bought"].pk, duplicates["sold"].pk}
    assert {deal.pk for deal in Deal.objects.filter(updated_at__gte=undo_started)} == moved_deals
    assert Participation.objects.filter(updated_at__gte=undo_started).count() == 2
    assert Merge.objects.get().undone_at is not None


def test_a_figure_about_the_merged_enterprise_moves_to_the_survivor_and_back(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    orders = ReportedFigureFactory(delegation=None, enterprise=duplicate)
    dows = ReportedFigureFactory(delegation=None, enterprise=duplicates["dow"])
    client = client_of(admin())

    response = merge(client, duplicate, zkh)

    assert response.status_code == 200, response.json()
    assert {"relation": "reported figures (enterprise)", "count": 1} in response.json()["moved"]
    assert ReportedFigure.objects.get(pk=orders.pk).enterprise_id == zkh.pk
    assert client.post(unmerge_url(duplicate.pk)).status_code == 200
    assert dict(ReportedFigure.objects.values_list("pk", "enterprise")) == {
        orders.pk: duplicate.pk,
        dows.pk: duplicates["dow"].pk,
    }


def test_an_undone_merge_can_be_merged_again_and_undone_again(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    before = rows()
    client = client_of(admin())
    for _ in range(2):
        assert merge(client, duplicate, zkh).status_code == 200
        assert client.post(unmerge_url(duplicate.pk)).status_code == 200

    assert rows() == before
    assert Merge.objects.filter(undone_at__isnull=False).count() == 2


def test_the_merge_is_in_the_history_of_both_records_and_of_each_record_moved(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    user = admin(username="curator")

    merge(client_of(user), duplicate, zkh, reason="Same USCC holder")

    gone = Enterprise.history.filter(id=duplicate.pk).latest("history_date")
    assert (gone.history_type, gone.history_user, gone.history_change_reason) == (
        "-",
        user,
        f"Merged into enterprise {zkh.pk} (ZKH Industrial Supply Co): Same USCC holder",
    )
    stays = zkh.history.latest("history_date")
    assert (stays.history_type, stays.history_user, stays.history_change_reason) == (
        "~",
        user,
        f"Enterprise {duplicate.pk} (Zhenkunxing Industrial Supply) merged into this one: Same USCC holder",
    )
    moved = (
        f"Enterprise {duplicate.pk} (Zhenkunxing Industrial Supply) merged into enterprise {zkh.pk} "
        "(ZKH Industrial Supply Co): Same USCC holder"
    )
    for record in (duplicates["bought"], duplicates["sold"], duplicates["own"], duplicates["shared"]):
        entry = record.history.latest("history_date")
        assert (entry.history_user, entry.history_change_reason) == (user, moved)
    assert duplicates["bought"].history.latest("history_date").buyer_id == zkh.pk
    shared = duplicates["shared"].history.latest("history_date")
    assert [link.enterprise_id for link in shared.enterprises.all()] == [zkh.pk]
    assert duplicates["untouched"].history.count() == 1


def test_the_unmerge_is_in_the_history_of_the_restored_record(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    user = admin(username="curator")
    client = client_of(user)
    merge(client, duplicate, zkh, reason="Same USCC holder")

    client.post(unmerge_url(duplicate.pk))

    back = Enterprise.history.filter(id=duplicate.pk).latest("history_date")
    assert (back.history_type, back.history_user, back.name_zh) == ("+", user, "震坤行")
    assert back.history_change_reason == (
        f"Merge into enterprise {zkh.pk} (ZKH Industrial Supply Co) undone; it was: Same USCC holder"
    )
    assert duplicates["bought"].history.latest("history_date").buyer_id == duplicate.pk


def test_the_deletion_feed_lists_the_merged_record_with_its_survivor_until_the_merge_is_undone(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    client = client_of(admin())
    since = timezone.now().isoformat()
    merge(client, duplicate, zkh)

    feed = client.get(reverse("deletion-list"), {"collection": "enterprises", "updated_since": since}).json()

    assert [(entry["record_id"], entry["kind"], entry["survivor_id"]) for entry in feed["results"]] == [
        (duplicate.pk, "merged", zkh.pk)
    ]
    changed = client.get(reverse("enterprise-list"), {"updated_since": since}).json()
    assert [row["id"] for row in changed["results"]] == [zkh.pk]

    client.post(unmerge_url(duplicate.pk))

    feed = client.get(reverse("deletion-list"), {"collection": "enterprises", "updated_since": since}).json()
    assert feed["results"] == []
    changed = client.get(reverse("enterprise-list"), {"updated_since": since}).json()
    assert sorted(row["id"] for row in changed["results"]) == sorted([zkh.pk, duplicate.pk])


def test_a_deleted_record_is_still_listed_as_deleted_with_no_survivor():
    enterprise = EnterpriseFactory()
    client = client_of(admin())

    assert client.delete(reverse("enterprise-detail", args=[enterprise.pk])).status_code == 204

    (entry,) = client.get(reverse("deletion-list"), {"collection": "enterprises"}).json()["results"]
    assert (entry["record_id"], entry["kind"], entry["survivor_id"]) == (enterprise.pk, "deleted", None)


def test_ocds_parties_of_a_moved_deal_name_the_survivor(anon, duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    merge(client_of(admin()), duplicate, zkh)

    release = anon.get(reverse("deal-ocds", args=[duplicates["bought"].pk])).json()

    assert [(party["id"], party["name"], party["roles"]) for party in release["parties"][:2]] == [
        (f"enterprise-{zkh.pk}", "ZKH Industrial Supply Co", ["buyer"]),
        (f"enterprise-{duplicates['dow'].pk}", "Dow", ["supplier"]),
    ]
    assert release["buyer"] == {"id": f"enterprise-{zkh.pk}", "name": "ZKH Industrial Supply Co"}


def test_merging_into_itself_is_a_400_on_into():
    enterprise = EnterpriseFactory()

    response = merge(client_of(admin()), enterprise, enterprise)

    assert response.status_code == 400
    assert errors(response) == [("merge_refused", "into")]
    assert response.json()["errors"][0]["detail"] == "An enterprise cannot be merged into itself."


@pytest.mark.parametrize("into", [999_999, "abc", None, "", -1, 2**31, 2**63, 10**400, 1.5])
def test_an_unknown_survivor_is_a_400_on_into(into):
    enterprise = EnterpriseFactory()

    response = client_of(admin()).post(merge_url(enterprise.pk), {"into": into, "reason": "Same"}, format="json")

    assert response.status_code == 400
    assert [attr for _code, attr in errors(response)] == ["into"]
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_merge_without_a_reason_is_a_400_on_reason(reason):
    merged, survivor = EnterpriseFactory(), EnterpriseFactory()
    payload = {"into": survivor.pk} if reason is None else {"into": survivor.pk, "reason": reason}

    response = client_of(admin()).post(merge_url(merged.pk), payload, format="json")

    assert response.status_code == 400
    assert [attr for _code, attr in errors(response)] == ["reason"]


def test_merging_the_two_sides_of_a_deal_is_a_409_naming_the_deal_and_changes_nothing(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    deal = DealFactory(buyer=zkh, seller=duplicate, title="ZKH buys from itself")
    before = rows(without_updated_at=False)

    response = merge(client_of(admin()), duplicate, zkh)

    assert response.status_code == 409
    assert errors(response) == [("merge_conflict", None)]
    assert response.json()["errors"][0]["detail"] == (
        f"Enterprise {duplicate.pk} cannot be merged into enterprise {zkh.pk}: deal {deal.pk} "
        f"(ZKH buys from itself (USD 1,000,000.00)) would break a rule: "
        "A deal's buyer and seller must be different enterprises."
    )
    assert rows(without_updated_at=False) == before
    assert not Merge.objects.exists()


def test_two_settlements_of_one_participation_are_a_409_naming_the_settlement(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    settlement = SettlementFactory(enterprise=duplicate)
    SettlementFactory(enterprise=zkh, participation=settlement.participation)
    before = rows(without_updated_at=False)

    response = merge(client_of(admin()), duplicate, zkh)

    assert response.status_code == 409
    detail = response.json()["errors"][0]["detail"]
    assert f"settlement {settlement.pk} (" in detail
    assert detail.endswith("would break a rule: This enterprise already has a settlement for this participation.")
    assert rows(without_updated_at=False) == before


@pytest.mark.parametrize("role", ["anonymous", "analyst", "editor"])
def test_only_admins_merge_and_unmerge(role, duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    delegation = duplicates["bought"].delegation
    client = {
        "anonymous": APIClient(),
        "analyst": client_of(analyst()),
        "editor": client_of(editor(delegation)),
    }[role]

    assert merge(client, duplicate, zkh).status_code in (401, 403)
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()
    merging.enterprise_merge(merged=duplicate, survivor=zkh, user=None, reason="Same")
    assert client.post(unmerge_url(duplicate.pk)).status_code in (401, 403)
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_unmerging_a_record_not_merged_is_a_404():
    enterprise = EnterpriseFactory()
    client = client_of(admin())

    assert client.post(unmerge_url(enterprise.pk)).status_code == 404
    assert client.post(unmerge_url(999_999)).status_code == 404


def test_unmerging_twice_is_a_404_the_second_time(duplicates):
    client = client_of(admin())
    merge(client, duplicates["duplicate"], duplicates["zkh"])
    assert client.post(unmerge_url(duplicates["duplicate"].pk)).status_code == 200

    assert client.post(unmerge_url(duplicates["duplicate"].pk)).status_code == 404


def test_an_unmerge_is_a_409_when_a_moved_deal_changed_since_and_restores_nothing(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    client = client_of(admin())
    merge(client, duplicate, zkh)
    bought = Deal.objects.get(pk=duplicates["bought"].pk)
    bought.buyer = EnterpriseFactory()
    bought.save()
    before = rows(without_updated_at=False)

    response = client.post(unmerge_url(duplicate.pk))

    assert response.status_code == 409
    assert errors(response) == [("unmerge_conflict", None)]
    assert response.json()["errors"][0]["detail"].endswith(f"no longer refers to enterprise {zkh.pk}.")
    assert rows(without_updated_at=False) == before
    assert Merge.objects.get().undone_at is None


def test_an_unmerge_is_a_409_when_the_survivor_is_gone():
    merged, survivor = EnterpriseFactory(), EnterpriseFactory()
    client = client_of(admin())
    merge(client, merged, survivor)
    survivor_id = survivor.pk
    survivor.delete()

    response = client.post(unmerge_url(merged.pk))

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        f"Enterprise {merged.pk} cannot be restored: enterprise {survivor_id}, which it was merged into, "
        "no longer exists."
    )


def test_a_merge_moves_every_relation_to_enterprises_but_the_histories_and_the_aliases():
    """A relation added to any model (a figure about an enterprise, say) moves with no change here."""
    pointing = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, ForeignKey | ManyToManyField)
        and field.related_model is Enterprise
        and not model.__name__.startswith("Historical")
        and model is not EnterpriseAlias
    }

    moved = {(relation.model._meta.label, relation.field_name) for relation in merging.merged_relations()}

    assert moved == pointing
    assert {("deals.Deal", "buyer"), ("deals.Deal", "seller"), ("delegations.Participation", "enterprises")} <= moved


def test_the_preview_counts_what_would_move_and_writes_nothing(duplicates):
    before = rows(without_updated_at=False)

    preview = merging.merge_preview(merged=duplicates["duplicate"], survivor=duplicates["zkh"])

    assert [(move.label, move.count) for move in preview.moves] == [
        ("participations (enterprises)", 2),
        ("settlements (enterprise)", 1),
        ("deals (buyer)", 1),
        ("deals (seller)", 1),
        # A figure's subject may be an enterprise: none is about this one.
        ("reported figures (enterprise)", 0),
    ]
    assert (preview.aliases_moved, preview.aliases_added, preview.problems) == (
        ["Zhenkunxing"],
        ["Zhenkunxing Industrial Supply", "震坤行"],
        [],
    )
    assert rows(without_updated_at=False) == before


def test_a_restored_uscc_taken_since_is_a_409(duplicates):
    zkh, duplicate = duplicates["zkh"], duplicates["duplicate"]
    client = client_of(admin())
    merge(client, duplicate, zkh)
    EnterpriseFactory(uscc=valid_uscc(2))

    response = client.post(unmerge_url(duplicate.pk))

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        f"Enterprise {duplicate.pk} cannot be restored: Another enterprise has this Unified Social Credit Code."
    )
