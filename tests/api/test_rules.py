"""The models' rules reach the API as 400s in their own words, naming the field where there is one
(``non_field_errors`` for a rule of the whole record), and the database never has to refuse a write."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    ExpoFactory,
    FigureStatementFactory,
    ParticipationFactory,
    ReportedFigureFactory,
    SourceFactory,
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


def test_a_reported_figure_is_about_a_delegation_or_an_enterprise_not_both(admin_api):
    response = admin_api.post(
        reverse("reported-figure-list"),
        {
            "edition": EditionFactory().pk,
            "delegation": DelegationFactory().pk,
            "enterprise": EnterpriseFactory().pk,
            "metric": "trading_volume",
        },
    )
    assert refusal(response) == [
        ("non_field_errors", "A figure is about a delegation or an enterprise at an edition, not both.")
    ]


ARTICLE = "Ten activities to promote the district were held during the expo. More followed."


@pytest.mark.parametrize(
    ("quote", "value", "attr", "detail"),
    [
        (
            "Ten activities to promote the district were held during the expo.",
            "10",
            None,
            None,
        ),
        (
            "Eleven activities to promote the district were held during the expo.",
            "11",
            "quote",
            "The quote does not occur in the source's stored text.",
        ),
        (
            "Ten activities to promote the district were held during the expo.",
            "12",
            "value",
            "The quote does not state 12 (exact): it states Ten (exact).",
        ),
        ("More followed.", "2", "quote", "The quote states no number."),
    ],
)
def test_a_statements_quote_must_be_in_its_source_and_state_its_value(admin_api, quote, value, attr, detail):
    figure = ReportedFigureFactory(metric="promotional_activities", unit="activities", statement=False)
    response = admin_api.post(
        reverse("figure-statement-list"),
        {
            "figure": figure.pk,
            "value": value,
            "qualifier": "exact",
            "quote": quote,
            "source": SourceFactory(text=ARTICLE).pk,
        },
    )
    if attr is None:
        assert response.status_code == 201, response.json()
        return
    assert refusal(response) == [(attr, detail)]


def test_changing_a_statements_value_is_checked_against_its_quote(admin_api):
    statement = FigureStatementFactory(value=Decimal("2130000000"), quote="surpassing US$2.13 billion")
    response = admin_api.patch(reverse("figure-statement-detail", args=[statement.pk]), {"value": "2140000000"})
    assert refusal(response) == [
        ("value", "The quote does not state 2140000000 (more_than): it states surpassing US$2.13 billion (more_than).")
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
