"""The demo data generator (deals.demo, ``manage.py generate_demo``): the number of deals asked
for, valid rows, USD values as the valuation service computes them, one synthetic source, the
history, stage changes and data version the services record, and the same data for the same seed."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from deals import services
from deals.demo import DemoDataExists, generate_demo
from deals.models import Category, Deal, DealLineItem, DealStageChange, ExchangeRate, Market
from deals.services import LineItemInput, usd_value
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Edition, Expo, Source, Venue
from framework.history import change_reason
from framework.sync import data_version

pytestmark = pytest.mark.django_db

RECORD_MODELS = {
    "venues": Venue,
    "expos": Expo,
    "editions": Edition,
    "delegations": Delegation,
    "enterprises": Enterprise,
    "participations": Participation,
    "settlements": Settlement,
    "promotional_activities": PromotionalActivity,
    "markets": Market,
    "categories": Category,
    "exchange_rates": ExchangeRate,
    "deals": Deal,
}


@pytest.fixture
def demo() -> dict[str, int]:
    return generate_demo(deals=200, seed=1)


def test_creates_exactly_the_deals_asked_for(demo):
    assert demo["deals"] == 200
    assert Deal.objects.count() == 200


def test_reports_the_rows_it_created(demo):
    in_database = {name: model.objects.count() for name, model in RECORD_MODELS.items()}
    in_database |= {
        "sources": Source.objects.count(),
        "deal_line_items": DealLineItem.objects.count(),
        "deal_markets": Deal.markets.through.objects.count(),
        "deal_stage_changes": DealStageChange.objects.count(),
    }

    assert demo == in_database


def test_creates_enterprises_in_proportion_to_deals(demo):
    # One per twenty deals plus fifty.
    assert demo["enterprises"] == 60


def test_creates_a_delegation_tree(demo):
    roots = Delegation.objects.filter(parent=None)

    assert sorted(roots.values_list("name", flat=True)) == [
        "Guangdong trading delegation",
        "Jiangsu trading delegation",
        "Shanghai trading delegation",
        "Zhejiang trading delegation",
    ]
    assert sorted(
        Delegation.objects.get(name="Shanghai trading delegation").children.values_list("region", flat=True)
    ) == [
        "Jiading District",
        "Minhang District",
        "Pudong New Area",
        "Qingpu District",
        "Songjiang District",
    ]


def test_every_delegation_takes_part_in_every_edition(demo):
    assert demo["participations"] == demo["delegations"] * demo["editions"] == 18 * 9


def test_every_deal_passes_full_clean(demo):
    for deal in Deal.objects.all():
        deal.full_clean()


def test_every_line_item_passes_full_clean(demo):
    for item in DealLineItem.objects.all():
        item.full_clean()


def test_non_usd_deals_are_valued_as_the_service_values_them(demo):
    foreign = Deal.objects.exclude(currency__in=["USD", ""])

    assert set(foreign.values_list("currency", flat=True)) == {"CNY", "EUR", "JPY"}
    for deal in foreign:
        expected = usd_value(
            amount=deal.amount, currency=deal.currency, on=deal.signed_on, stated_value_usd=deal.stated_value_usd
        )
        assert (deal.value_usd, deal.usd_rate, deal.usd_rate_date, deal.usd_rate_source) == (
            expected.value,
            expected.rate,
            expected.rate_date,
            expected.rate_source,
        )


def test_some_deals_have_no_value_and_some_a_stated_one(demo):
    unvalued = Deal.objects.filter(amount__isnull=True)
    stated = Deal.objects.filter(usd_rate_source="stated")

    # Of the 200 deals of seed 1.
    assert (unvalued.count(), stated.count()) == (5, 10)
    assert set(unvalued.values_list("currency", "value_usd", "usd_rate", "usd_rate_source")) == {("", None, None, "")}
    assert not DealLineItem.objects.filter(deal__in=unvalued, amount__isnull=False).exists()
    for deal in stated:
        assert (deal.value_usd, deal.usd_rate_date) == (deal.stated_value_usd, None)


def test_usd_deals_are_their_own_value(demo):
    usd = Deal.objects.filter(currency="USD")

    assert usd.count() > 0
    assert not usd.exclude(value_usd=F("amount"), usd_rate=1, usd_rate_date=None).exists()


def test_every_edition_has_a_rate_per_foreign_currency_on_its_first_day(demo):
    starts = set(Edition.objects.values_list("start_date", flat=True))

    assert set(ExchangeRate.objects.values_list("currency", "date")) == {
        (currency, start) for currency in ("CNY", "EUR", "JPY") for start in starts
    }


def test_deals_are_signed_during_their_edition(demo):
    outside = Deal.objects.filter(Q(signed_on__lt=F("edition__start_date")) | Q(signed_on__gt=F("edition__end_date")))

    assert Deal.objects.filter(signed_on=None).count() == 0
    assert outside.count() == 0


def test_deals_have_one_to_three_line_items_and_up_to_three_markets(demo):
    counts = Deal.objects.annotate(
        items=Count("line_items", distinct=True), market_count=Count("markets", distinct=True)
    )

    assert set(counts.values_list("items", flat=True)) == {1, 2, 3}
    assert set(counts.values_list("market_count", flat=True)) == {0, 1, 2, 3}


def test_each_delegation_has_one_first_deal_per_edition_it_dealt_at(demo):
    pairs = Deal.objects.values_list("delegation", "edition").distinct().count()

    assert Deal.objects.filter(first_deal_of=F("delegation")).count() == pairs
    assert Deal.objects.exclude(first_deal_of=None).exclude(first_deal_of=F("delegation")).count() == 0


def test_chinese_names_are_searchable_by_pinyin_as_if_saved_one_by_one(demo):
    chinese = Enterprise.objects.exclude(name_zh="")
    assert chinese.exists()
    assert [enterprise.search_pinyin for enterprise in chinese] == [
        enterprise.pinyin_search_keys() for enterprise in chinese
    ]
    assert all(enterprise.search_pinyin for enterprise in chinese)


def test_every_record_cites_the_synthetic_source(demo):
    source = Source.objects.get()

    assert (source.kind, source.title) == (Source.Kind.SYNTHETIC, "Synthetic demo data (seed 1)")
    for model in RECORD_MODELS.values():
        assert set(model.objects.values_list("source", flat=True)) == {source.pk}, model.__name__


def test_every_kept_row_has_its_creation_in_the_history(demo):
    for model in (Deal, DealLineItem, Enterprise, Delegation, Participation):
        versions = model.history.model.objects.filter(history_type="+")
        assert versions.count() == model.objects.count(), model.__name__
        assert set(versions.values_list("history_change_reason", "history_user")) == {("demo data", None)}
    for model in (DealLineItem, Enterprise, Delegation, Participation):
        assert model.history.model.objects.exclude(history_type="+").count() == 0, model.__name__
    deal = Deal.objects.order_by("?").first()
    assert deal.history.earliest("history_date").amount == deal.amount


@pytest.fixture
def small_demo() -> dict[str, int]:
    # 80 deals of seed 1: 5 intentions, 33 signed, 41 executed and 1 cancelled; 54 have markets.
    return generate_demo(deals=80, seed=1)


def test_every_deal_is_created_as_an_intention(small_demo):
    assert set(Deal.history.filter(history_type="+").values_list("stage", flat=True)) == {"intention"}


def test_deals_are_moved_to_their_stage_as_the_services_move_them(small_demo):
    stages = dict(Deal.objects.values_list("stage").annotate(count=Count("id")).values_list("stage", "count"))
    with_markets = Deal.objects.filter(markets__isnull=False).distinct().count()

    assert (stages, with_markets) == ({"intention": 5, "signed": 33, "executed": 41, "cancelled": 1}, 54)
    # One move to signed, one more to executed, one to cancelled.
    assert small_demo["deal_stage_changes"] == DealStageChange.objects.count() == 33 + 2 * 41 + 1 == 116
    assert sorted(DealStageChange.objects.values_list("from_stage", "to_stage", "reason", "changed_by")) == sorted(
        [("intention", "signed", "", None)] * (33 + 41)
        + [("signed", "executed", "", None)] * 41
        + [("intention", "cancelled", "The buyer withdrew.", None)]
    )
    # A first version, one once its markets are added, one per move.
    assert Deal.history.count() == 80 + 54 + 116 == 250
    assert sorted(Deal.history.exclude(history_type="+").values_list("stage", "history_change_reason")) == sorted(
        [("intention", "demo data")] * 54
        + [("signed", "stage: signed")] * (33 + 41)
        + [("executed", "stage: executed")] * 41
        + [("cancelled", "The buyer withdrew.")]
    )
    # Each version after the first holds its deal's markets: the version adding them, one per move.
    moves = {"intention": 0, "signed": 1, "executed": 2, "cancelled": 1}
    markets = Deal.objects.annotate(count=Count("markets")).values_list("stage", "count")
    assert (
        Deal.history.model.markets.model.objects.count()
        == sum(count * (1 + moves[stage]) for stage, count in markets)
        == 264
    )


def versions(deal: Deal) -> list[tuple]:
    """What the history of ``deal`` records, version by version, and its stage changes."""
    return [
        (
            version.history_type,
            version.stage,
            version.history_change_reason,
            version.history_user_id,
            sorted(version.markets.values_list("market_id", flat=True)),
        )
        for version in deal.history.order_by("history_date")
    ] + list(deal.stage_changes.order_by("changed_at").values_list("from_stage", "to_stage", "reason", "changed_by"))


def made_by_the_services(deal: Deal) -> Deal:
    """A copy of ``deal`` made by deals.services as an intention, then moved to its stage."""
    with change_reason("demo data"):
        copy = services.deal_create(
            title=deal.title,
            buyer=deal.buyer,
            seller=deal.seller,
            delegation=deal.delegation,
            edition=deal.edition,
            amount=deal.amount,
            currency=deal.currency,
            signed_on=deal.signed_on,
            source=deal.source,
            markets=deal.markets.all(),
            line_items=[
                LineItemInput(product=item.product, category=item.category, hs_code=item.hs_code, amount=item.amount)
                for item in deal.line_items.all()
            ],
            user=None,
        )
        if deal.stage in ("signed", "executed"):
            services.deal_sign(deal=copy, signed_on=deal.signed_on, user=None)
        if deal.stage == "executed":
            services.deal_execute(deal=copy, user=None)
        if deal.stage == "cancelled":
            services.deal_cancel(deal=copy, reason="The buyer withdrew.", user=None)
    return copy


@pytest.mark.parametrize("stage", ["intention", "signed", "executed", "cancelled"])
def test_a_deals_history_is_what_the_services_record(small_demo, stage):
    # Not a first deal, so that its copy may be one too.
    deal = Deal.objects.filter(stage=stage, first_deal_of=None).order_by("id").first()
    copy = made_by_the_services(deal)

    assert versions(deal) == versions(copy)


def test_a_deals_versions_are_in_the_order_of_its_moves(demo):
    deal = Deal.objects.filter(stage="executed", markets__isnull=False).first()

    assert list(deal.history.order_by("history_date").values_list("history_type", "stage")) == [
        ("+", "intention"),
        ("~", "intention"),
        ("~", "signed"),
        ("~", "executed"),
    ]
    changes = deal.stage_changes.order_by("changed_at")
    assert [change.changed_at for change in changes] == list(
        deal.history.filter(stage__in=["signed", "executed"])
        .order_by("history_date")
        .values_list("history_date", flat=True)
    )


def test_changes_the_data_version_once_now_and_once_at_commit(django_capture_on_commit_callbacks):
    before = data_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        generate_demo(deals=20, seed=1)
        assert data_version() == before + 1

    assert len(callbacks) == 1
    assert data_version() == before + 2


def test_refuses_a_seed_already_in_the_database(demo):
    with pytest.raises(DemoDataExists, match=r"^The demo data of seed 1 is already in this database\.$"):
        generate_demo(deals=10, seed=1)


def test_another_seed_can_share_the_database(demo):
    generate_demo(deals=10, seed=2)

    assert Deal.objects.count() == 210


def demo_deals(*, seed: int) -> list[tuple]:
    """The deals the demo of ``seed`` creates on an empty database, then rolled back."""
    with transaction.atomic():
        generate_demo(deals=50, seed=seed)
        deals = list(
            Deal.objects.order_by("id").values_list(
                "title", "amount", "currency", "value_usd", "stage", "signed_on", "buyer__name", "edition__number"
            )
        )
        transaction.set_rollback(True)
    return deals


def test_same_seed_gives_the_same_deals():
    first = demo_deals(seed=7)

    assert Deal.objects.count() == 0
    assert demo_deals(seed=7) == first


def test_another_seed_gives_other_deals():
    assert demo_deals(seed=7) != demo_deals(seed=8)


def test_command_prints_what_it_created():
    out = io.StringIO()

    call_command("generate_demo", "--deals", "30", "--seed", "3", stdout=out)

    output = out.getvalue()
    assert output.startswith("Created Synthetic demo data (seed 3) in ")
    assert re.search(r"^  deals +30$", output, re.MULTILINE)
    assert re.search(r"^30 deals in \d+\.\d s\.$", output, re.MULTILINE)
    assert Deal.objects.count() == 30


def test_command_refuses_no_deals():
    with pytest.raises(CommandError, match=r"^--deals must be at least 1\.$"):
        call_command("generate_demo", "--deals", "0")


def test_command_refuses_a_seed_already_in_the_database(demo):
    with pytest.raises(CommandError, match=r"Use another --seed, or a fresh database\.$"):
        call_command("generate_demo", "--deals", "10", "--seed", "1", stdout=io.StringIO())
