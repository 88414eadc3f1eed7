"""Writing and reading deals through the API: USD valuation, the rules a deal keeps, what a
response embeds, and what the public may see."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal, ExchangeRate
from tests.api.collection import errors
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
)

pytestmark = pytest.mark.django_db

SIXTH_CIIE_START = datetime.date(2023, 11, 5)


@pytest.fixture
def edition():
    return EditionFactory(
        number=6,
        name="6th CIIE",
        name_zh="第六届进博会",
        start_date=SIXTH_CIIE_START,
        end_date=datetime.date(2023, 11, 10),
    )


@pytest.fixture
def parties() -> dict[str, Any]:
    return {
        "buyer": EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行", country="CN"),
        "seller": EnterpriseFactory(name="Dow", name_zh="陶氏", country="US"),
        "delegation": DelegationFactory(name="Qingpu District trading delegation", name_zh="青浦区交易分团"),
    }


@pytest.fixture
def payload(edition, parties) -> dict[str, Any]:
    """A valid create request for a EUR deal signed on the first day of the 6th CIIE."""
    return {
        "title": "Organo-silicon products procurement order",
        "buyer": parties["buyer"].pk,
        "seller": parties["seller"].pk,
        "delegation": parties["delegation"].pk,
        "edition": edition.pk,
        "value": {"amount": "1000.00", "currency": "EUR"},
        "signed_on": "2023-11-05",
    }


@pytest.fixture
def eur_rate():
    return ExchangeRate.objects.create(currency="EUR", date=SIXTH_CIIE_START, rate_to_usd=Decimal("1.0850000000"))


def deal_url(deal_id: int) -> str:
    return reverse("deal-detail", kwargs={"pk": deal_id})


def create(client, payload: dict[str, Any]):
    return client.post(reverse("deal-list"), payload)


# Valuation in USD


def test_create_values_the_deal_in_usd_at_the_rate_of_its_signing_date(admin_api, payload, eur_rate):
    body = create(admin_api, payload).json()
    assert (body["value"], body["value_usd"], body["usd_rate"], body["usd_rate_date"]) == (
        {"amount": "1000.00", "currency": "EUR"},
        {"amount": "1085.00", "currency": "USD"},
        "1.0850000000",
        "2023-11-05",
    )


def test_create_stores_the_usd_value_it_answers_with(admin_api, payload, eur_rate):
    deal = Deal.objects.get(pk=create(admin_api, payload).json()["id"])
    assert (deal.amount, deal.currency, deal.value_usd, deal.usd_rate, deal.usd_rate_date) == (
        Decimal("1000.00"),
        "EUR",
        Decimal("1085.00"),
        Decimal("1.0850000000"),
        SIXTH_CIIE_START,
    )


def test_create_takes_the_latest_rate_before_the_signing_date(admin_api, payload):
    ExchangeRate.objects.create(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0600000000"))
    ExchangeRate.objects.create(currency="EUR", date=datetime.date(2023, 11, 6), rate_to_usd=Decimal("1.0900000000"))
    body = create(admin_api, payload).json()
    assert (body["value_usd"]["amount"], body["usd_rate"], body["usd_rate_date"]) == (
        "1060.00",
        "1.0600000000",
        "2023-11-01",
    )


def test_create_without_a_rate_is_a_400_naming_currency_and_date(admin_api, payload):
    response = create(admin_api, payload)
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "exchange_rate_missing",
                "detail": "No exchange rate for EUR on or before 2023-11-05: add one to value this deal in USD.",
                "attr": "currency",
            }
        ],
    }


def test_create_without_a_rate_creates_nothing(admin_api, payload):
    create(admin_api, payload)
    assert Deal.objects.count() == 0


def test_a_rate_of_another_currency_does_not_value_a_deal(admin_api, payload):
    ExchangeRateFactory(currency="JPY", date=SIXTH_CIIE_START)
    assert errors(create(admin_api, payload)) == [("exchange_rate_missing", "currency")]


def test_usd_needs_no_rate(admin_api, payload):
    response = create(admin_api, {**payload, "value": {"amount": "300000000.00", "currency": "USD"}})
    assert response.status_code == 201
    body = response.json()
    assert (body["value_usd"], body["usd_rate"], body["usd_rate_date"]) == (
        {"amount": "300000000.00", "currency": "USD"},
        "1.0000000000",
        None,
    )


def test_patch_of_the_value_revalues_the_deal(admin_api, payload, eur_rate):
    deal_id = create(admin_api, {**payload, "value": {"amount": "300000000.00", "currency": "USD"}}).json()["id"]
    response = admin_api.patch(deal_url(deal_id), {"value": {"amount": "2000.00", "currency": "EUR"}})
    assert response.status_code == 200
    body = response.json()
    assert (body["value"], body["value_usd"], body["usd_rate"], body["usd_rate_date"]) == (
        {"amount": "2000.00", "currency": "EUR"},
        {"amount": "2170.00", "currency": "USD"},
        "1.0850000000",
        "2023-11-05",
    )


def test_patch_of_the_signing_date_revalues_the_deal_at_that_date(admin_api, payload, eur_rate):
    ExchangeRate.objects.create(currency="EUR", date=datetime.date(2023, 11, 8), rate_to_usd=Decimal("1.1000000000"))
    deal_id = create(admin_api, payload).json()["id"]
    body = admin_api.patch(deal_url(deal_id), {"signed_on": "2023-11-09"}).json()
    assert (body["value_usd"]["amount"], body["usd_rate_date"]) == ("1100.00", "2023-11-08")


def test_patch_to_a_currency_without_a_rate_is_a_400_and_changes_nothing(admin_api, payload, eur_rate):
    deal_id = create(admin_api, payload).json()["id"]
    response = admin_api.patch(deal_url(deal_id), {"value": {"amount": "1000.00", "currency": "GBP"}})
    assert (response.status_code, errors(response)) == (400, [("exchange_rate_missing", "currency")])
    deal = Deal.objects.get(pk=deal_id)
    assert (deal.currency, deal.value_usd) == ("EUR", Decimal("1085.00"))


def test_patch_of_the_title_leaves_markets_and_line_items_alone(admin_api):
    market = MarketFactory()
    deal = DealFactory(markets=[market])
    item = DealLineItemFactory(deal=deal)
    response = admin_api.patch(deal_url(deal.pk), {"title": "Renamed order"})
    assert response.status_code == 200
    assert (list(deal.markets.all()), list(deal.line_items.all())) == ([market], [item])


def test_read_only_fields_sent_in_a_write_are_ignored(admin_api, payload, eur_rate):
    started = timezone.now()
    response = create(
        admin_api,
        {
            **payload,
            "id": 4242,
            "value_usd": {"amount": "1.00", "currency": "USD"},
            "usd_rate": "9.0000000000",
            "usd_rate_date": "2001-01-01",
            "is_first_deal": True,
            "created_at": "2001-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201
    deal = Deal.objects.get()
    assert (deal.pk != 4242, deal.value_usd, deal.usd_rate, deal.usd_rate_date, deal.first_deal_of) == (
        True,
        Decimal("1085.00"),
        Decimal("1.0850000000"),
        SIXTH_CIIE_START,
        None,
    )
    assert deal.created_at >= started


# The rules a deal keeps


def test_buyer_and_seller_must_differ(admin_api, payload, eur_rate):
    response = create(admin_api, {**payload, "seller": payload["buyer"]})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "A deal's buyer and seller must be different enterprises.",
            "attr": "non_field_errors",
        }
    ]


def test_buyer_as_seller_creates_nothing(admin_api, payload, eur_rate):
    create(admin_api, {**payload, "seller": payload["buyer"]})
    assert Deal.objects.count() == 0


def test_patch_making_the_seller_the_buyer_is_refused(admin_api):
    deal = DealFactory()
    response = admin_api.patch(deal_url(deal.pk), {"seller": deal.buyer_id})
    assert (response.status_code, errors(response)) == (400, [("invalid", "non_field_errors")])
    deal.refresh_from_db()
    assert deal.seller_id != deal.buyer_id


def test_create_without_first_deal_of_is_not_a_first_deal(admin_api, payload, eur_rate):
    body = create(admin_api, payload).json()
    assert (body["first_deal_of"], body["is_first_deal"]) == (None, False)


def test_first_deal_of_a_delegation_above_the_deals_own(admin_api, payload, parties, eur_rate):
    shanghai = DelegationFactory(name="Shanghai trading delegation")
    qingpu = parties["delegation"]
    qingpu.parent = shanghai
    qingpu.save()
    body = create(admin_api, {**payload, "first_deal_of": shanghai.pk}).json()
    assert (body["first_deal_of"], body["is_first_deal"]) == (
        {"id": shanghai.pk, "name": "Shanghai trading delegation", "name_zh": ""},
        True,
    )


def test_first_deal_of_an_unrelated_delegation_is_refused(admin_api, payload, eur_rate):
    response = create(admin_api, {**payload, "first_deal_of": DelegationFactory().pk})
    assert response.json()["errors"] == [
        {
            "code": "first_deal_of_outside_lineage",
            "detail": "Must be the deal's own delegation or a delegation above it.",
            "attr": "first_deal_of",
        }
    ]


def test_a_second_first_deal_of_a_delegation_at_an_edition_is_refused(admin_api, payload, parties, eur_rate):
    delegation = parties["delegation"].pk
    assert create(admin_api, {**payload, "first_deal_of": delegation}).status_code == 201
    response = create(admin_api, {**payload, "first_deal_of": delegation})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "This delegation already has a first deal at this edition.",
            "attr": "non_field_errors",
        }
    ]


def test_a_line_item_with_a_malformed_hs_code_is_refused_naming_it(admin_api, payload, eur_rate):
    items = [
        {"product": "Organo-silicon products", "category": CategoryFactory().pk, "hs_code": "391000"},
        {"product": "Silicone rubber", "category": CategoryFactory().pk, "hs_code": "39A"},
    ]
    response = create(admin_api, {**payload, "line_items": items})
    assert (response.status_code, errors(response)) == (400, [("invalid", "line_items.1.hs_code")])


# Markets and line items


def test_markets_are_replaced_on_write(admin_api):
    electronics, packaging, new_energy = MarketFactory.create_batch(3)
    deal = DealFactory(markets=[electronics, packaging])
    response = admin_api.patch(deal_url(deal.pk), {"markets": [new_energy.pk]})
    assert response.status_code == 200
    assert list(deal.markets.all()) == [new_energy]


def test_an_empty_market_list_clears_the_markets(admin_api):
    deal = DealFactory(markets=MarketFactory.create_batch(2))
    admin_api.patch(deal_url(deal.pk), {"markets": []})
    assert list(deal.markets.all()) == []


def test_line_items_are_replaced_on_write(admin_api):
    deal = DealFactory()
    DealLineItemFactory.create_batch(2, deal=deal)
    category = CategoryFactory()
    response = admin_api.patch(
        deal_url(deal.pk),
        {"line_items": [{"product": "Silicone rubber", "category": category.pk, "amount": "5000.00"}]},
    )
    assert response.status_code == 200
    assert list(deal.line_items.values_list("product", "category", "hs_code", "amount")) == [
        ("Silicone rubber", category.pk, "", Decimal("5000.00"))
    ]


# What a response shows


def test_response_embeds_parties_delegation_and_edition(admin_api, payload, parties, edition, eur_rate):
    body = create(admin_api, payload).json()
    assert {name: body[name] for name in ("buyer", "seller", "delegation", "edition")} == {
        "buyer": {"id": parties["buyer"].pk, "name": "ZKH Industrial Supply Co", "name_zh": "震坤行", "country": "CN"},
        "seller": {"id": parties["seller"].pk, "name": "Dow", "name_zh": "陶氏", "country": "US"},
        "delegation": {
            "id": parties["delegation"].pk,
            "name": "Qingpu District trading delegation",
            "name_zh": "青浦区交易分团",
        },
        "edition": {"id": edition.pk, "name": "6th CIIE", "name_zh": "第六届进博会", "number": 6},
    }


def test_response_embeds_markets_and_line_items(admin_api, payload, eur_rate):
    market = MarketFactory(name="Electronics", name_zh="电子")
    category = CategoryFactory(name="Organo-silicon products", name_zh="有机硅产品")
    body = create(
        admin_api,
        {
            **payload,
            "markets": [market.pk],
            "line_items": [{"product": "Silicone", "category": category.pk, "hs_code": "3910", "amount": "10.50"}],
        },
    ).json()
    assert (body["markets"], [{k: v for k, v in item.items() if k != "id"} for item in body["line_items"]]) == (
        [{"id": market.pk, "name": "Electronics", "name_zh": "电子"}],
        [
            {
                "product": "Silicone",
                "category": {"id": category.pk, "name": "Organo-silicon products", "name_zh": "有机硅产品"},
                "hs_code": "3910",
                "amount": "10.50",
            }
        ],
    )


def test_money_is_decimal_strings_with_a_currency(anon):
    deal = DealFactory(amount=Decimal("1000000.00"), currency="CNY", usd_rate=Decimal("0.1371"))
    body = anon.get(deal_url(deal.pk)).json()
    assert (body["value"], body["value_usd"], body["usd_rate"]) == (
        {"amount": "1000000.00", "currency": "CNY"},
        {"amount": "137100.00", "currency": "USD"},
        "0.1371000000",
    )


# What the public sees


def test_anonymous_list_shows_only_published_deals_past_any_embargo(anon):
    published = DealFactory(is_published=True)
    past_embargo = DealFactory(embargo_until=timezone.now() - datetime.timedelta(minutes=1))
    DealFactory(is_published=False)
    DealFactory(embargo_until=timezone.now() + datetime.timedelta(days=1))
    results = anon.get(reverse("deal-list")).json()["results"]
    assert sorted(row["id"] for row in results) == sorted([published.pk, past_embargo.pk])


@pytest.mark.parametrize(
    "hidden",
    [{"is_published": False}, {"embargo_until": datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)}],
    ids=["unpublished", "embargoed"],
)
def test_anonymous_retrieve_of_a_hidden_deal_is_404(anon, hidden):
    deal = DealFactory(**hidden)
    assert anon.get(deal_url(deal.pk)).status_code == 404


def test_a_signed_in_user_sees_unpublished_and_embargoed_deals(admin_api):
    deals = [DealFactory(is_published=False), DealFactory(embargo_until=timezone.now() + datetime.timedelta(days=1))]
    results = admin_api.get(reverse("deal-list")).json()["results"]
    assert sorted(row["id"] for row in results) == sorted(deal.pk for deal in deals)


def test_deal_list_queries_stay_within_four_plus_one_per_many_to_many(anon, django_assert_max_num_queries):
    for _ in range(20):
        deal = DealFactory(markets=MarketFactory.create_batch(2))
        DealLineItemFactory.create_batch(2, deal=deal)
    # At most four, plus one for each many-to-many a row renders (markets, line items).
    with django_assert_max_num_queries(4 + 2):
        response = anon.get(reverse("deal-list"))
    assert len(response.json()["results"]) == 20


def test_put_without_markets_and_line_items_clears_them(admin_api):
    deal = DealFactory(markets=MarketFactory.create_batch(2))
    DealLineItemFactory(deal=deal)
    body = {
        "title": "Replaced",
        "buyer": deal.buyer_id,
        "seller": deal.seller_id,
        "delegation": deal.delegation_id,
        "edition": deal.edition_id,
        "value": {"amount": "10.00", "currency": "USD"},
    }

    response = admin_api.put(deal_url(deal.pk), body)

    assert response.status_code == 200
    assert (response.json()["markets"], response.json()["line_items"]) == ([], [])
    assert (deal.markets.count(), deal.line_items.count()) == (0, 0)


def test_a_search_of_more_than_ten_words_is_a_400_naming_search(admin_api):
    response = admin_api.get(reverse("deal-list"), {"search": " ".join(["word"] * 11)})

    assert (response.status_code, errors(response)) == (400, [("too_many_words", "search")])


# A value no source gives, and the USD value a source states


def test_a_deal_whose_value_no_source_gives_is_created_with_no_value(admin_api, payload):
    response = create(admin_api, {**payload, "value": None})
    assert response.status_code == 201
    body = response.json()
    assert (body["value"], body["stated_value_usd"], body["value_usd"], body["usd_rate"]) == (None, None, None, None)
    assert (body["usd_rate_date"], body["usd_rate_source"]) == (None, "")
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency, deal.value_usd) == (None, "", None)


def test_a_value_can_be_removed_and_given_again(admin_api, payload, eur_rate):
    deal_id = create(admin_api, payload).json()["id"]
    removed = admin_api.patch(deal_url(deal_id), {"value": None}, format="json").json()
    assert (removed["value"], removed["value_usd"], removed["usd_rate_source"]) == (None, None, "")
    given = admin_api.patch(deal_url(deal_id), {"value": {"amount": "10.00", "currency": "EUR"}}, format="json").json()
    assert (given["value_usd"], given["usd_rate_source"]) == ({"amount": "10.85", "currency": "USD"}, "table")


def test_the_usd_value_the_source_states_is_the_value_with_its_rate(admin_api, payload):
    # "1.7 million yuan (US$261,538)": valued without a rate in the table.
    response = create(
        admin_api,
        {
            **payload,
            "value": {"amount": "1700000.00", "currency": "CNY"},
            "stated_value_usd": {"amount": "261538.00", "currency": "USD"},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert {name: body[name] for name in ("stated_value_usd", "value_usd", "usd_rate", "usd_rate_date")} == {
        "stated_value_usd": {"amount": "261538.00", "currency": "USD"},
        "value_usd": {"amount": "261538.00", "currency": "USD"},
        "usd_rate": "0.1538458824",
        "usd_rate_date": None,
    }
    assert body["usd_rate_source"] == "stated"


def test_a_stated_value_wins_over_the_table_and_without_it_the_table_rate_is_used(admin_api, payload, eur_rate):
    stated = {**payload, "stated_value_usd": {"amount": "1100.00", "currency": "USD"}}
    deal_id = create(admin_api, stated).json()["id"]
    body = admin_api.get(deal_url(deal_id)).json()
    assert (body["value_usd"]["amount"], body["usd_rate"], body["usd_rate_source"]) == (
        "1100.00",
        "1.1000000000",
        "stated",
    )
    body = admin_api.patch(deal_url(deal_id), {"stated_value_usd": None}, format="json").json()
    assert (body["value_usd"]["amount"], body["usd_rate"], body["usd_rate_date"], body["usd_rate_source"]) == (
        "1085.00",
        "1.0850000000",
        "2023-11-05",
        "table",
    )


@pytest.mark.parametrize(
    ("value", "stated", "code", "attr"),
    [
        pytest.param(
            {"amount": "1000.00", "currency": "EUR"},
            {"amount": "10850.00", "currency": "USD"},
            "stated_value_usd_invalid",
            "stated_value_usd",
            id="ten times the table's rate",
        ),
        pytest.param(
            {"amount": "1000.00", "currency": "USD"},
            {"amount": "1000.00", "currency": "USD"},
            "stated_value_usd_invalid",
            "stated_value_usd",
            id="a USD deal",
        ),
        pytest.param(
            None,
            {"amount": "1000.00", "currency": "USD"},
            "stated_value_usd_invalid",
            "stated_value_usd",
            id="no value",
        ),
        pytest.param(
            {"amount": "1000.00", "currency": "EUR"},
            {"amount": "1000.00", "currency": "EUR"},
            "invalid_choice",
            "stated_value_usd.currency",
            id="not in USD",
        ),
        pytest.param(
            {"amount": "1000.00", "currency": "EUR"},
            {"amount": "0.00", "currency": "USD"},
            "min_value",
            "stated_value_usd.amount",
            id="zero",
        ),
    ],
)
def test_an_implausible_stated_value_is_a_400_naming_it(admin_api, payload, eur_rate, value, stated, code, attr):
    response = admin_api.post(
        reverse("deal-list"), {**payload, "value": value, "stated_value_usd": stated}, format="json"
    )
    assert (response.status_code, errors(response)) == (400, [(code, attr)])
    assert Deal.objects.count() == 0


def test_the_value_filters_leave_out_deals_with_no_value(anon):
    small, big = DealFactory(amount=Decimal("10.00")), DealFactory(amount=Decimal("1000.00"))
    unvalued = DealFactory(amount=None)

    def ids(params: dict) -> list[int]:
        return [deal["id"] for deal in anon.get(reverse("deal-list"), params).json()["results"]]

    assert ids({"value_usd_min": "0", "ordering": "id"}) == [small.pk, big.pk]
    assert ids({"value_usd_max": "100000", "ordering": "id"}) == [small.pk, big.pk]
    assert ids({"has_value": "false"}) == [unvalued.pk]
    assert ids({"has_value": "true", "ordering": "id"}) == [small.pk, big.pk]
    # Unknown values come last, whichever the direction.
    assert ids({"ordering": "value_usd"}) == [small.pk, big.pk, unvalued.pk]
    assert ids({"ordering": "-value_usd"}) == [big.pk, small.pk, unvalued.pk]
