"""The database refuses delegation-side records that break the domain's rules (SPEC §2): a
delegation tree with a cycle, unknown countries, malformed or duplicate Unified Social Credit
Codes, a second participation of a delegation in one edition, a second settlement of an
enterprise for one participation, a settlement status other than confirmed or intended."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from delegations import uscc
from delegations.models import Delegation, Enterprise
from tests.factories import (
    DelegationFactory,
    EnterpriseFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    SettlementFactory,
    valid_uscc,
)
from tests.factories.integrity import violates

# A valid code: 9 (market regulation), 1 (enterprise), 350100 (Fuzhou), M000100Y4, check character 3.
VALID_USCC = "91350100M000100Y43"
USCC_MESSAGE = "A Unified Social Credit Code has 18 characters: digits and capital letters other than I, O, S, V, Z."
# VALID_USCC with a check character that does not match: kept, with a warning.
FAILING_CHECK_USCC = "91350100M000100Y44"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory",
    [DelegationFactory, EnterpriseFactory, ParticipationFactory, SettlementFactory, PromotionalActivityFactory],
)
def test_factories_create_valid_rows(factory):
    factory().full_clean()


@pytest.mark.django_db
def test_participation_factory_registers_enterprises():
    zkh, dow = EnterpriseFactory(name="ZKH Industrial Supply Co"), EnterpriseFactory(name="Dow")

    participation = ParticipationFactory(enterprises=[zkh, dow])

    assert list(participation.enterprises.order_by("name")) == [dow, zkh]


@pytest.mark.django_db
def test_delegation_cannot_be_created_as_its_own_parent():
    # An insert naming its own id as parent: the trigger finds no ancestors yet, the check refuses it.
    with violates("delegation_not_own_parent"):
        DelegationFactory(id=1000, parent_id=1000)


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_delegation_cannot_become_its_own_ancestor(depth):
    """Re-parenting the root of a chain of ``depth`` delegations under its last descendant
    would close a cycle of that length: the trigger refuses it."""
    chain = [DelegationFactory()]
    for _ in range(depth - 1):
        chain.append(DelegationFactory(parent=chain[-1]))
    root = chain[0]
    root.parent = chain[-1]

    # A trigger, not a constraint: both databases report its message, which starts with its name.
    with (
        pytest.raises(IntegrityError, match=r"^delegation_not_own_ancestor: a delegation cannot be its own ancestor"),
        transaction.atomic(),
    ):
        root.save()

    root.refresh_from_db()
    assert root.parent is None


@pytest.mark.django_db
def test_delegation_may_move_within_the_tree_without_a_cycle():
    shanghai = DelegationFactory(name="Shanghai trading delegation")
    qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=shanghai)
    town = DelegationFactory(name="Zhujiajiao Town delegation", parent=qingpu)
    town.parent = shanghai

    town.save()

    assert Delegation.objects.get(pk=town.pk).parent == shanghai


@pytest.mark.django_db
def test_enterprise_country_must_be_iso_3166():
    with violates("enterprise_country_iso3166"):
        EnterpriseFactory(country="ZZ")


@pytest.mark.django_db
def test_enterprise_with_valid_uscc_is_saved():
    enterprise = EnterpriseFactory(uscc=VALID_USCC)

    assert Enterprise.objects.get(uscc=VALID_USCC) == enterprise


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y4", id="17 characters"),
        pytest.param("91350100m000100Y43", id="lowercase"),
        pytest.param("91350100I000100Y43", id="I"),
        pytest.param("91350100O000100Y43", id="O"),
        pytest.param("91350100S000100Y43", id="S"),
        pytest.param("91350100V000100Y43", id="V"),
        pytest.param("91350100Z000100Y43", id="Z"),
    ],
)
def test_enterprise_uscc_must_be_well_formed(code):
    with violates("enterprise_uscc_valid"):
        EnterpriseFactory(uscc=code)


@pytest.mark.django_db
def test_an_enterprise_whose_uscc_check_character_fails_is_kept_with_a_warning():
    enterprise = EnterpriseFactory(uscc=FAILING_CHECK_USCC)

    enterprise.full_clean()
    assert Enterprise.objects.values_list("uscc", "uscc_check_valid").get(pk=enterprise.pk) == (
        FAILING_CHECK_USCC,
        False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "check_valid"),
    [(VALID_USCC, True), (FAILING_CHECK_USCC, False), ("", None)],
    ids=["valid", "failing", "none"],
)
def test_the_uscc_warning_follows_the_code_when_it_changes(code, check_valid):
    enterprise = EnterpriseFactory(uscc="91310118000000001X")  # any other code
    enterprise.uscc = code

    enterprise.save(update_fields=["uscc"])

    assert Enterprise.objects.get(pk=enterprise.pk).uscc_check_valid is check_valid


@pytest.mark.django_db
def test_enterprise_uscc_may_be_empty():
    enterprise = EnterpriseFactory(uscc="")

    assert enterprise.uscc == ""


@pytest.mark.django_db
def test_enterprise_uscc_is_unique():
    EnterpriseFactory(uscc=VALID_USCC)

    with violates("enterprise_uscc_unique", unique_columns=("delegations_enterprise.uscc",)):
        EnterpriseFactory(uscc=VALID_USCC)


@pytest.mark.django_db
def test_enterprises_without_uscc_do_not_clash():
    EnterpriseFactory(uscc="")
    EnterpriseFactory(uscc="")

    assert Enterprise.objects.filter(uscc="").count() == 2


@pytest.mark.django_db
def test_participation_is_one_per_delegation_and_edition():
    first = ParticipationFactory()

    with violates(
        "participation_one_per_delegation_edition",
        unique_columns=("delegations_participation.delegation_id", "delegations_participation.edition_id"),
    ):
        ParticipationFactory(delegation=first.delegation, edition=first.edition)


@pytest.mark.django_db
def test_settlement_is_one_per_enterprise_and_participation():
    first = SettlementFactory(status="intended")

    with violates(
        "settlement_one_per_enterprise_participation",
        unique_columns=("delegations_settlement.participation_id", "delegations_settlement.enterprise_id"),
    ):
        SettlementFactory(participation=first.participation, enterprise=first.enterprise, status="confirmed")


@pytest.mark.django_db
def test_settlement_status_is_confirmed_or_intended():
    with violates("settlement_status_valid"):
        SettlementFactory(status="rumoured")


@pytest.mark.django_db
def test_full_clean_reports_invalid_uscc_on_the_field():
    enterprise = EnterpriseFactory.build(uscc="91350100M000100Y4O")

    with pytest.raises(ValidationError) as raised:
        enterprise.full_clean()

    assert raised.value.message_dict == {"uscc": [USCC_MESSAGE]}


@pytest.mark.django_db
def test_uscc_constraint_reports_its_message():
    enterprise = EnterpriseFactory.build(uscc="91350100M000100Y4O")

    with pytest.raises(ValidationError) as raised:
        enterprise.validate_constraints()

    assert raised.value.message_dict == {"__all__": [USCC_MESSAGE]}


@pytest.mark.django_db
def test_full_clean_reports_duplicate_uscc():
    EnterpriseFactory(uscc=VALID_USCC)
    enterprise = EnterpriseFactory.build(uscc=VALID_USCC)

    with pytest.raises(ValidationError) as raised:
        enterprise.full_clean()

    assert raised.value.message_dict == {"__all__": ["Another enterprise has this Unified Social Credit Code."]}


@pytest.mark.django_db
def test_full_clean_reports_unknown_country_as_a_field_error():
    # The field's choices catch the value first; Django then skips constraints on that field.
    enterprise = EnterpriseFactory.build(country="ZZ")

    with pytest.raises(ValidationError) as raised:
        enterprise.full_clean()

    assert raised.value.message_dict == {"country": ["Value 'ZZ' is not a valid choice."]}


@pytest.mark.django_db
def test_constraint_validation_reports_unknown_country():
    enterprise = EnterpriseFactory.build(country="ZZ")

    with pytest.raises(ValidationError) as raised:
        enterprise.validate_constraints()

    assert raised.value.messages == ["Country must be an ISO 3166-1 alpha-2 code, such as CN or US."]


def test_uscc_check_character_completes_a_code():
    assert uscc.check_character("91350100M000100Y4") == "3"


def test_uscc_check_character_of_zero_value_code_is_zero():
    assert uscc.check_character("00000000000000000") == "0"


def test_uscc_is_valid_accepts_a_correct_code():
    assert uscc.is_valid(VALID_USCC) is True


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y44", id="wrong check character"),
        pytest.param("91350100M000100Y4", id="17 characters"),
        pytest.param("91350100M000100Y433", id="19 characters"),
        pytest.param("", id="empty"),
        pytest.param("91350100m000100Y43", id="lowercase"),
        pytest.param("91350100I000100Y43", id="I"),
        pytest.param("91350100O000100Y43", id="O"),
    ],
)
def test_uscc_is_valid_refuses(code):
    assert uscc.is_valid(code) is False


def test_a_failing_check_character_is_well_formed_but_does_not_match():
    assert (uscc.is_well_formed(FAILING_CHECK_USCC), uscc.check_character_matches(FAILING_CHECK_USCC)) == (True, False)
    assert (uscc.is_well_formed(VALID_USCC), uscc.check_character_matches(VALID_USCC)) == (True, True)


def test_validate_refuses_only_a_malformed_code():
    uscc.validate(FAILING_CHECK_USCC)
    uscc.validate("")
    with pytest.raises(ValidationError) as refused:
        uscc.validate("91350100M000100Y4O")

    assert (refused.value.code, refused.value.messages) == ("invalid_uscc", [USCC_MESSAGE])


def test_uscc_every_other_last_character_is_wrong():
    first17 = VALID_USCC[:17]

    assert [char for char in uscc.ALPHABET if uscc.is_valid(first17 + char)] == ["3"]


def test_valid_uscc_helper_makes_a_qingpu_code():
    assert valid_uscc(1) == "913101180000000017"


def test_valid_uscc_helper_makes_distinct_valid_codes():
    codes = [valid_uscc(n) for n in range(1000)]

    assert len(set(codes)) == 1000
    assert all(uscc.is_valid(code) for code in codes)


def test_valid_uscc_helper_refuses_numbers_beyond_nine_digits():
    with pytest.raises(ValueError, match=r"^n must be from 0 to 999,999,999, not 1000000000\.$"):
        valid_uscc(10**9)


def codes_for_every_check_character() -> list[str]:
    """The first valid code (from :func:`valid_uscc`) ending in each of the 31 check characters."""
    by_check: dict[str, str] = {}
    n = 0
    while len(by_check) < len(uscc.ALPHABET):
        code = valid_uscc(n)
        by_check.setdefault(code[-1], code)
        n += 1
    return sorted(by_check.values(), key=lambda code: uscc.ALPHABET.index(code[-1]))


@pytest.mark.django_db
def test_database_accepts_a_valid_code_for_every_check_character():
    # The constraint is uscc.is_well_formed rewritten in SQL: every check character is in the alphabet.
    for code in codes_for_every_check_character():
        EnterpriseFactory(uscc=code)

    assert "".join(code[-1] for code in Enterprise.objects.order_by("id").values_list("uscc", flat=True)) == (
        uscc.ALPHABET
    )


@pytest.mark.django_db
def test_database_keeps_every_check_character_off_by_one_with_the_warning():
    for code in codes_for_every_check_character():
        EnterpriseFactory(uscc=code[:17] + uscc.ALPHABET[(uscc.ALPHABET.index(code[-1]) + 1) % len(uscc.ALPHABET)])

    assert set(Enterprise.objects.values_list("uscc_check_valid", flat=True)) == {False}
    assert Enterprise.objects.count() == 31


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "a", "-", " "])
def test_database_refuses_each_character_outside_the_alphabet_at_every_position(char):
    code = valid_uscc(1)
    refused = 0
    for position in range(18):
        try:
            with transaction.atomic():
                EnterpriseFactory(uscc=code[:position] + char + code[position + 1 :])
        except IntegrityError:
            refused += 1

    assert (refused, Enterprise.objects.count()) == (18, 0)
