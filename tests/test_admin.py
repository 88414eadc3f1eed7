"""The Django admin: every model has pages that answer, change lists cost the same number of
queries whatever their length, and a deal is valued in USD as its form is saved."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals.models import (
    Category,
    Deal,
    DealFunnelCancellation,
    DealFunnelChange,
    DealFunnelFact,
    DealFunnelSummary,
    DealLineItem,
    DealStageChange,
    DealSummary,
    DealSummaryChange,
    DealSummaryParty,
    DealSummaryState,
    ExchangeRate,
    Market,
)
from delegations import merging
from delegations.models import (
    Delegation,
    EditorAssignment,
    Enterprise,
    EnterpriseAlias,
    Merge,
    Participation,
    PromotionalActivity,
    Settlement,
)
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from framework.models import ApiToken, Deletion, IdempotencyKey
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EditorAssignmentFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    ExpoFactory,
    MarketFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    ReportedFigureFactory,
    SettlementFactory,
    SourceFactory,
    UserFactory,
    VenueFactory,
    api_token,
    valid_uscc,
)

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def unnamed_edition() -> Edition:
    """An edition called after its expo, so that showing it needs the expo too."""
    return EditionFactory(name="")


def make_market() -> Market:
    market = MarketFactory()
    DealFactory(edition=unnamed_edition(), markets=[market])
    return market


# For each model with an admin, one object with every relation its change list shows filled in.
MAKERS = {
    Source: SourceFactory,
    Venue: VenueFactory,
    Expo: ExpoFactory,
    Edition: unnamed_edition,
    ReportedFigure: lambda: ReportedFigureFactory(edition=unnamed_edition()),
    FigureStatement: lambda: ReportedFigureFactory(edition=unnamed_edition()).statements.get(),
    Delegation: lambda: DelegationFactory(parent=DelegationFactory()),
    Enterprise: EnterpriseFactory,
    Participation: lambda: ParticipationFactory(edition=unnamed_edition(), enterprises=[EnterpriseFactory()]),
    Settlement: lambda: SettlementFactory(participation__edition=unnamed_edition()),
    PromotionalActivity: lambda: PromotionalActivityFactory(participation__edition=unnamed_edition()),
    Market: make_market,
    Category: lambda: DealLineItemFactory(deal__edition=unnamed_edition()).category,
    ExchangeRate: lambda: ExchangeRateFactory(source=SourceFactory()),
    Deal: lambda: DealFactory(edition=unnamed_edition(), first_deal_of=DelegationFactory(), markets=[MarketFactory()]),
    EditorAssignment: EditorAssignmentFactory,
    ApiToken: lambda: api_token(UserFactory(), client="sales dashboard")[0],
    Merge: lambda: merging.enterprise_merge(
        merged=EnterpriseFactory(), survivor=EnterpriseFactory(), user=UserFactory(is_superuser=True), reason="Same"
    ),
}
every_model = pytest.mark.parametrize("model", list(MAKERS), ids=lambda model: model._meta.label)


def test_every_model_has_an_admin_or_an_inline():
    models = {
        model
        for label in ("framework", "expo", "delegations", "deals", "figures")
        for model in apps.get_app_config(label).get_models()
        # Historical versions are shown by their record's History page.
        if not model.__name__.startswith("Historical")
    }

    assert {model for model in models if admin.site.is_registered(model)} == set(MAKERS)
    # Idempotency keys, the deletion feed and the statistics and funnel summaries are the API's bookkeeping,
    # not records anyone edits.
    assert models - set(MAKERS) == {DealLineItem, DealStageChange, EnterpriseAlias, IdempotencyKey, Deletion} | {
        DealSummary,
        DealSummaryChange,
        DealSummaryParty,
        DealSummaryState,
        DealFunnelFact,
        DealFunnelChange,
        DealFunnelSummary,
        DealFunnelCancellation,
    }
    assert [inline.model for inline in admin.site.get_model_admin(Deal).inlines] == [DealLineItem, DealStageChange]
    assert [inline.model for inline in admin.site.get_model_admin(Enterprise).inlines] == [EnterpriseAlias]


@every_model
def test_changelist_lists_the_object(admin_client, model):
    obj = MAKERS[model]()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert obj in response.context["cl"].result_list


@pytest.mark.parametrize(
    "model", [model for model in MAKERS if model not in (ApiToken, Merge)], ids=lambda model: model._meta.label
)
def test_add_page_answers(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert response.context["adminform"].form.instance.pk is None


def test_api_tokens_are_not_added_in_the_admin(admin_client):
    assert admin_client.get(admin_url(ApiToken, "add")).status_code == 403


def test_merges_are_made_by_merging_not_added_in_the_admin(admin_client):
    assert admin_client.get(admin_url(Merge, "add")).status_code == 403


@every_model
def test_change_page_shows_the_object(admin_client, model):
    obj = MAKERS[model]()

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@every_model
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    url = admin_url(model, "changelist")
    MAKERS[model]()
    with CaptureQueriesContext(connection) as one_row:
        admin_client.get(url)
    for _ in range(4):
        MAKERS[model]()

    with CaptureQueriesContext(connection) as five_rows:
        response = admin_client.get(url)

    assert response.context["cl"].result_count >= 5
    assert len(five_rows) == len(one_row), "\n".join(query["sql"] for query in five_rows)


def test_deal_changelist_shows_the_amount_with_its_currency_and_the_usd_value(admin_client):
    DealFactory(currency="CNY", amount=Decimal("2000000.00"), usd_rate=Decimal("0.1371000000"))

    response = admin_client.get(admin_url(Deal, "changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<td class="field-amount_with_currency">2,000,000.00 CNY</td>' in content
    assert '<td class="field-value_in_usd">274,200.00</td>' in content


def test_deal_changelist_cuts_a_long_title_and_shows_it_whole_on_hover(admin_client):
    title = "Framework agreement on the multi-year procurement of high-purity organo-silicon intermediates"
    DealFactory(title=title)

    response = admin_client.get(admin_url(Deal, "changelist"))

    assert response.status_code == 200
    shown = "Framework agreement on the multi-year procurement of high-p…"
    assert f'<span title="{title}">{shown}</span></a></th>' in response.content.decode()


def test_deal_changelist_search_finds_a_deal_by_buyer_name(admin_client):
    deal = DealFactory(title="Organo-silicon products", buyer__name="ZKH Industrial Supply Co")
    DealFactory(title="Medical imaging systems", buyer__name="Qingpu Health Group")

    response = admin_client.get(admin_url(Deal, "changelist"), {"q": "ZKH Industrial"})

    assert list(response.context["cl"].result_list) == [deal]


def test_deal_changelist_search_finds_a_deal_by_seller_name(admin_client):
    deal = DealFactory(buyer__name="ZKH Industrial Supply Co", seller__name="Dow Chemical")
    DealFactory(buyer__name="Qingpu Health Group", seller__name="Siemens Healthineers")

    response = admin_client.get(admin_url(Deal, "changelist"), {"q": "dow chemical"})

    assert list(response.context["cl"].result_list) == [deal]


@pytest.mark.parametrize(("choice", "expected"), [("yes", ["first"]), ("no", ["other"])])
def test_deal_changelist_filters_first_deals(admin_client, choice, expected):
    edition = EditionFactory()
    deals = {
        "first": DealFactory(title="first", edition=edition, first_deal_of=DelegationFactory()),
        "other": DealFactory(title="other", edition=edition),
    }

    response = admin_client.get(admin_url(Deal, "changelist"), {"first_deal": choice})

    assert list(response.context["cl"].result_list) == [deals[name] for name in expected]


def test_deal_change_page_shows_its_line_items(admin_client):
    item = DealLineItemFactory(product="Organo-silicon products")

    response = admin_client.get(admin_url(Deal, "change", item.deal.pk))

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [item]


def deal_form_data(*, edition: Edition, **overrides) -> dict:
    """What the admin's add form posts for a new deal at ``edition``, with no line items."""
    data = {
        "title": "Organo-silicon products",
        "buyer": EnterpriseFactory(name="ZKH Industrial Supply Co").pk,
        "seller": EnterpriseFactory(name="Dow", country="US").pk,
        "delegation": DelegationFactory().pk,
        "edition": edition.pk,
        "amount": "1000.00",
        "currency": "EUR",
        "signed_on": "2023-11-06",
        "line_items-TOTAL_FORMS": "0",
        "line_items-INITIAL_FORMS": "0",
        "line_items-MIN_NUM_FORMS": "0",
        "line_items-MAX_NUM_FORMS": "1000",
        "stage_changes-TOTAL_FORMS": "0",
        "stage_changes-INITIAL_FORMS": "0",
        "stage_changes-MIN_NUM_FORMS": "0",
        "stage_changes-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def test_adding_a_deal_with_no_exchange_rate_is_a_form_error(admin_client):
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 7), rate_to_usd=Decimal("1.0850000000"))

    response = admin_client.post(admin_url(Deal, "add"), deal_form_data(edition=EditionFactory()))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "No exchange rate for EUR on or before 2023-11-06: add one to value this deal in USD."
    ]
    assert "No exchange rate for EUR on or before 2023-11-06" in response.content.decode()
    assert not Deal.objects.exists()


def test_adding_a_deal_with_no_valuation_date_is_a_form_error(admin_client):
    edition = EditionFactory(start_date=None, end_date=None)

    response = admin_client.post(admin_url(Deal, "add"), deal_form_data(edition=edition, signed_on=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "A EUR deal needs a signing date (or an edition with dates) to be valued in USD."
    ]
    assert not Deal.objects.exists()


def test_adding_a_deal_values_it_with_the_latest_rate_on_its_signing_date(admin_client):
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 10, 31), rate_to_usd=Decimal("1.0500000000"))
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0850000000"))

    response = admin_client.post(admin_url(Deal, "add"), deal_form_data(edition=EditionFactory()))

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.amount, deal.currency) == (Decimal("1000.00"), "EUR")
    assert deal.value_usd == Decimal("1085.00")
    assert deal.usd_rate == Decimal("1.0850000000")
    assert deal.usd_rate_date == datetime.date(2023, 11, 1)


def test_adding_a_usd_deal_needs_no_rate(admin_client):
    data = deal_form_data(edition=EditionFactory(), amount="300000000.00", currency="USD")

    response = admin_client.post(admin_url(Deal, "add"), data)

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.value_usd, deal.usd_rate, deal.usd_rate_date) == (Decimal("300000000.00"), Decimal(1), None)


def test_adding_a_deal_saves_its_line_items(admin_client):
    category = CategoryFactory(name="Organo-silicon products")
    data = deal_form_data(
        edition=EditionFactory(),
        currency="USD",
        **{
            "line_items-TOTAL_FORMS": "1",
            "line_items-0-product": "Silicone elastomers",
            "line_items-0-category": category.pk,
            "line_items-0-hs_code": "391000",
        },
    )

    response = admin_client.post(admin_url(Deal, "add"), data)

    assert response.status_code == 302
    item = DealLineItem.objects.get()
    assert item.deal == Deal.objects.get()
    assert (item.product, item.category, item.hs_code) == ("Silicone elastomers", category, "391000")


def test_changing_a_deals_amount_values_it_again(admin_client):
    ExchangeRateFactory(currency="EUR", date=datetime.date(2023, 11, 1), rate_to_usd=Decimal("1.0850000000"))
    edition = EditionFactory()
    data = deal_form_data(edition=edition)
    admin_client.post(admin_url(Deal, "add"), data)
    deal = Deal.objects.get()

    response = admin_client.post(admin_url(Deal, "change", deal.pk), data | {"amount": "2000.00"})

    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.amount, deal.value_usd) == (Decimal("2000.00"), Decimal("2170.00"))


def test_deal_buyer_autocomplete_finds_the_enterprise(admin_client):
    buyer = EnterpriseFactory(name="ZKH Industrial Supply Co", country="CN")
    EnterpriseFactory(name="Dow", country="US")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "deals", "model_name": "deal", "field_name": "buyer", "term": "zkh"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(buyer.pk), "text": "ZKH Industrial Supply Co (CN)"}]


def test_enterprise_changelist_search_finds_an_enterprise_by_uscc(admin_client):
    enterprise = EnterpriseFactory(uscc=valid_uscc(1))
    EnterpriseFactory(uscc=valid_uscc(2))

    response = admin_client.get(admin_url(Enterprise, "changelist"), {"q": valid_uscc(1)})

    assert list(response.context["cl"].result_list) == [enterprise]


def test_changing_a_deals_line_items_replaces_them_through_the_deal_services(admin_client, admin_user):
    category = CategoryFactory(name="Organo-silicon products")
    data = deal_form_data(edition=EditionFactory(), currency="USD")
    admin_client.post(admin_url(Deal, "add"), data)
    deal = Deal.objects.get()
    edited = data | {
        "line_items-TOTAL_FORMS": "1",
        "line_items-0-product": "Silicone elastomers",
        "line_items-0-category": category.pk,
        "line_items-0-hs_code": "391000",
    }

    response = admin_client.post(admin_url(Deal, "change", deal.pk), edited)

    assert response.status_code == 302
    item = DealLineItem.objects.get()
    assert (item.deal, item.product, item.hs_code, item.history.get().history_user) == (
        deal,
        "Silicone elastomers",
        "391000",
        admin_user,
    )
    assert [(record.history_type, record.history_user) for record in deal.history.order_by("history_id")] == [
        ("+", admin_user),
        ("~", admin_user),
    ]


def test_reverting_a_deal_from_its_history_page_writes_the_old_values_through_the_deal_services(
    admin_client, admin_user
):
    data = deal_form_data(edition=EditionFactory(), currency="USD")
    admin_client.post(admin_url(Deal, "add"), data)
    deal = Deal.objects.get()
    admin_client.post(admin_url(Deal, "change", deal.pk), data | {"title": "Renamed"})
    before = deal.history.earliest()

    response = admin_client.post(admin_url(Deal, "simple_history", deal.pk, before.history_id), data)

    assert response.status_code == 302
    latest = deal.history.latest()
    assert (Deal.objects.get().title, latest.title, latest.history_user) == (
        "Organo-silicon products",
        "Organo-silicon products",
        admin_user,
    )
