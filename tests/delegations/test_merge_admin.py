"""The admin's "Merge into…" action on the enterprise list (choose the record that stays, see what
will move, confirm) and the undo of a recorded merge, through the same service as the API."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse

from deals.models import Deal
from delegations.models import Enterprise, EnterpriseAlias, Merge
from tests.factories import DealFactory, EnterpriseFactory, ParticipationFactory, SettlementFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:delegations_enterprise_changelist")
MERGES = reverse("admin:delegations_merge_changelist")


def action(client, enterprises, follow=False, **data):
    return client.post(
        CHANGELIST,
        {"action": "merge_into", helpers.ACTION_CHECKBOX_NAME: [enterprise.pk for enterprise in enterprises], **data},
        follow=follow,
    )


@pytest.fixture
def pair():
    survivor = EnterpriseFactory(name="ZKH Industrial Supply Co")
    duplicate = EnterpriseFactory(name="ZKH", name_zh="震坤行")
    deal = DealFactory(buyer=duplicate)
    ParticipationFactory(enterprises=[duplicate])
    SettlementFactory(enterprise=duplicate)
    return survivor, duplicate, deal


def test_the_action_asks_which_record_stays(admin_client, pair):
    survivor, duplicate, _deal = pair

    response = action(admin_client, [survivor, duplicate])

    assert response.status_code == 200
    assert response.templates[0].name == "admin/delegations/enterprise/merge.html"
    assert list(response.context["form"].fields["survivor"].queryset) == [survivor, duplicate]
    assert response.context["previews"] is None


def test_the_preview_counts_what_moves_per_relation_and_merges_nothing(admin_client, pair):
    survivor, duplicate, _deal = pair

    response = action(admin_client, [survivor, duplicate], step="preview", survivor=survivor.pk, reason="Same")

    assert response.status_code == 200
    (preview,) = response.context["previews"]
    assert preview.merged == duplicate
    assert [(move.label, move.count) for move in preview.moves] == [
        ("participations (enterprises)", 1),
        ("settlements (enterprise)", 1),
        ("deals (buyer)", 1),
        ("deals (seller)", 0),
        ("reported figures (enterprise)", 0),
    ]
    assert preview.aliases_added == ["ZKH", "震坤行"]
    content = response.content.decode()
    assert "Deals (buyer)</td><td>1</td>" in content
    assert 'value="Yes, merge"' in content
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_confirming_merges_and_records_the_merge(admin_client, admin_user, pair):
    survivor, duplicate, deal = pair

    response = action(admin_client, [survivor, duplicate], step="confirm", survivor=survivor.pk, reason="Same firm")

    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=duplicate.pk).exists()
    assert Deal.objects.get(pk=deal.pk).buyer_id == survivor.pk
    merge = Merge.objects.get()
    assert (merge.merged_id, merge.survivor_id, merge.merged_by, merge.reason) == (
        duplicate.pk,
        survivor.pk,
        admin_user,
        "Same firm",
    )
    assert set(survivor.aliases.values_list("name", "kind")) == {("ZKH", "merged"), ("震坤行", "merged")}


def test_a_preview_with_a_broken_rule_shows_it_and_offers_no_confirmation(admin_client, pair):
    survivor, duplicate, _deal = pair
    deal = DealFactory(buyer=survivor, seller=duplicate)

    response = action(admin_client, [survivor, duplicate], step="preview", survivor=survivor.pk, reason="Same")

    content = response.content.decode()
    assert f"deal {deal.pk} (" in content
    assert "A deal&#x27;s buyer and seller must be different enterprises." in content
    assert 'value="Yes, merge"' not in content
    # A confirmation sent anyway merges nothing.
    action(admin_client, [survivor, duplicate], step="confirm", survivor=survivor.pk, reason="Same")
    assert Enterprise.objects.filter(pk=duplicate.pk).exists()


def test_one_record_selected_is_not_a_merge(admin_client, pair):
    survivor, _duplicate, _deal = pair

    response = action(admin_client, [survivor], follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Select the duplicates together with the record that stays (two or more)."
    ]


def test_staff_who_are_not_superusers_have_no_merge_action(client, pair):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_enterprise", "change_enterprise", "delete_enterprise"])
    )
    client.force_login(staff)

    response = client.get(CHANGELIST)

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" in choices
    assert "merge_into" not in choices


def test_undoing_a_merge_in_the_admin_restores_the_enterprise(admin_client, pair):
    survivor, duplicate, deal = pair
    alias = EnterpriseAlias.objects.create(enterprise=duplicate, name="Zhenkunxing", kind="transliteration")
    response = action(
        admin_client, [survivor, duplicate], step="confirm", survivor=survivor.pk, reason="Same", follow=True
    )
    assert [str(message) for message in response.context["messages"]] == [
        f"Merged ZKH (#{duplicate.pk}) into ZKH Industrial Supply Co (#{survivor.pk})."
    ]
    merge = Merge.objects.get()

    response = admin_client.post(MERGES, {"action": "undo", helpers.ACTION_CHECKBOX_NAME: [merge.pk]}, follow=True)

    assert [str(message) for message in response.context["messages"]] == [f"Undone: {merge}."]
    restored = Enterprise.objects.get(pk=duplicate.pk)
    assert (restored.name, restored.name_zh) == ("ZKH", "震坤行")
    assert list(restored.aliases.values_list("pk", "name", "kind")) == [(alias.pk, "Zhenkunxing", "transliteration")]
    assert Deal.objects.get(pk=deal.pk).buyer_id == duplicate.pk
    assert not survivor.aliases.exists()
    # A second undo is refused, and says why.
    response = admin_client.post(MERGES, {"action": "undo", helpers.ACTION_CHECKBOX_NAME: [merge.pk]}, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        f"{merge}: The merge of enterprise {duplicate.pk} was undone already."
    ]
