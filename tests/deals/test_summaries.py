"""The kept deal summaries (``deals.summaries``) answer exactly what the statistics computed from
the deals answer, after any mix of writes, for every grouping and filter they keep, for everyone
and for the public, distinct buyers and sellers included."""

import datetime
import io
import itertools
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import summaries
from deals.models import Deal, DealSummary, DealSummaryChange, DealSummaryParty
from deals.stats import deal_statistics
from delegations.merging import UnmergeConflict, enterprise_merge, enterprise_unmerge
from delegations.models import Enterprise
from tests.factories import DealFactory, DelegationFactory, EditionFactory, EnterpriseFactory
from tests.factories.users import admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgresql_only", "summed_up")]

COUNTRIES = ("CN", "US", "DE", "")
STAGES = ("intention", "signed", "executed", "cancelled")
HOUR = datetime.timedelta(hours=1)
WRITES = ["create", "bulk", "stage", "move", "value", "publish", "delete", "country", "merge", "unmerge"]


@pytest.fixture
def summed_up(postgresql_only):
    """Summaries as the migration leaves them (a flush by an earlier test empties them)."""
    summaries.rebuild(at=timezone.now())


def computed(*, group_by, filters, public, as_of):
    deals = Deal.objects.all()
    if public:
        deals = deals.filter(Q(is_published=True) & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=as_of)))
    lookups = {"edition": "edition_id", "delegation": "delegation_id", "stage": "stage"}
    lookups |= {"buyer_country": "buyer__country", "seller_country": "seller__country"}
    deals = deals.filter(**{lookups[key]: value for key, value in filters.items()})
    return deal_statistics(deals=deals, group_by=group_by)


def questions(keys=tuple(summaries.KEYS), filters=summaries.FILTERS, kept=summaries.KEPT):
    """Every grouping of ``keys`` and choice of ``filters`` the groupings ``kept`` answer, as
    (group_by, filter keys)."""
    for size in range(3):
        for chosen in itertools.combinations(keys, size):
            for filtered in range(len(chosen) + 1):
                for filter_keys in itertools.combinations(chosen, filtered):
                    if not set(filter_keys) <= filters:
                        continue
                    group_by = tuple(key for key in chosen if key not in filter_keys)
                    if summaries.answerable(group_by, dict.fromkeys(filter_keys), kept=kept) is not None:
                        yield group_by, filter_keys


class World:
    """Editions, delegations and enterprises, and a seeded mix of writes to their deals."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.editions = [EditionFactory() for _ in range(3)]
        self.delegations = [DelegationFactory() for _ in range(3)]
        self.enterprises = [EnterpriseFactory(country=country) for country in COUNTRIES * 3]
        self.admin = admin()
        self.merges = []

    def enterprise(self) -> Enterprise:
        return self.rng.choice(list(Enterprise.objects.all()))

    def deal_fields(self) -> dict:
        rng = self.rng
        buyer, seller = rng.sample(list(Enterprise.objects.all()), 2)
        amount = None if rng.random() < 0.2 else Decimal(rng.randrange(1, 10**6)) / 100
        embargo = rng.choice([None, None, self.now - HOUR, self.now + HOUR, self.now + 5 * HOUR])
        return {
            "buyer": buyer,
            "seller": seller,
            "edition": rng.choice(self.editions),
            "delegation": rng.choice(self.delegations),
            "amount": amount,
            "stage": rng.choice(STAGES),
            "is_published": rng.random() < 0.7,
            "embargo_until": embargo,
        }

    def write(self, action: str) -> str:
        """One random write of the kind ``action``; returns what it was."""
        rng = self.rng
        deals = list(Deal.objects.order_by("pk"))
        if action == "create" or not deals:
            DealFactory(**self.deal_fields())
            return "create"
        deal = rng.choice(deals)
        if action == "bulk":
            Deal.objects.bulk_create([DealFactory.build(**self.deal_fields()) for _ in range(rng.randint(2, 5))])
        elif action == "stage":
            deal.stage = rng.choice(STAGES)
            deal.save()
        elif action == "move":
            # Several deals in one statement, to another edition and delegation.
            chosen = rng.sample([d.pk for d in deals], min(3, len(deals)))
            Deal.objects.filter(pk__in=chosen).update(
                edition=rng.choice(self.editions), delegation=rng.choice(self.delegations)
            )
        elif action == "value":
            value = rng.choice([None, Decimal("12.34"), Decimal("5000.00")])
            Deal.objects.filter(pk=deal.pk).update(
                amount=value,
                currency="" if value is None else "USD",
                value_usd=value,
                usd_rate=None if value is None else Decimal(1),
                usd_rate_date=None,
                usd_rate_source="",
            )
        elif action == "publish":
            Deal.objects.filter(pk=deal.pk).update(
                is_published=not deal.is_published, embargo_until=rng.choice([None, self.now + 2 * HOUR])
            )
        elif action == "delete":
            deal.delete()
        elif action == "country":
            Enterprise.objects.filter(pk=self.enterprise().pk).update(country=rng.choice(COUNTRIES))
        elif action == "merge":
            # Two enterprises with no deal between them (one would break a rule of deals).
            pairs = {frozenset(pair) for pair in Deal.objects.values_list("buyer_id", "seller_id")}
            enterprises = list(Enterprise.objects.order_by("pk"))
            candidates = [
                (a, b) for a, b in itertools.permutations(enterprises, 2) if frozenset((a.pk, b.pk)) not in pairs
            ]
            if not candidates:
                return "no merge"
            merged, survivor = rng.choice(candidates)
            self.merges.append(enterprise_merge(merged=merged, survivor=survivor, user=self.admin, reason="Same"))
        elif action == "unmerge":
            if not self.merges:
                return "no unmerge"
            try:
                enterprise_unmerge(merge=self.merges.pop(), user=self.admin)
            except UnmergeConflict:
                # A deal moved by the merge has changed since: nothing was written.
                return "unmerge refused"
        return action

    def ask(self, as_of: datetime.datetime) -> list[str]:
        """Every question the summaries keep, with filter values drawn from the data; returns
        those whose answers differ."""
        wrong = []
        for group_by, filter_keys in questions():
            filters = {
                "edition": self.rng.choice(self.editions).pk,
                "delegation": self.rng.choice(self.delegations).pk,
                "stage": self.rng.choice(STAGES),
                "buyer_country": self.rng.choice(COUNTRIES[:3]),
                "seller_country": self.rng.choice(COUNTRIES[:3]),
            }
            filters = {key: filters[key] for key in filter_keys}
            for public in (False, True):
                kept = summaries.statistics(group_by=group_by, filters=filters, public=public, as_of=as_of)
                raw = computed(group_by=group_by, filters=filters, public=public, as_of=as_of)
                if kept != raw:
                    wrong.append(f"{group_by} {filters} public={public}: {kept} != {raw}")
        return wrong


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summaries_answer_as_the_deals_do_after_random_writes(seed):
    world = World(seed)
    as_of = world.now
    # Each kind of write at least once (a merge before its unmerge), the rest at random.
    plan = ["create"] * 4 + world.rng.sample(WRITES[1:-2], len(WRITES) - 3) + ["merge", "unmerge"]
    plan += world.rng.choices(WRITES, k=48 - len(plan))
    done = []
    for step, action in enumerate(plan):
        done.append(world.write(action))
        if step % 8 == 7:
            # Time passes: embargoes end between questions.
            as_of += world.rng.choice([datetime.timedelta(0), HOUR, 3 * HOUR])
            wrong = world.ask(as_of)
            assert wrong == [], f"after {done}: {wrong[:3]}"
    assert Deal.objects.count() > 0
    # Every kind of write was made: the answers were checked against each.
    assert set(WRITES) <= set(done)
    # What the writes kept in step is what summing every deal up again gives.
    summaries.statistics(group_by=(), filters={}, public=True, as_of=as_of)
    kept = kept_rows()
    summaries.rebuild(at=as_of)
    assert kept_rows() == kept


def kept_rows() -> tuple[list, ...]:
    """Every summary row and enterprise count, without ids."""
    return tuple(
        sorted(
            tuple(row)
            for row in model.objects.values_list(*[f.attname for f in model._meta.fields if f.attname != "id"])
        )
        for model in (DealSummary, DealSummaryParty)
    )


def test_every_kept_grouping_and_filter_is_asked():
    asked = list(questions())
    assert len(asked) == 27
    assert (("edition", "delegation"), ()) in asked
    assert (("seller_country",), ()) in asked
    assert (("delegation",), ("edition",)) in asked
    assert ((), ("stage",)) in asked
    assert (("edition",), ("delegation",)) in asked


def test_a_question_the_summaries_do_not_keep_is_left_to_the_deals():
    as_of = timezone.now()
    for group_by, filters in [
        (("category",), {}),
        (("month",), {}),
        (("delegation", "stage"), {}),
        (("delegation",), {"stage": "signed"}),
        (("edition", "delegation", "stage"), {}),
        (("stage",), {"delegation": 1}),
    ]:
        assert summaries.statistics(group_by=group_by, filters=filters, public=False, as_of=as_of) is None


def test_a_delegation_filter_is_answered_only_for_a_delegation_with_none_below_it():
    qingpu = DelegationFactory(name="Qingpu District trading delegation")
    zhujiajiao = DelegationFactory(name="Zhujiajiao Town trading delegation", parent=qingpu)
    edition = EditionFactory()
    DealFactory(delegation=qingpu, edition=edition)
    DealFactory(delegation=zhujiajiao, edition=edition)
    as_of = timezone.now()
    # The deal filter takes Zhujiajiao's deals under Qingpu: the summaries keep each on its own.
    assert (
        summaries.statistics(group_by=("edition",), filters={"delegation": qingpu.pk}, public=False, as_of=as_of)
        is None
    )
    answer = summaries.statistics(
        group_by=("edition",), filters={"delegation": zhujiajiao.pk}, public=False, as_of=as_of
    )
    assert [(row["edition"], row["deal_count"]) for row in answer.rows] == [(edition, 1)]


def test_a_change_is_pending_until_the_next_read_adds_it():
    edition = EditionFactory()
    summaries.statistics(group_by=(), filters={}, public=False, as_of=timezone.now())
    DealFactory(edition=edition, amount=Decimal("300000000.00"))
    assert DealSummaryChange.objects.count() == 1
    answer = summaries.statistics(group_by=("edition",), filters={}, public=False, as_of=timezone.now())
    assert DealSummaryChange.objects.count() == 0
    assert [(row["edition"], row["deal_count"], row["value_usd"]["signed"]) for row in answer.rows] == [
        (edition, 1, Decimal("300000000.00"))
    ]


def test_a_write_that_changes_nothing_summarised_leaves_no_change():
    deal = DealFactory()
    summaries.statistics(group_by=(), filters={}, public=False, as_of=timezone.now())
    Deal.objects.filter(pk=deal.pk).update(title="Organo-silicon procurement", description="Renamed")
    assert DealSummaryChange.objects.count() == 0


def test_an_embargo_ends_for_the_public_when_its_time_comes():
    now = timezone.now()
    DealFactory(embargo_until=now + HOUR)
    DealFactory()
    before = summaries.statistics(group_by=(), filters={}, public=True, as_of=now)
    after = summaries.statistics(group_by=(), filters={}, public=True, as_of=now + 2 * HOUR)
    assert (before.totals["deal_count"], after.totals["deal_count"]) == (1, 2)
    # With the clock set back, the summaries (now past the embargo) cannot say what the public
    # read before it ended.
    assert summaries.statistics(group_by=(), filters={}, public=True, as_of=now) is None
    assert summaries.statistics(group_by=(), filters={}, public=False, as_of=now).totals["deal_count"] == 2


def test_without_their_state_the_summaries_answer_nothing_until_rebuilt():
    DealFactory.create_batch(3)
    with connection.cursor() as cursor:
        # As a flush leaves them, with the deals put back.
        cursor.execute("DELETE FROM deals_dealsummarystate")
        cursor.execute("DELETE FROM deals_dealsummary")
    assert summaries.statistics(group_by=(), filters={}, public=False, as_of=timezone.now()) is None
    summaries.rebuild(at=timezone.now())
    answer = summaries.statistics(group_by=(), filters={}, public=False, as_of=timezone.now())
    assert answer.totals["deal_count"] == 3


def test_the_api_answers_a_kept_question_from_the_summaries(analyst_api):
    edition = EditionFactory()
    DealFactory.create_batch(2, edition=edition)
    url = reverse("stats-deals")
    with CaptureQueriesContext(connection) as queries:
        body = analyst_api.get(url, {"group_by": "delegation", "edition": edition.pk}).json()
    assert body["totals"]["deal_count"] == 2
    assert [row["deal_count"] for row in body["results"]] == [1, 1]
    read = [query["sql"] for query in queries if query["sql"].startswith("SELECT grouping")]
    # The groups and the totals in one statement, and no deal read.
    assert len(read) == 1
    assert "FROM deals_dealsummary WHERE grouping = ANY" in read[0]
    assert not any('FROM "deals_deal"' in query["sql"] for query in queries)


def test_with_nothing_pending_a_read_takes_no_lock():
    DealFactory.create_batch(2)
    as_of = timezone.now()
    with CaptureQueriesContext(connection) as first:
        summaries.statistics(group_by=("stage",), filters={}, public=True, as_of=as_of)
    with CaptureQueriesContext(connection) as second:
        answer = summaries.statistics(group_by=("stage",), filters={}, public=True, as_of=as_of)
    assert [row["deal_count"] for row in answer.rows] == [2]
    # The first read adds the two creates under the lock; the second finds nothing pending.
    assert sum("pg_advisory_xact_lock" in query["sql"] for query in first) == 1
    assert not any("pg_advisory_xact_lock" in query["sql"] for query in second)
    # The state, then the groups (in a savepoint: the test runs in a transaction).
    assert [query["sql"].split()[0] for query in second] == ["SAVEPOINT", "SELECT", "SELECT", "RELEASE"]


def test_the_rebuild_command_sums_up_every_deal_again():
    edition = EditionFactory()
    DealFactory.create_batch(2, edition=edition)
    DealSummary.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_deal_summaries", stdout=out)
    # For each audience (both deals are published): all the deals, the edition, each deal's own
    # delegation (2), the stage, the buyers' country, the sellers' country, and with the edition:
    # the delegations (2), the stage and the two countries; 12 groups.
    assert out.getvalue().startswith("24 groups and ")
    answer = summaries.statistics(group_by=("edition",), filters={}, public=False, as_of=timezone.now())
    assert [(row["edition"], row["deal_count"]) for row in answer.rows] == [(edition, 2)]


LOCKED_BY_THIS_TRANSACTION = (
    # A row locked by one transaction only has its id as the row's xmax.
    "SELECT count(*) FROM delegations_enterprise WHERE id IN (%s, %s) "
    "AND xmax::text = (txid_current() %% 4294967296)::text"
)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_changes_nothing_summarised_locks_no_enterprise():
    deal = DealFactory()
    parties = [deal.buyer_id, deal.seller_id]
    with transaction.atomic(), connection.cursor() as cursor:
        Deal.objects.filter(pk=deal.pk).update(title="Organo-silicon procurement")
        cursor.execute(LOCKED_BY_THIS_TRANSACTION, parties)
        assert cursor.fetchone()[0] == 0
        Deal.objects.filter(pk=deal.pk).update(stage="cancelled")
        cursor.execute(LOCKED_BY_THIS_TRANSACTION, parties)
        assert cursor.fetchone()[0] == 2
