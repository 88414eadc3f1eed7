"""Concurrent writes on PostgreSQL (SQLite serialises writers, so these need a real server):
PATCHes to different fields of one deal lose no update, concurrent retries of one POST with an
Idempotency-Key create one row, and the statistics and funnel summaries stay exact."""

import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals import funnel_summaries, services, summaries
from deals.funnel import deal_funnel
from deals.models import Deal, DealStageChange
from delegations.models import Enterprise
from tests.deals.test_funnel_summaries import kept_rows as funnel_kept_rows
from tests.deals.test_summaries import computed, kept_rows
from tests.factories import DealFactory, DelegationFactory, EditionFactory, EnterpriseFactory, admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]

PAIRS = 200
RETRIES = 20
WORKERS = 16
STAGES = ("intention", "signed", "executed", "cancelled")
COUNTRIES = ("CN", "US", "DE", "", "JP")


def in_thread(user, method: str, url: str, body: dict, **headers):
    """One request from its own client and database connection, as a separate app process would."""
    client = APIClient()
    client.force_authenticate(user)
    try:
        response = getattr(client, method)(url, body, format="json", **headers)
        return response.status_code, response.json()
    finally:
        connection.close()


def test_concurrent_patches_to_different_fields_lose_no_update():
    user = admin(username="concurrent")
    deal = DealFactory(title="title -", description="description -")
    url = reverse("deal-detail", args=[deal.pk])
    requests = [(("title", f"title {n}")) for n in range(PAIRS)] + [
        ("description", f"description {n}") for n in range(PAIRS)
    ]
    # Interleave the two kinds so each pair races.
    requests = [request for pair in zip(requests[:PAIRS], requests[PAIRS:], strict=True) for request in pair]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(lambda r: in_thread(user, "patch", url, {r[0]: r[1]})[0], requests))

    assert statuses == [200] * (2 * PAIRS)
    # Replaying the recorded versions in order: each write changed only its own field, and no
    # field ever went back to a value it had before (which is what a lost update looks like).
    versions = list(deal.history.order_by("history_date", "history_id").values_list("title", "description"))
    assert len(versions) == 1 + 2 * PAIRS
    for field in (0, 1):
        values = [version[field] for version in versions]
        changes = [after for before, after in itertools.pairwise(values) if after != before]
        assert len(changes) == PAIRS
        assert len(set(changes)) == PAIRS
    for before, after in itertools.pairwise(versions):
        assert (before[0] != after[0]) + (before[1] != after[1]) == 1
    assert Deal.objects.values_list("title", "description").get(pk=deal.pk) == versions[-1]


def test_concurrent_retries_with_one_idempotency_key_create_one_deal():
    user = admin(username="retrier")
    template = DealFactory()
    body = {
        "title": "Retried order",
        "buyer": template.buyer_id,
        "seller": template.seller_id,
        "delegation": template.delegation_id,
        "edition": template.edition_id,
        "value": {"amount": "300000000.00", "currency": "USD"},
    }
    url = reverse("deal-list")

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        responses = list(
            pool.map(lambda _: in_thread(user, "post", url, body, HTTP_IDEMPOTENCY_KEY="order-7"), range(RETRIES))
        )

    assert Deal.objects.filter(title="Retried order").count() == 1
    assert [status for status, _ in responses] == [201] * RETRIES
    assert {data["id"] for _, data in responses} == {Deal.objects.get(title="Retried order").pk}


def records():
    """Two editions, two delegations and six enterprises of five countries (one none)."""
    editions = [EditionFactory() for _ in range(2)]
    delegations = [DelegationFactory() for _ in range(2)]
    enterprises = [EnterpriseFactory(country=country) for country in ("CN", "US", "DE", "", "CN", "JP")]
    return editions, delegations, enterprises


def test_the_statistics_summaries_stay_exact_under_concurrent_writes_and_reads():
    """Writers (creates, stage moves, deletes, enterprise country changes) and statistics reads
    (each adding the pending changes) race on their own connections; afterwards every kept
    question is answered as the deals answer it, and as summing the deals up again gives."""
    editions, delegations, enterprises = records()
    for n in range(20):
        DealFactory(buyer=enterprises[n % 6], seller=enterprises[(n + 1) % 6], edition=editions[n % 2])
    summaries.rebuild(at=timezone.now())
    deal_ids = list(Deal.objects.values_list("pk", flat=True))

    def job(n: int) -> str:
        rng = random.Random(n)
        try:
            kind = n % 5
            if kind == 0:
                buyer, seller = rng.sample(enterprises, 2)
                DealFactory(
                    buyer=buyer,
                    seller=seller,
                    edition=rng.choice(editions),
                    delegation=rng.choice(delegations),
                    is_published=rng.random() < 0.7,
                )
            elif kind == 1:
                Deal.objects.filter(pk=rng.choice(deal_ids)).update(stage=rng.choice(STAGES))
            elif kind == 2:
                Enterprise.objects.filter(pk=rng.choice(enterprises).pk).update(country=rng.choice(COUNTRIES))
            elif kind == 3:
                Deal.objects.filter(pk=rng.choice(deal_ids)).delete()
            else:
                summaries.statistics(
                    group_by=("seller_country",), filters={}, public=rng.random() < 0.5, as_of=timezone.now()
                )
            return "done"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        assert list(pool.map(job, range(200))) == ["done"] * 200

    now = timezone.now()
    for group_by, filters in [
        ((), {}),
        (("seller_country",), {}),
        (("edition", "buyer_country"), {}),
        (("stage",), {"edition": editions[0].pk}),
    ]:
        for public in (False, True):
            kept = summaries.statistics(group_by=group_by, filters=filters, public=public, as_of=now)
            assert kept == computed(group_by=group_by, filters=filters, public=public, as_of=now), (group_by, public)
    kept = kept_rows()
    summaries.rebuild(at=now)
    assert kept_rows() == kept


def test_the_funnel_summaries_stay_exact_under_concurrent_writes_and_reads():
    """Writers (creates, moves through the services, value changes, deletes, enterprise country
    changes) and funnel reads (each adding the pending changes) race on their own connections;
    afterwards every grouping kept is answered as the deals and their stage changes answer it,
    and as computing every deal again gives."""
    editions, delegations, enterprises = records()
    for n in range(20):
        DealFactory(
            buyer=enterprises[n % 6], seller=enterprises[(n + 1) % 6], edition=editions[n % 2], stage="intention"
        )
    funnel_summaries.rebuild()
    deal_ids = list(Deal.objects.values_list("pk", flat=True))
    user = admin()

    def job(n: int) -> str:
        rng = random.Random(n)
        try:
            kind = n % 6
            if kind == 0:
                buyer, seller = rng.sample(enterprises, 2)
                DealFactory(
                    buyer=buyer,
                    seller=seller,
                    edition=rng.choice(editions),
                    delegation=rng.choice(delegations),
                    stage="intention",
                )
            elif kind in (1, 2):
                # As the API moves a deal: locked first.
                with transaction.atomic():
                    deal = Deal.objects.select_for_update().filter(pk=rng.choice(deal_ids)).first()
                    if deal is not None and deal.stage == "intention":
                        services.deal_sign(deal=deal, signed_on=None, user=user)
                    elif deal is not None and deal.stage == "signed":
                        move = rng.choice([services.deal_execute, services.deal_cancel])
                        extra = {"reason": "Withdrawn"} if move is services.deal_cancel else {}
                        move(deal=deal, user=user, **extra)
            elif kind == 3:
                Enterprise.objects.filter(pk=rng.choice(enterprises).pk).update(country=rng.choice(COUNTRIES))
            elif kind == 4:
                with transaction.atomic():
                    # As the API deletes and updates a deal: locked first.
                    chosen = Deal.objects.filter(pk=rng.choice(deal_ids))
                    list(chosen.select_for_update())
                    if rng.random() < 0.5:
                        chosen.delete()
                    else:
                        value = Decimal(rng.randrange(1, 10**6))
                        chosen.update(amount=value, currency="USD", value_usd=value, usd_rate=1, usd_rate_date=None)
            else:
                funnel_summaries.funnel(group_by=("seller_country",), filters={})
            return "done"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        assert list(pool.map(job, range(240))) == ["done"] * 240

    assert DealStageChange.objects.count() > 0
    for group_by, filters in [((), {}), (("seller_country",), {}), (("delegation",), {"edition": editions[0].pk})]:
        kept = funnel_summaries.funnel(group_by=group_by, filters=filters)
        deals = Deal.objects.filter(
            **{"edition_id" if key == "edition" else key: value for key, value in filters.items()}
        )
        assert kept == deal_funnel(deals=deals, group_by=group_by), group_by
    kept = funnel_kept_rows()
    funnel_summaries.rebuild()
    assert funnel_kept_rows() == kept
