"""The services that write delegations, enterprises, participations, settlements and activities:
an editor writes only within their delegations, every write obeys the model's rules, and the
history names the writer."""

import pytest
from django.core.exceptions import ValidationError

from delegations import services
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from framework.access import OutOfScope
from tests.factories import (
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ParticipationFactory,
    SettlementFactory,
    admin,
    editor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingpu() -> Delegation:
    return DelegationFactory(name="Qingpu District trading delegation", parent=DelegationFactory(name="Shanghai"))


@pytest.fixture
def zhejiang() -> Delegation:
    return DelegationFactory(name="Zhejiang trading delegation")


def refusal(error: OutOfScope) -> tuple[str, str, dict]:
    return error.code, error.message, error.details


def test_an_editor_records_a_settlement_of_their_delegation(qingpu):
    writer = editor(qingpu)
    participation = ParticipationFactory(delegation=qingpu)
    enterprise = EnterpriseFactory()

    settlement = services.settlement_create(
        user=writer, data={"participation": participation, "enterprise": enterprise, "status": "confirmed"}
    )

    stored = Settlement.objects.get()
    assert (stored.pk, stored.participation, stored.enterprise, stored.status) == (
        settlement.pk,
        participation,
        enterprise,
        "confirmed",
    )


def test_an_editor_records_no_settlement_of_another_delegation(qingpu, zhejiang):
    participation = ParticipationFactory(delegation=zhejiang)

    with pytest.raises(OutOfScope) as refused:
        services.settlement_create(
            user=editor(qingpu),
            data={"participation": participation, "enterprise": EnterpriseFactory(), "status": "confirmed"},
        )

    assert refusal(refused.value) == (
        "out_of_scope",
        "Not one of the delegations you edit.",
        {"field": "participation"},
    )
    assert not Settlement.objects.exists()


def test_an_editor_moves_no_participation_to_another_delegation(qingpu, zhejiang):
    participation = ParticipationFactory(delegation=qingpu)

    with pytest.raises(OutOfScope) as refused:
        services.participation_update(participation=participation, user=editor(qingpu), data={"delegation": zhejiang})

    assert refusal(refused.value)[2] == {"field": "delegation"}
    assert Participation.objects.get().delegation == qingpu


def test_an_editor_deletes_no_activity_of_another_delegation(qingpu, zhejiang):
    activity = PromotionalActivity.objects.create(participation=ParticipationFactory(delegation=zhejiang), title="Tour")

    with pytest.raises(OutOfScope):
        services.activity_delete(activity=activity, user=editor(qingpu))

    assert PromotionalActivity.objects.count() == 1


def test_an_editor_creates_an_enterprise(qingpu):
    user = editor(qingpu)

    enterprise = services.enterprise_create(user=user, data={"name": "ZKH Industrial", "country": "CN"})

    assert list(Enterprise.objects.values_list("name", "country")) == [("ZKH Industrial", "CN")]
    assert enterprise.history.get().history_user == user


def test_an_editor_changes_no_enterprise(qingpu):
    enterprise = EnterpriseFactory(name="ZKH Industrial")

    with pytest.raises(OutOfScope) as refused:
        services.enterprise_update(enterprise=enterprise, user=editor(qingpu), data={"name": "ZKH"})

    assert refusal(refused.value)[2] == {"field": "non_field_errors"}
    assert Enterprise.objects.get().name == "ZKH Industrial"


def test_an_editor_deletes_no_enterprise(qingpu):
    enterprise = EnterpriseFactory()

    with pytest.raises(OutOfScope):
        services.enterprise_delete(enterprise=enterprise, user=editor(qingpu))

    assert Enterprise.objects.count() == 1


def test_an_enterprise_with_a_malformed_uscc_is_refused_by_the_models_rule():
    with pytest.raises(ValidationError) as refused:
        services.enterprise_create(user=admin(), data={"name": "ZKH Industrial", "uscc": "91310000MA1FL4XXXO"})

    assert list(refused.value.message_dict) == ["uscc"]
    assert not Enterprise.objects.exists()


def test_an_enterprise_whose_uscc_check_character_fails_is_created_with_the_warning():
    enterprise = services.enterprise_create(user=admin(), data={"name": "ZKH Industrial", "uscc": "91310000MA1FL4XXXX"})

    assert Enterprise.objects.values_list("uscc", "uscc_check_valid").get() == ("91310000MA1FL4XXXX", False)
    assert enterprise.uscc_check_valid is False


def test_a_delegation_cannot_become_its_own_ancestor(qingpu):
    shanghai = qingpu.parent

    with pytest.raises(ValidationError) as refused:
        services.delegation_update(delegation=shanghai, user=admin(), data={"parent": qingpu})

    assert refused.value.message_dict == {"parent": ["A delegation cannot be its own ancestor."]}
    assert Delegation.objects.get(pk=shanghai.pk).parent is None


def test_a_participation_is_created_with_its_enterprises_and_the_writer_in_its_history(qingpu):
    writer = editor(qingpu)
    enterprises = EnterpriseFactory.create_batch(2)

    participation = services.participation_create(
        user=writer, data={"delegation": qingpu, "edition": EditionFactory(), "enterprises": enterprises}
    )

    assert set(Participation.objects.get().enterprises.all()) == set(enterprises)
    # Newest first: the record, then its enterprises.
    assert [(entry.history_type, entry.history_user) for entry in participation.history.all()] == [
        ("~", writer),
        ("+", writer),
    ]


def test_a_settlement_of_an_unknown_status_is_refused():
    settlement = SettlementFactory(status="confirmed")

    with pytest.raises(ValidationError) as refused:
        services.settlement_update(settlement=settlement, user=admin(), data={"status": "rumoured"})

    assert list(refused.value.message_dict) == ["status"]
    assert Settlement.objects.get().status == "confirmed"
