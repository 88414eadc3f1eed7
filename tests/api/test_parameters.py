"""Strict parameters and no server errors: every query parameter of every list endpoint, given
malformed values, answers 200 or a 400 naming it; pagination is capped, not refused; malformed
bodies are 400s naming what is wrong."""

from decimal import Decimal

import django_filters
import pytest
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from deals.models import Deal, Market
from framework.api.fieldsets import SELECTION_PARAMETERS
from framework.api.pagination import LimitOffsetPagination
from tests.api.collection import VIEWSETS, errors
from tests.factories import (
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
    PromotionalActivityFactory,
    ReportedFigureFactory,
    SettlementFactory,
)

pytestmark = pytest.mark.django_db

PARAMETERS = [
    (basename, name)
    for basename, viewset in VIEWSETS.items()
    for name in [*viewset.filterset_class.base_filters, "limit", "offset", *SELECTION_PARAMETERS]
]
SINGLE_VALUED = [
    (basename, name)
    for basename, name in PARAMETERS
    if name in {"limit", "offset", *SELECTION_PARAMETERS}
    or name not in VIEWSETS[basename].filterset_class.multi_value_parameters()
]
MULTI_VALUED = [
    (basename, name)
    for basename, viewset in VIEWSETS.items()
    for name in sorted(viewset.filterset_class.multi_value_parameters())
]

MALFORMED = (
    "",
    "abc",
    "\x00",
    "1" + "0" * 400,
    "NaN",
    "Infinity",
    "-1",
    "1.5",
    "1e400",
    "9" * 30,
    "x" * 10_000,
    "2023-13-45",
)


@pytest.fixture
def rows():
    """A row in every table, so filters run against data."""
    deal = DealFactory(markets=[MarketFactory()])
    DealLineItemFactory(deal=deal)
    SettlementFactory()
    PromotionalActivityFactory()
    ReportedFigureFactory()
    ExchangeRateFactory()


def test_every_collection_is_covered():
    assert sorted(VIEWSETS) == sorted(
        [
            "activity",
            "category",
            "deal",
            "delegation",
            "edition",
            "enterprise",
            "exchange-rate",
            "expo",
            "figure-statement",
            "market",
            "participation",
            "reported-figure",
            "settlement",
            "source",
            "venue",
        ]
    )


@pytest.mark.parametrize(("basename", "parameter"), PARAMETERS, ids=[f"{b}-{p}" for b, p in PARAMETERS])
def test_malformed_values_are_a_200_or_a_400_naming_the_parameter(anon, rows, basename, parameter):
    offenders = []
    for value in MALFORMED:
        response = anon.get(reverse(f"{basename}-list"), {parameter: value})
        if response.status_code == 400:
            attrs = {error["attr"] for error in response.json()["errors"]}
            if attrs != {parameter}:
                offenders.append((repr(value[:20]), 400, attrs))
        elif response.status_code != 200:
            offenders.append((repr(value[:20]), response.status_code, response.content[:200]))
    assert offenders == []


# Filters of text (a search, a city) take an empty value as no filter; any other filter refuses it.
TEXT_FILTERS = [
    (basename, name)
    for basename, viewset in VIEWSETS.items()
    for name, filter_ in viewset.filterset_class.base_filters.items()
    if isinstance(filter_, django_filters.CharFilter)
]
TYPED_FILTERS = [
    (basename, name)
    for basename, viewset in VIEWSETS.items()
    for name, filter_ in viewset.filterset_class.base_filters.items()
    if not isinstance(filter_, django_filters.CharFilter)
]


@pytest.mark.parametrize(("basename", "parameter"), TYPED_FILTERS, ids=[f"{b}-{p}" for b, p in TYPED_FILTERS])
def test_an_empty_value_of_a_filter_other_than_text_is_a_400_naming_it(anon, basename, parameter):
    filter_ = VIEWSETS[basename].filterset_class.base_filters[parameter]
    code = "invalid_choice" if isinstance(filter_, django_filters.MultipleChoiceFilter) else "empty"
    response = anon.get(reverse(f"{basename}-list"), {parameter: ""})
    assert (response.status_code, errors(response)) == (400, [(code, parameter)])


def test_an_empty_value_says_to_give_one_or_leave_the_parameter_out(anon):
    response = anon.get(reverse("deal-list"), {"updated_since": ""})
    assert response.json()["errors"] == [
        {"code": "empty", "detail": "Give a value, or leave the parameter out.", "attr": "updated_since"}
    ]


@pytest.mark.parametrize("value", [",", "id,", ",id", "id,,updated_at"])
@pytest.mark.parametrize("basename", sorted(VIEWSETS))
def test_an_ordering_with_an_empty_name_is_a_400_naming_it(anon, basename, value):
    response = anon.get(reverse(f"{basename}-list"), {"ordering": value})
    assert response.json()["errors"] == [
        {
            "code": "invalid_field_list",
            "detail": "Give field names separated by commas, e.g. -updated_at,id.",
            "attr": "ordering",
        }
    ]


@pytest.mark.parametrize("name", ["stats-deals", "stats-funnel", "deal-export-csv", "ocds-releases", "deletion-list"])
def test_an_ordering_with_an_empty_name_is_a_400_beyond_the_collections(anon, name):
    response = anon.get(reverse(name), {"ordering": "-id,"})
    assert (response.status_code, errors(response)) == (400, [("invalid_field_list", "ordering")])


@pytest.mark.parametrize(("basename", "parameter"), TEXT_FILTERS, ids=[f"{b}-{p}" for b, p in TEXT_FILTERS])
def test_a_text_longer_than_a_filter_takes_is_a_400_naming_it(anon, basename, parameter):
    longest = VIEWSETS[basename].filterset_class.base_filters[parameter].extra["max_length"]
    assert longest in (18, 100, 200)

    response = anon.get(reverse(f"{basename}-list"), {parameter: "x" * (longest + 1)})

    assert (response.status_code, errors(response)) == (400, [("max_length", parameter)])
    assert anon.get(reverse(f"{basename}-list"), {parameter: "x" * longest}).status_code == 200


@pytest.mark.parametrize(("basename", "parameter"), TEXT_FILTERS, ids=[f"{b}-{p}" for b, p in TEXT_FILTERS])
def test_an_empty_value_of_a_text_filter_filters_nothing(anon, rows, basename, parameter):
    everything = anon.get(reverse(f"{basename}-list")).json()
    assert anon.get(reverse(f"{basename}-list"), {parameter: ""}).json() == everything


@pytest.mark.parametrize(("basename", "parameter"), SINGLE_VALUED, ids=[f"{b}-{p}" for b, p in SINGLE_VALUED])
def test_a_single_valued_parameter_given_twice_is_a_400(anon, basename, parameter):
    response = anon.get(reverse(f"{basename}-list"), {parameter: ["1", "1"]})
    assert response.status_code == 400
    assert errors(response) == [("repeated_parameter", parameter)]


@pytest.mark.parametrize(("basename", "parameter"), MULTI_VALUED, ids=[f"{b}-{p}" for b, p in MULTI_VALUED])
def test_a_multi_valued_parameter_may_repeat(anon, basename, parameter):
    choices = [value for value, _ in VIEWSETS[basename].filterset_class.base_filters[parameter].extra["choices"]]
    response = anon.get(reverse(f"{basename}-list"), {parameter: choices[:2]})
    assert response.status_code == 200


def test_an_id_beyond_the_column_is_one_400_naming_it(anon):
    response = anon.get(reverse("deal-list"), {"buyer": "1" + "0" * 400})
    assert response.json()["errors"] == [
        {
            "code": "max_value",
            "detail": "Ensure this value is less than or equal to 9223372036854775807.",
            "attr": "buyer",
        }
    ]


def test_an_id_below_1_is_one_400_naming_it(anon):
    response = anon.get(reverse("deal-list"), {"delegation": "0"})
    assert response.json()["errors"] == [
        {"code": "min_value", "detail": "Ensure this value is greater than or equal to 1.", "attr": "delegation"}
    ]


def test_an_amount_with_too_many_digits_is_one_400_naming_it(anon):
    response = anon.get(reverse("deal-list"), {"value_usd_min": "1e400"})
    assert response.json()["errors"] == [
        {
            "code": "max_digits",
            "detail": "Ensure that there are no more than 20 digits in total.",
            "attr": "value_usd_min",
        }
    ]


def test_an_amount_with_more_than_two_decimal_places_is_one_400_naming_it(anon):
    response = anon.get(reverse("deal-list"), {"value_usd_min": "-1e-05"})
    assert response.json()["errors"] == [
        {
            "code": "max_decimal_places",
            "detail": "Ensure that there are no more than 2 decimal places.",
            "attr": "value_usd_min",
        }
    ]


def test_several_unknown_parameters_are_each_named(anon):
    response = anon.get(reverse("deal-list"), {"nosuch": "1", "stage": "signed", "page": "2"})
    assert sorted(errors(response)) == [("unknown_parameter", "nosuch"), ("unknown_parameter", "page")]


def test_a_parameter_that_differs_only_in_case_is_unknown(anon):
    assert errors(anon.get(reverse("deal-list"), {"Stage": "signed"})) == [("unknown_parameter", "Stage")]


@pytest.mark.parametrize("pk", ["0", "-1", "abc", "9" * 30, "1" + "0" * 400])
@pytest.mark.parametrize("basename", sorted(VIEWSETS))
def test_detail_of_an_impossible_id_is_a_404(anon, basename, pk):
    assert anon.get(reverse(f"{basename}-detail", kwargs={"pk": pk})).status_code == 404


# Pagination


@pytest.fixture
def sixty_markets() -> list[int]:
    Market.objects.bulk_create(Market(name=f"Market {n:02d}") for n in range(60))
    return list(Market.objects.order_by("name").values_list("pk", flat=True))


@pytest.mark.parametrize("value", ["abc", "-1", "0", "NaN", "1e3", "", "1.5", "+5"])
def test_a_malformed_limit_is_a_400_naming_limit(anon, value):
    response = anon.get(reverse("market-list"), {"limit": value})
    assert (response.status_code, errors(response)) == (400, [("invalid", "limit")])


@pytest.mark.parametrize("value", ["abc", "-1", "NaN", "1e3", "", "1.5"])
def test_a_malformed_offset_is_a_400_naming_offset(anon, value):
    response = anon.get(reverse("market-list"), {"offset": value})
    assert (response.status_code, errors(response)) == (400, [("invalid", "offset")])


def test_the_default_page_is_50_rows(anon, sixty_markets):
    body = anon.get(reverse("market-list")).json()
    assert (body["count"], len(body["results"]), body["next"], body["previous"]) == (
        60,
        50,
        "http://testserver/api/markets/?limit=50&offset=50",
        None,
    )


def test_limit_and_offset_select_a_window(anon, sixty_markets):
    body = anon.get(reverse("market-list"), {"limit": "10", "offset": "20"}).json()
    assert ([row["id"] for row in body["results"]], body["next"], body["previous"]) == (
        sixty_markets[20:30],
        "http://testserver/api/markets/?limit=10&offset=30",
        "http://testserver/api/markets/?limit=10&offset=10",
    )


def test_a_limit_above_the_maximum_is_capped_not_refused(anon, sixty_markets):
    body = anon.get(reverse("market-list"), {"limit": "100000"}).json()
    assert ([row["id"] for row in body["results"]], body["next"]) == (sixty_markets, None)


@pytest.mark.parametrize(
    ("given", "used"), [("100000", 1000), ("1001", 1000), ("1000", 1000), ("999", 999), ("9" * 30, 1000), (None, 50)]
)
def test_the_paginator_caps_limit_at_1000(given, used):
    query = {} if given is None else {"limit": given}
    request = Request(APIRequestFactory().get("/api/deals/", query))
    assert LimitOffsetPagination().get_limit(request) == used


def test_an_offset_past_the_end_is_an_empty_page(anon, sixty_markets):
    response = anon.get(reverse("market-list"), {"offset": "1000"})
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (60, [])


def test_a_huge_offset_is_an_empty_page(anon, sixty_markets):
    response = anon.get(reverse("market-list"), {"offset": "9" * 30})
    assert (response.status_code, response.json()["results"]) == (200, [])


# Bodies


@pytest.fixture
def deal_payload() -> dict:
    return {
        "title": "Organo-silicon products procurement order",
        "buyer": EnterpriseFactory().pk,
        "seller": EnterpriseFactory().pk,
        "delegation": DelegationFactory().pk,
        "edition": EditionFactory().pk,
        "value": {"amount": "300000000.00", "currency": "USD"},
    }


def test_the_deal_payload_is_valid(admin_api, deal_payload):
    assert admin_api.post(reverse("deal-list"), deal_payload).status_code == 201


def test_invalid_json_is_a_400_parse_error(admin_api):
    response = admin_api.post(reverse("deal-list"), data='{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"
    assert errors(response) == [("parse_error", None)]


def test_a_json_array_body_is_a_400(admin_api):
    response = admin_api.post(reverse("deal-list"), data="[]", content_type="application/json")
    assert (response.status_code, errors(response)) == (400, [("invalid", "non_field_errors")])


def test_a_form_encoded_body_is_a_415(admin_api):
    response = admin_api.post(reverse("deal-list"), data="title=x", content_type="application/x-www-form-urlencoded")
    assert (response.status_code, errors(response)) == (415, [("unsupported_media_type", None)])


def test_a_title_too_long_is_a_400_naming_title(admin_api, deal_payload):
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "title": "x" * 10_000})
    assert (response.status_code, errors(response)) == (400, [("max_length", "title")])


@pytest.mark.parametrize("amount", ["1e400", "1" + "0" * 30, 10**30, "NaN", "Infinity", "0.001"])
def test_an_amount_out_of_range_is_a_400_naming_value_amount(admin_api, deal_payload, amount):
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": amount, "currency": "USD"}})
    assert response.status_code == 400
    assert {attr for _, attr in errors(response)} == {"value.amount"}


def test_an_amount_out_of_range_creates_nothing(admin_api, deal_payload):
    admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": "1e400", "currency": "USD"}})
    assert Deal.objects.count() == 0


def test_the_largest_amount_allowed_is_kept_exactly(admin_api, deal_payload):
    # 15 significant digits: what every database, SQLite's floats included, keeps exactly.
    amount = "9999999999999.99"
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": amount, "currency": "USD"}})
    assert response.status_code == 201
    assert (response.json()["value"]["amount"], Deal.objects.get().value_usd) == (amount, Decimal(amount))


@pytest.mark.parametrize("amount", ["10000000000000.00", "123456789012345.67", "9" * 18 + ".99"])
def test_an_amount_above_the_largest_is_a_400_naming_value_amount(admin_api, deal_payload, amount):
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": amount, "currency": "USD"}})
    assert (response.status_code, errors(response)) == (400, [("max_value", "value.amount")])
    assert Deal.objects.count() == 0


def test_an_amount_of_fifteen_digits_is_kept_exactly(admin_api, deal_payload):
    amount = "1234567890123.45"
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": amount, "currency": "USD"}})
    assert response.json()["value"]["amount"] == amount


def test_an_unknown_currency_is_a_400_naming_value_currency(admin_api, deal_payload):
    response = admin_api.post(reverse("deal-list"), {**deal_payload, "value": {"amount": "1.00", "currency": "XYZ"}})
    assert (response.status_code, errors(response)) == (400, [("invalid_choice", "value.currency")])


# Methods


@pytest.mark.parametrize("name", ["deal-history", "deal-detail", "deal-ocds"])
def test_a_method_a_route_does_not_take_is_a_405_whatever_the_query(admin_api, name):
    url = reverse(name, kwargs={"pk": DealFactory().pk})

    response = admin_api.generic("TRACE", f"{url}?limit=50&offset=0")

    assert (response.status_code, errors(response)) == (405, [("method_not_allowed", None)])
    assert "TRACE" not in response["Allow"]


@pytest.mark.parametrize(
    "name",
    ["deal-list", "deal-export-csv", "ocds-releases", "stats-deals", "stats-funnel", "token-list", "deletion-list"],
)
def test_a_put_to_a_route_that_takes_none_is_a_405_not_a_400_about_its_query(admin_api, name):
    response = admin_api.put(f"{reverse(name)}?unknown=1", {})

    assert (response.status_code, errors(response)) == (405, [("method_not_allowed", None)])


# Times


def test_an_offset_beyond_what_postgresql_takes_is_applied_before_the_query(anon):
    MarketFactory()
    # 16:20 ahead of UTC: PostgreSQL refuses the offset itself; in UTC it is the day before.
    ahead = anon.get(reverse("market-list"), {"updated_since": "3000-01-01T08:00:00+16:20"})
    in_utc = anon.get(reverse("market-list"), {"updated_since": "2999-12-31T15:40:00Z"})

    assert (ahead.status_code, ahead.json()) == (200, in_utc.json())
    assert ahead.json()["count"] == 0


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:00-01:00"])
@pytest.mark.parametrize("name", ["market-list", "deal-list", "deletion-list"])
def test_a_time_outside_the_years_1_to_9999_in_utc_is_a_400_naming_it(anon, name, value):
    response = anon.get(reverse(name), {"updated_since": value})
    assert response.json()["errors"] == [
        {
            "code": "out_of_range",
            "detail": "Out of range: in UTC it is before year 1 or after 9999.",
            "attr": "updated_since",
        }
    ]
