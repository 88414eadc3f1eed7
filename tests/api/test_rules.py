"""The models' rules reach the API as 400s in their own words, naming the field where there is one
(``non_field_errors`` for a rule of the whole record), and the database never has to refuse a write."""

import pytest
from django.urls import reverse

from tests.factories import (
    DelegationFactory,
    EditionFactory,
    ExchangeRateFactory,
    ExpoFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


def refusal(response) -> list[tuple[str, str]]:
    assert response.status_code == 400
    return [(error["attr"], error["detail"]) for error in response.json()["errors"]]


def test_an_edition_number_is_unique_within_its_expo(admin_api):
    sixth = EditionFactory(number=6)
    response = admin_api.post(reverse("edition-list"), {"expo": sixth.expo_id, "number": 6})
    assert refusal(response) == [("non_field_errors", "This expo already has an edition with this number.")]


def test_renumbering_an_edition_onto_another_is_refused(admin_api):
    sixth = EditionFactory(number=6)
    fifth = EditionFactory(expo=sixth.expo, number=5)
    response = admin_api.patch(reverse("edition-detail", kwargs={"pk": fifth.pk}), {"number": 6})
    assert refusal(response) == [("non_field_errors", "This expo already has an edition with this number.")]


def test_the_same_number_in_another_expo_is_allowed(admin_api):
    EditionFactory(number=6)
    assert admin_api.post(reverse("edition-list"), {"expo": ExpoFactory().pk, "number": 6}).status_code == 201


def test_an_edition_cannot_end_before_it_starts(admin_api):
    edition = EditionFactory()
    response = admin_api.patch(reverse("edition-detail", kwargs={"pk": edition.pk}), {"end_date": "2000-01-01"})
    assert refusal(response) == [("non_field_errors", "An edition cannot end before it starts.")]


def test_one_participation_per_delegation_and_edition(admin_api):
    existing = ParticipationFactory()
    response = admin_api.post(
        reverse("participation-list"), {"delegation": existing.delegation_id, "edition": existing.edition_id}
    )
    assert refusal(response) == [("non_field_errors", "This delegation already has a participation in this edition.")]


def test_one_exchange_rate_per_currency_and_date(admin_api):
    rate = ExchangeRateFactory(currency="EUR")
    response = admin_api.post(
        reverse("exchange-rate-list"), {"currency": "EUR", "date": rate.date.isoformat(), "rate_to_usd": "1.08"}
    )
    assert refusal(response) == [("non_field_errors", "There is already a rate for this currency on this date.")]


def test_an_exchange_rate_must_be_positive(admin_api):
    response = admin_api.post(
        reverse("exchange-rate-list"), {"currency": "EUR", "date": "2023-11-05", "rate_to_usd": "0"}
    )
    assert refusal(response) == [("non_field_errors", "An exchange rate must be greater than zero.")]


def test_a_reported_figure_has_a_currency_or_a_unit_not_both(admin_api):
    response = admin_api.post(
        reverse("reported-figure-list"),
        {"metric": "trading_volume", "value": "1000000000", "currency": "USD", "unit": "orders", "quote": "…"},
    )
    assert refusal(response) == [
        ("non_field_errors", "A figure has a currency (for money) or a unit (for counts), not both.")
    ]


@pytest.mark.parametrize("new_parent", ["itself", "its child", "its grandchild"])
def test_a_delegation_cannot_become_its_own_ancestor(admin_api, new_parent):
    shanghai = DelegationFactory()
    qingpu = DelegationFactory(parent=shanghai)
    zhujiajiao = DelegationFactory(parent=qingpu)
    parent = {"itself": shanghai, "its child": qingpu, "its grandchild": zhujiajiao}[new_parent]
    response = admin_api.patch(reverse("delegation-detail", kwargs={"pk": shanghai.pk}), {"parent": parent.pk})
    assert refusal(response) == [("parent", "A delegation cannot be its own ancestor.")]


def test_an_enterprise_uscc_must_be_well_formed(admin_api):
    response = admin_api.post(reverse("enterprise-list"), {"name": "ZKH", "uscc": "91310118000000001O"})
    assert refusal(response) == [
        ("uscc", "A Unified Social Credit Code has 18 characters: digits and capital letters other than I, O, S, V, Z.")
    ]


def test_an_enterprise_uscc_with_a_failing_check_character_is_kept_with_the_warning(admin_api):
    response = admin_api.post(reverse("enterprise-list"), {"name": "ZKH", "uscc": "91310118000000001X"})

    assert response.status_code == 201
    assert (response.json()["uscc"], response.json()["uscc_check_valid"]) == ("91310118000000001X", False)
