"""The pipeline funnel's kept summaries (``deals.funnel_summaries``) answer exactly what the funnel
computed from the deals and their stage changes answers, after any mix of writes, for every
grouping and filter they keep, median waits and cancellations by reason included."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deals import funnel_summaries, services
from deals.funnel import deal_funnel
from deals.models import (
    Deal,
    DealFunnelCancellation,
    DealFunnelChange,
    DealFunnelFact,
    DealFunnelSummary,
    DealStageChange,
)
from tests.deals.test_summaries import COUNTRIES, World, questions
from tests.factories import DealFactory, DelegationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgresql_only", "funnel_kept")]

# A reason longer than an index entry may be, too.
REASONS = ("The buyer withdrew.", "Price not agreed.", "The terms changed. " * 400)


@pytest.fixture
def funnel_kept(postgresql_only):
    """The funnel's rows and summaries as the migration leaves them (a flush empties them)."""
    funnel_summaries.rebuild()


def computed(*, group_by, filters):
    lookups = {"edition": "edition_id", "delegation": "delegation_id"}
    lookups |= {"buyer_country": "buyer__country", "seller_country": "seller__country"}
    deals = Deal.objects.filter(**{lookups[key]: value for key, value in filters.items()})
    return deal_funnel(deals=deals, group_by=group_by)


def funnel_questions():
    """Every grouping and filter the funnel's summaries answer, as (group_by, filter keys)."""
    keys = sorted(funnel_summaries.FILTERS)
    return questions(keys, funnel_summaries.FILTERS, funnel_summaries.KEPT)


class FunnelWorld(World):
    """The statistics' world of writes, with deals moved through the services too, and their
    stage changes redated and removed."""

    def write(self, action: str) -> str:
        rng = self.rng
        deals = list(Deal.objects.order_by("pk"))
        if action not in ("sign", "execute", "cancel", "redate", "unmove") or not deals:
            return super().write(action)
        if action in ("sign", "execute", "cancel"):
            allowed = {"sign": ("intention",), "execute": ("signed",), "cancel": ("intention", "signed")}[action]
            # A deal leaves a stage and enters one at most once (the statistics' writes set
            # stages as they please, which the services never do).
            moves = DealStageChange.objects.values_list("deal_id", "from_stage", "to_stage")
            made = {(deal_id, stage) for deal_id, from_stage, to_stage in moves for stage in (from_stage, to_stage)}
            target = {"sign": "signed", "execute": "executed", "cancel": "cancelled"}[action]
            movable = [
                deal
                for deal in deals
                if deal.stage in allowed and not {(deal.pk, deal.stage), (deal.pk, target)} & made
            ]
            if not movable:
                return f"no {action}"
            deal = rng.choice(movable)
            if action == "sign":
                services.deal_sign(deal=deal, signed_on=None, user=self.admin)
            elif action == "execute":
                services.deal_execute(deal=deal, user=self.admin)
            else:
                services.deal_cancel(deal=deal, reason=rng.choice(REASONS), user=self.admin)
            # A later time of signing than of creation, by up to a few days.
            DealStageChange.objects.filter(deal=deal, to_stage=deal.stage).update(
                changed_at=deal.created_at + datetime.timedelta(minutes=rng.randrange(1, 5000))
            )
            return action
        changes = list(DealStageChange.objects.order_by("pk"))
        if not changes:
            return f"no {action}"
        change = rng.choice(changes)
        if action == "redate":
            change.changed_at = change.changed_at + datetime.timedelta(hours=rng.randrange(1, 50))
            change.save()
        else:
            change.delete()
        return action

    def ask_funnel(self) -> list[str]:
        wrong = []
        for group_by, filter_keys in funnel_questions():
            filters = {
                "edition": self.rng.choice(self.editions).pk,
                "delegation": self.rng.choice(self.delegations).pk,
                "buyer_country": self.rng.choice(COUNTRIES[:3]),
                "seller_country": self.rng.choice(COUNTRIES[:3]),
            }
            filters = {key: filters[key] for key in filter_keys}
            kept = funnel_summaries.funnel(group_by=group_by, filters=filters)
            raw = computed(group_by=group_by, filters=filters)
            if kept != raw:
                wrong.append(f"{group_by} {filters}: {kept} != {raw}")
        return wrong


# The statistics' writes but publishing (the funnel's summaries are for those who read every deal),
# then moves made as the services make them, and stage changes redated and removed.
FUNNEL_WRITES = ["create", "bulk", "stage", "move", "value", "delete", "country", "merge", "unmerge"]
FUNNEL_WRITES += ["sign", "sign", "execute", "cancel", "cancel", "redate", "unmove"]


def kept_rows() -> tuple[list, ...]:
    return (
        sorted(DealFunnelFact.objects.values_list()),
        sorted(DealFunnelSummary.objects.values_list(*DealFunnelSummary.KEY, *funnel_summaries.MEASURES)),
        sorted(
            DealFunnelCancellation.objects.values_list(
                *DealFunnelCancellation.KEY, "reason", "from_stage", "deal_count", "valued_count", "value_usd"
            )
        ),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_funnel_summaries_answer_as_the_deals_do_after_random_writes(seed):
    world = FunnelWorld(seed)
    plan = ["create"] * 6 + ["sign"] * 4 + world.rng.sample(FUNNEL_WRITES, len(FUNNEL_WRITES)) + ["merge", "unmerge"]
    plan += world.rng.choices(FUNNEL_WRITES, k=64 - len(plan))
    done = []
    for step, action in enumerate(plan):
        done.append(world.write(action))
        if step % 8 == 7:
            wrong = world.ask_funnel()
            assert wrong == [], f"after {done}: {wrong[:2]}"
    # Last, a deal through every stage and one cancelled, and the answers asked again.
    executed, cancelled = (DealFactory(**{**world.deal_fields(), "stage": "intention"}) for _ in range(2))
    services.deal_sign(deal=executed, signed_on=None, user=world.admin)
    services.deal_execute(deal=executed, user=world.admin)
    services.deal_cancel(deal=cancelled, reason=REASONS[0], user=world.admin)
    wrong = world.ask_funnel()
    assert wrong == [], f"after {done}: {wrong[:2]}"
    # Every kind of write was made, and the funnel had something of each stage to show.
    assert set(FUNNEL_WRITES) <= set(done)
    whole = funnel_summaries.funnel(group_by=(), filters={})
    entered = whole.rows[0]["entered"]
    assert min(entered[stage]["deal_count"] for stage in entered) > 0
    assert whole.rows[0]["median_days_to_sign"] is not None
    # What the writes kept in step is what computing every deal again gives.
    kept = kept_rows()
    funnel_summaries.rebuild()
    assert kept_rows() == kept


def test_every_kept_grouping_and_filter_is_asked():
    asked = {
        funnel_summaries.summaries.answerable(group_by, dict.fromkeys(keys), kept=funnel_summaries.KEPT)
        for group_by, keys in funnel_questions()
    }
    assert asked == set(funnel_summaries.KEPT)


def test_a_question_the_summaries_do_not_keep_is_left_to_the_deals():
    parent = DelegationFactory()
    child = DelegationFactory(parent=parent)
    assert funnel_summaries.funnel(group_by=("expo",), filters={}) is None
    assert funnel_summaries.funnel(group_by=("delegation", "buyer_country"), filters={}) is None
    assert funnel_summaries.funnel(group_by=(), filters={"delegation": parent.pk}) is None
    assert funnel_summaries.funnel(group_by=(), filters={"delegation": child.pk}) == deal_funnel(
        deals=Deal.objects.filter(delegation=child), group_by=()
    )


def test_a_write_is_pending_until_the_next_read_adds_it():
    world = FunnelWorld(7)
    deal = DealFactory(**{**world.deal_fields(), "stage": "intention"})
    funnel_summaries.funnel(group_by=(), filters={})
    assert DealFunnelChange.objects.count() == 0
    services.deal_sign(deal=deal, signed_on=None, user=world.admin)
    # The row that left and the one that entered.
    assert sorted(DealFunnelChange.objects.values_list("sign", "entered")) == [(-1, 1), (1, 3)]
    answer = funnel_summaries.funnel(group_by=(), filters={})
    assert answer.rows[0]["entered"]["signed"]["deal_count"] == 1
    assert DealFunnelChange.objects.count() == 0
    # A title edit is nothing the funnel reads: nothing is logged.
    Deal.objects.filter(pk=deal.pk).update(title="Another title")
    assert DealFunnelChange.objects.count() == 0


def test_an_analyst_is_answered_from_the_summaries_and_the_public_from_the_deals(analyst_api, anon):
    world = FunnelWorld(8)
    deals = [DealFactory(**{**world.deal_fields(), "stage": "intention"}) for _ in range(3)]
    services.deal_sign(deal=deals[0], signed_on=None, user=world.admin)
    url = f"{reverse('stats-funnel')}?group_by=edition"
    with CaptureQueriesContext(connection) as queries:
        response = analyst_api.get(url)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "deals_dealfunnelsummary" in sql
    assert "deals_dealstagechange" not in sql
    expected = deal_funnel(deals=Deal.objects.all(), group_by=("edition",))
    assert [row["entered"]["signed"]["deal_count"] for row in response.json()["results"]] == [
        row["entered"]["signed"]["deal_count"] for row in expected.rows
    ]
    with CaptureQueriesContext(connection) as queries:
        assert anon.get(url).status_code == 200
    assert "deals_dealfunnelsummary" not in " ".join(query["sql"] for query in queries.captured_queries)
