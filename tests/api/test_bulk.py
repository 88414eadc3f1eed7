"""Bulk writes (POST /api/deals/bulk/, /api/enterprises/bulk/): many creates and changes in one
request, each checked and recorded as its single write would be, all written or none."""

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deals import services
from deals.models import Deal, DealLineItem
from delegations.models import Enterprise
from framework.models import IdempotencyKey
from tests.api.collection import errors
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    MarketFactory,
    admin,
    analyst,
    editor,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

DEALS_BULK = reverse("deal-bulk")
ENTERPRISES_BULK = reverse("enterprise-bulk")


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def user():
    return admin(username="bulk-writer")


@pytest.fixture
def api(user) -> APIClient:
    return client_of(user)


@pytest.fixture
def shanghai():
    return DelegationFactory(name="Shanghai trading delegation")


@pytest.fixture
def qingpu(shanghai):
    return DelegationFactory(name="Qingpu District trading delegation", parent=shanghai)


@pytest.fixture
def zhejiang():
    return DelegationFactory(name="Zhejiang trading delegation")


@pytest.fixture
def edition():
    return EditionFactory(
        number=6, name="6th CIIE", start_date=datetime.date(2023, 11, 5), end_date=datetime.date(2023, 11, 10)
    )


@pytest.fixture
def zkh():
    return EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")


@pytest.fixture
def dow():
    return EnterpriseFactory(name="Dow", country="US")


@pytest.fixture
def new_deal(edition, zkh, dow, qingpu):
    """A valid item creating a USD deal of Qingpu at the 6th CIIE, with ``changes`` applied."""

    def make(title: str, **changes) -> dict[str, Any]:
        return {
            "title": title,
            "buyer": zkh.pk,
            "seller": dow.pk,
            "delegation": qingpu.pk,
            "edition": edition.pk,
            "value": {"amount": "300000000.00", "currency": "USD"},
        } | changes

    return make


def deal_titles() -> list[str]:
    return sorted(Deal.objects.values_list("title", flat=True))


def as_get_renders(client: APIClient, results: list[dict], basename: str) -> list[dict]:
    return [client.get(reverse(f"{basename}-detail", args=[row["id"]])).json() for row in results]


# Creating and changing deals


def test_a_bulk_create_of_three_deals_creates_them_and_answers_as_get_renders_them(api, new_deal):
    items = [new_deal("First order"), new_deal("Second order"), new_deal("Third order")]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"]) == (3, 0)
    assert [row["title"] for row in body["results"]] == ["First order", "Second order", "Third order"]
    assert body["results"] == as_get_renders(api, body["results"], "deal")
    assert sorted(row["id"] for row in body["results"]) == sorted(Deal.objects.values_list("pk", flat=True))
    assert "ETag" not in response


def test_one_bad_item_writes_nothing_and_the_400_names_it(api, new_deal, zkh):
    items = [new_deal("First order"), new_deal("Self-dealing", seller=zkh.pk), new_deal("Third order")]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "invalid",
                "detail": "A deal's buyer and seller must be different enterprises.",
                "attr": "items.1.non_field_errors",
            }
        ],
    }
    assert Deal.objects.count() == 0


def test_a_missing_exchange_rate_is_the_error_of_its_item(api, new_deal):
    items = [new_deal("USD order"), new_deal("EUR order", value={"amount": "1000.00", "currency": "EUR"})]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "exchange_rate_missing",
            "detail": "No exchange rate for EUR on or before 2023-11-10: add one to value this deal in USD.",
            "attr": "items.1.currency",
        }
    ]
    assert Deal.objects.count() == 0


def test_the_errors_of_every_bad_item_are_reported_in_item_order(api, new_deal, zkh):
    category = CategoryFactory()
    items = [
        new_deal("Fine"),
        new_deal("", line_items=[{"product": "Silicones", "category": category.pk, "hs_code": "391"}]),
        new_deal("Fine too"),
        new_deal("Self-dealing", seller=zkh.pk),
    ]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 400
    assert errors(response) == [
        ("blank", "items.1.title"),
        ("invalid", "items.1.line_items.0.hs_code"),
        ("invalid", "items.3.non_field_errors"),
    ]
    assert Deal.objects.count() == 0


def test_line_item_errors_name_the_item_and_the_line(api, new_deal):
    category = CategoryFactory()
    lines = [
        {"product": "Silicones", "category": category.pk},
        {"product": "Resins", "category": category.pk, "hs_code": "391"},
    ]

    response = api.post(DEALS_BULK, {"items": [new_deal("Fine"), new_deal("Bad line", line_items=lines)]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid", "detail": "An HS code has 2, 4, 6, 8 or 10 digits.", "attr": "items.1.line_items.1.hs_code"}
    ]
    assert (Deal.objects.count(), DealLineItem.objects.count()) == (0, 0)


def test_each_item_takes_its_own_markets_and_line_items(api, new_deal):
    electronics, packaging = MarketFactory(name="Electronics"), MarketFactory(name="Packaging")
    silicones = CategoryFactory(name="Organo-silicon products")
    items = [
        new_deal(
            "With both",
            markets=[electronics.pk, packaging.pk],
            line_items=[{"product": "Organo-silicon products", "category": silicones.pk, "hs_code": "391000"}],
        ),
        new_deal("With none"),
    ]

    body = api.post(DEALS_BULK, {"items": items}).json()

    first, second = (Deal.objects.get(pk=row["id"]) for row in body["results"])
    assert sorted(first.markets.values_list("name", flat=True)) == ["Electronics", "Packaging"]
    assert list(first.line_items.values_list("product", "category__name", "hs_code")) == [
        ("Organo-silicon products", "Organo-silicon products", "391000")
    ]
    assert (second.markets.count(), second.line_items.count()) == (0, 0)
    assert body["results"][0]["line_items"][0]["category"] == {
        "id": silicones.pk,
        "name": "Organo-silicon products",
        "name_zh": "",
    }


def test_creates_and_changes_mix_and_a_change_writes_only_the_fields_sent(api, new_deal, qingpu):
    deal = DealFactory(delegation=qingpu, title="Old title", description="Kept", amount=Decimal("5.00"))
    market = MarketFactory()

    response = api.post(
        DEALS_BULK, {"items": [new_deal("New order"), {"id": deal.pk, "title": "New title", "markets": [market.pk]}]}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert [row["title"] for row in body["results"]] == ["New order", "New title"]
    assert body["results"][1]["id"] == deal.pk
    assert body["results"] == as_get_renders(api, body["results"], "deal")
    deal.refresh_from_db()
    assert (deal.title, deal.description, deal.amount, list(deal.markets.all())) == (
        "New title",
        "Kept",
        Decimal("5.00"),
        [market],
    )


def test_a_change_revalues_the_deal_in_usd_as_a_patch_does(api):
    ExchangeRateFactory(currency="EUR", date=datetime.date(2018, 1, 1), rate_to_usd=Decimal("1.1000000000"))
    deal = DealFactory()

    body = api.post(DEALS_BULK, {"items": [{"id": deal.pk, "value": {"amount": "100.00", "currency": "EUR"}}]}).json()

    assert (body["results"][0]["value_usd"], body["results"][0]["usd_rate"]) == (
        {"amount": "110.00", "currency": "USD"},
        "1.1000000000",
    )


def test_an_item_sees_the_rows_of_the_items_before_it(api, new_deal, qingpu):
    # Only one deal can be a delegation's first at an edition: the second claim is refused.
    items = [new_deal("First", first_deal_of=qingpu.pk), new_deal("Also first", first_deal_of=qingpu.pk)]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "This delegation already has a first deal at this edition.",
            "attr": "items.1.non_field_errors",
        }
    ]
    assert Deal.objects.count() == 0


def test_an_integrity_error_is_the_error_of_its_item_not_a_500(api, new_deal, monkeypatch):
    create = services.deal_create

    def refused_by_the_database(**kwargs):
        if kwargs["title"] == "Raced":
            raise IntegrityError("duplicate key value violates unique constraint")
        return create(**kwargs)

    monkeypatch.setattr(services, "deal_create", refused_by_the_database)

    response = api.post(DEALS_BULK, {"items": [new_deal("Fine"), new_deal("Raced"), new_deal("Fine too")]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "integrity_error",
            "detail": "The change conflicts with data already stored.",
            "attr": "items.1.non_field_errors",
        }
    ]
    assert Deal.objects.count() == 0


# The ids of changes


def test_an_unknown_id_a_malformed_id_and_a_repeated_id_are_item_errors(api):
    deal = DealFactory(title="Untouched")
    items = [
        {"id": deal.pk, "title": "Changed"},
        {"id": 987654321, "title": "Nowhere"},
        {"id": "seven", "title": "Malformed"},
        {"id": deal.pk, "title": "Again"},
        {"id": None},
        {"id": 2**63, "title": "Beyond any id"},
    ]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "not_found", "detail": "No record with this id that you may change.", "attr": "items.1.id"},
        {"code": "invalid", "detail": "A valid integer is required.", "attr": "items.2.id"},
        {"code": "duplicate", "detail": "Item 0 already changes this record: send each id once.", "attr": "items.3.id"},
        {"code": "null", "detail": "This field may not be null.", "attr": "items.4.id"},
        {
            "code": "max_value",
            "detail": "Ensure this value is less than or equal to 9223372036854775807.",
            "attr": "items.5.id",
        },
    ]
    assert Deal.objects.get().title == "Untouched"


# The body


@pytest.mark.parametrize(
    ("body", "error"),
    [
        pytest.param({"items": []}, ("empty", "This list may not be empty.", "items"), id="no-items"),
        pytest.param({}, ("required", "This field is required.", "items"), id="no-items-key"),
        pytest.param(
            {"items": {"title": "x"}},
            ("not_a_list", 'Expected a list of items but got type "dict".', "items"),
            id="items-not-a-list",
        ),
        pytest.param(
            [{"title": "x"}],
            ("invalid", "Invalid data. Expected a dictionary, but got list.", "non_field_errors"),
            id="body-not-an-object",
        ),
    ],
)
def test_a_malformed_body_is_a_400_naming_what_is_wrong(api, body, error):
    response = api.post(DEALS_BULK, body)

    assert response.status_code == 400
    assert [(e["code"], e["detail"], e["attr"]) for e in response.json()["errors"]] == [error]


def test_a_missing_body_is_a_400_asking_for_items(api):
    response = api.post(DEALS_BULK, content_type="application/json")

    assert (response.status_code, errors(response)) == (400, [("required", "items")])


def test_an_item_that_is_not_an_object_is_named(api, new_deal):
    response = api.post(DEALS_BULK, {"items": [new_deal("Fine"), "a deal", None, [1]]})

    assert response.status_code == 400
    assert [(error["code"], error["attr"], error["detail"]) for error in response.json()["errors"]] == [
        ("not_an_object", "items.1", "Expected an object of the record's fields, not a string."),
        ("not_an_object", "items.2", "Expected an object of the record's fields, not null."),
        ("not_an_object", "items.3", "Expected an object of the record's fields, not an array."),
    ]
    assert Deal.objects.count() == 0


# Who may write


@pytest.mark.parametrize(
    ("client", "status", "code"),
    [
        pytest.param(lambda: APIClient(), 401, "not_authenticated", id="anonymous"),
        pytest.param(lambda: client_of(analyst()), 403, "permission_denied", id="analyst"),
    ],
)
@pytest.mark.parametrize("url", [DEALS_BULK, ENTERPRISES_BULK], ids=["deals", "enterprises"])
def test_the_public_and_analysts_write_nothing(new_deal, client, status, code, url):
    item = new_deal("Refused") if url == DEALS_BULK else {"name": "Refused", "country": "CN"}

    response = client().post(url, {"items": [item]})

    assert (response.status_code, errors(response)) == (status, [(code, None)])
    assert Deal.objects.filter(title="Refused").count() + Enterprise.objects.filter(name="Refused").count() == 0


def test_an_editor_creates_and_changes_deals_of_their_delegations(new_deal, shanghai, qingpu):
    own = DealFactory(delegation=qingpu, title="Ours")
    client = client_of(editor(shanghai))

    response = client.post(DEALS_BULK, {"items": [new_deal("Qingpu order"), {"id": own.pk, "title": "Still ours"}]})

    assert response.status_code == 200, response.json()
    assert deal_titles() == ["Qingpu order", "Still ours"]


def test_an_editor_creating_outside_their_delegations_is_refused_on_that_item(new_deal, shanghai, zhejiang):
    client = client_of(editor(shanghai))

    response = client.post(
        DEALS_BULK, {"items": [new_deal("Qingpu order"), new_deal("Theirs", delegation=zhejiang.pk)]}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "out_of_scope", "detail": "Not one of the delegations you edit.", "attr": "items.1.delegation"}
    ]
    assert Deal.objects.count() == 0


def test_an_editor_moving_a_deal_out_of_their_delegations_is_refused_on_that_item(shanghai, qingpu, zhejiang):
    own = DealFactory(delegation=qingpu)
    client = client_of(editor(shanghai))

    response = client.post(DEALS_BULK, {"items": [{"id": own.pk, "delegation": zhejiang.pk}]})

    assert (response.status_code, errors(response)) == (400, [("out_of_scope", "items.0.delegation")])
    assert Deal.objects.get().delegation == qingpu


def test_a_deal_outside_an_editors_delegations_does_not_exist_for_their_changes(new_deal, shanghai, zhejiang):
    # Published, so the editor can read it; still not theirs to change.
    theirs = DealFactory(delegation=zhejiang, title="Theirs", is_published=True)
    client = client_of(editor(shanghai))

    response = client.post(DEALS_BULK, {"items": [new_deal("Qingpu order"), {"id": theirs.pk, "title": "Mine"}]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "not_found", "detail": "No record with this id that you may change.", "attr": "items.1.id"}
    ]
    assert deal_titles() == ["Theirs"]


def test_editors_create_enterprises_in_bulk(shanghai):
    user = editor(shanghai)

    response = client_of(user).post(ENTERPRISES_BULK, {"items": [{"name": "Qingpu Silicones", "country": "CN"}]})

    assert (response.status_code, response.json()["created"]) == (200, 1)
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["Qingpu Silicones"]
    assert Enterprise.objects.get().history.get().history_user == user


def test_editors_do_not_change_enterprises_in_bulk(shanghai):
    enterprise = EnterpriseFactory(name="Before")

    response = client_of(editor(shanghai)).post(
        ENTERPRISES_BULK,
        {"items": [{"name": "Qingpu Silicones", "country": "CN"}, {"id": enterprise.pk, "name": "After"}]},
    )

    assert (response.status_code, errors(response)) == (403, [("permission_denied", None)])
    assert list(Enterprise.objects.values_list("name", flat=True)) == ["Before"]


# History and idempotency


def test_every_deal_written_is_recorded_with_the_caller_and_the_reason(api, user, new_deal):
    market = MarketFactory()
    changed = DealFactory(title="Before")

    body = api.post(
        DEALS_BULK, {"items": [new_deal("New order", markets=[market.pk]), {"id": changed.pk, "title": "After"}]}
    ).json()

    created = Deal.objects.get(pk=body["results"][0]["id"])
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in created.history.all()] == [
        ("~", user, "bulk"),  # its markets
        ("+", user, "bulk"),
    ]
    latest = changed.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason, latest.title) == (
        "~",
        user,
        "bulk",
        "After",
    )


def test_every_enterprise_written_is_recorded_with_the_caller_and_the_reason(api, user):
    changed = EnterpriseFactory(name="Before")

    body = api.post(
        ENTERPRISES_BULK, {"items": [{"name": "New", "country": "CN"}, {"id": changed.pk, "name": "After"}]}
    )

    created = Enterprise.objects.get(pk=body.json()["results"][0]["id"])
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in created.history.all()] == [
        ("+", user, "bulk")
    ]
    latest = changed.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason, latest.name) == (
        "~",
        user,
        "bulk",
        "After",
    )


def test_a_single_write_after_a_bulk_one_records_no_reason(api, new_deal):
    deal = DealFactory()
    api.post(DEALS_BULK, {"items": [{"id": deal.pk, "title": "In bulk"}]})

    api.patch(reverse("deal-detail", args=[deal.pk]), {"title": "Alone"})

    assert deal.history.latest().history_change_reason is None


def test_an_idempotent_retry_answers_the_first_response_and_writes_once(api, new_deal):
    body = {"items": [new_deal("First order"), new_deal("Second order")]}

    first = api.post(DEALS_BULK, body, HTTP_IDEMPOTENCY_KEY="bulk-42")
    retry = api.post(DEALS_BULK, body, HTTP_IDEMPOTENCY_KEY="bulk-42")

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert deal_titles() == ["First order", "Second order"]


def test_a_refused_bulk_write_does_not_use_up_its_key(api, new_deal, zkh):
    refused = api.post(DEALS_BULK, {"items": [new_deal("Bad", seller=zkh.pk)]}, HTTP_IDEMPOTENCY_KEY="k")
    accepted = api.post(DEALS_BULK, {"items": [new_deal("Good")]}, HTTP_IDEMPOTENCY_KEY="k")

    assert (refused.status_code, accepted.status_code) == (400, 200)
    assert IdempotencyKey.objects.get().response_status == 200
    assert deal_titles() == ["Good"]


# Enterprises and limits


def test_a_repeated_uscc_within_one_request_is_the_error_of_the_second_item(api):
    uscc = valid_uscc(42)
    items = [
        {"name": "Qingpu Silicones Co., Ltd.", "country": "CN", "uscc": uscc},
        {"name": "Qingpu Resins Co., Ltd.", "country": "CN", "uscc": uscc},
    ]

    response = api.post(ENTERPRISES_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "unique",
            "detail": "enterprise with this Unified Social Credit Code already exists.",
            "attr": "items.1.uscc",
        }
    ]
    assert Enterprise.objects.count() == 0


def test_enterprises_are_created_and_changed_and_answered_as_get_renders_them(api):
    changed = EnterpriseFactory(name="Old name", industry="Kept")

    response = api.post(
        ENTERPRISES_BULK,
        {"items": [{"name": "Dow", "country": "US"}, {"id": changed.pk, "name": "New name"}]},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert body["results"] == as_get_renders(api, body["results"], "enterprise")
    assert Enterprise.objects.values_list("name", "industry").get(pk=changed.pk) == ("New name", "Kept")


def test_a_thousand_items_are_accepted(api):
    items = [{"name": f"Enterprise {n}", "country": "CN"} for n in range(1000)]

    response = api.post(ENTERPRISES_BULK, {"items": items})

    assert response.status_code == 200
    assert (response.json()["created"], len(response.json()["results"])) == (1000, 1000)
    assert Enterprise.objects.count() == 1000


def test_a_thousand_and_one_items_are_refused(api):
    items = [{"name": f"Enterprise {n}", "country": "CN"} for n in range(1001)]

    response = api.post(ENTERPRISES_BULK, {"items": items})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "max_length", "detail": "Ensure this field has no more than 1000 elements.", "attr": "items"}
    ]
    assert Enterprise.objects.count() == 0


# Cost


def creates_and_changes(new_deal, count: int) -> list[dict]:
    """``count`` creates with a market and a line item, then ``count`` changes of a title."""
    category, market = CategoryFactory(), MarketFactory()
    line_items = [{"product": "Organo-silicon products", "category": category.pk}]
    creates = [new_deal(f"Order {n}", markets=[market.pk], line_items=line_items) for n in range(count)]
    changes = [{"id": deal.pk, "title": f"Changed {deal.pk}"} for deal in DealFactory.create_batch(count)]
    return creates + changes


def queries_of(client, method: str, url: str, body: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = getattr(client, method)(url, body)
    assert response.status_code < 300, response.json()
    return len(context.captured_queries)


def test_each_item_costs_a_fixed_number_of_queries_no_more_than_its_single_write(api, new_deal):
    one, two, five = (
        queries_of(api, "post", DEALS_BULK, {"items": creates_and_changes(new_deal, n)}) for n in (1, 2, 5)
    )
    create, change = creates_and_changes(new_deal, 1)
    single = queries_of(api, "post", reverse("deal-list"), create) + queries_of(
        api, "patch", reverse("deal-detail", args=[change.pop("id")]), change
    )

    per_pair = two - one
    assert five - one == 4 * per_pair
    assert per_pair <= single


def test_changed_deals_are_locked_in_id_order(api, postgresql_only):
    deals = DealFactory.create_batch(3)

    with CaptureQueriesContext(connection) as context:
        api.post(DEALS_BULK, {"items": [{"id": deal.pk, "title": "Locked"} for deal in reversed(deals)]})

    locks = [query["sql"] for query in context.captured_queries if "FOR UPDATE" in query["sql"]]
    assert len(locks) == 1
    assert re.search(r"ORDER BY .+ ASC FOR UPDATE$", locks[0])
    assert deal_titles() == ["Locked"] * 3


def test_a_bulk_create_costs_a_fixed_number_of_queries_whatever_the_number_of_deals(api, new_deal):
    category, market = CategoryFactory(), MarketFactory()
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0700000000"))
    line_items = [{"product": "Organo-silicon products", "category": category.pk}]

    def creates(count: int) -> dict:
        value = {"amount": "1000.00", "currency": "EUR"}
        items = [new_deal(f"Order {n}", markets=[market.pk], line_items=line_items, value=value) for n in range(count)]
        return {"items": items}

    # One read per kind of record the items name (enterprises, delegation, edition, market, category)
    # and of the EUR rates; one insert per table written (deals, market links, line items and the
    # history of each); the read-back. Up to 30 deals fit one insert even on SQLite, whose
    # statements take the fewest parameters: more take an insert per table per batch.
    assert [queries_of(api, "post", DEALS_BULK, creates(count)) for count in (1, 10, 30)] == [22, 22, 22]


def test_every_deal_of_a_bulk_create_has_the_history_a_single_create_records(api, user, new_deal):
    electronics = MarketFactory(name="Electronics")
    silicones = CategoryFactory(name="Organo-silicon products")
    lines = [{"product": "Silicone sealant", "category": silicones.pk, "hs_code": "391000"}]
    items = [new_deal("With a market", markets=[electronics.pk], line_items=lines), new_deal("Without")]

    body = api.post(DEALS_BULK, {"items": items}).json()

    with_market, without = (Deal.objects.get(pk=row["id"]) for row in body["results"])
    rows = [
        (r.history_type, r.history_user, r.history_change_reason, r.title, [m.market_id for m in r.markets.all()])
        for r in with_market.history.all()
    ]
    assert rows == [
        ("~", user, "bulk", "With a market", [electronics.pk]),
        ("+", user, "bulk", "With a market", []),
    ]
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in without.history.all()] == [
        ("+", user, "bulk")
    ]
    (line,) = with_market.line_items.all()
    assert [
        (r.history_type, r.history_user, r.history_change_reason, r.product, r.deal_id, r.category_id)
        for r in line.history.all()
    ] == [("+", user, "bulk", "Silicone sealant", with_market.pk, silicones.pk)]
    assert with_market.history.get(history_type="+").value_usd == Decimal("300000000.00")


def test_one_bad_item_at_the_end_of_many_writes_nothing_history_included(api, new_deal, zkh):
    market, category = MarketFactory(), CategoryFactory()
    lines = [{"product": "Silicone sealant", "category": category.pk}]
    items = [new_deal(f"Order {n}", markets=[market.pk], line_items=lines) for n in range(20)]
    items.append(new_deal("Self-dealing", seller=zkh.pk))

    response = api.post(DEALS_BULK, {"items": items})

    assert (response.status_code, errors(response)) == (400, [("invalid", "items.20.non_field_errors")])
    assert (Deal.objects.count(), DealLineItem.objects.count(), Deal.markets.through.objects.count()) == (0, 0, 0)
    assert (Deal.history.count(), DealLineItem.history.count()) == (0, 0)


def test_a_create_after_a_change_and_a_first_deal_claim_are_written_in_item_order(api, new_deal, qingpu):
    changed = DealFactory(title="Before")
    items = [
        new_deal("First"),
        {"id": changed.pk, "title": "After"},
        new_deal("Claims the first deal", first_deal_of=qingpu.pk),
        new_deal("Claims it again", first_deal_of=qingpu.pk),
    ]

    response = api.post(DEALS_BULK, {"items": items})

    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "This delegation already has a first deal at this edition.",
            "attr": "items.3.non_field_errors",
        }
    ]
    assert Deal.objects.get().title == "Before"
