"""Cached list counts and statistics: a repeated list skips its count, repeated statistics are
not computed again, and any change to a record (saved, deleted, linked, through the API or not)
makes everything kept stale at once."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Deal
from tests.factories import DealFactory, DealLineItemFactory, MarketFactory, analyst

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def counts_kept(settings):
    settings.LIST_COUNT_CACHE_SECONDS = 60
    settings.STATISTICS_CACHE_SECONDS = 60
    cache.clear()
    # The public's queries change with each minute (framework.access.visibility_time): requests that
    # straddle one would be counted afresh, rightly. Time stands still here.
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        yield
    cache.clear()


def listed(client, params=None) -> tuple[int, int]:
    """The list's count, and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/deals/", {"fields": "id", **(params or {})})
    assert response.status_code == 200
    return response.json()["count"], len(queries.captured_queries)


def test_a_repeated_list_skips_its_count(anon):
    DealFactory.create_batch(3)
    assert listed(anon) == (3, 2)
    assert listed(anon) == (3, 1)
    # Another page of the same list: the same count.
    assert listed(anon, {"offset": 1})[0] == 3


def test_every_kind_of_change_makes_the_count_stale(anon):
    deal = DealFactory()
    market = MarketFactory()
    assert listed(anon) == (1, 2)
    second = DealFactory()
    assert listed(anon) == (2, 2)
    second.delete()
    assert listed(anon) == (1, 2)
    assert listed(anon, {"market": market.pk})[0] == 0
    deal.markets.add(market)
    assert listed(anon, {"market": market.pk})[0] == 1
    assert listed(anon, {"buyer_country": "DE"})[0] == 0
    deal.buyer.country = "DE"
    deal.buyer.save()
    assert listed(anon, {"buyer_country": "DE"})[0] == 1
    item = DealLineItemFactory(deal=deal)
    assert listed(anon, {"category": item.category_id})[0] == 1
    item.delete()
    assert listed(anon, {"category": item.category_id})[0] == 0


def test_each_caller_has_the_count_of_what_they_may_read(anon):
    DealFactory()
    DealFactory(is_published=False)
    client = anon.__class__()
    client.force_authenticate(user=analyst())
    assert listed(anon)[0] == 1
    assert listed(client)[0] == 2
    assert listed(anon)[0] == 1


def test_writes_through_the_api_refresh_the_count(admin_api):
    deal = DealFactory()
    assert listed(admin_api)[0] == 1
    assert admin_api.delete(f"/api/deals/{deal.pk}/").status_code == 204
    assert listed(admin_api)[0] == 0


def test_without_a_working_cache_the_rows_are_counted(anon):
    DealFactory.create_batch(2)
    broken = mock.Mock(**{"get.side_effect": ConnectionError("cache is down")})
    with mock.patch("framework.caching.cache", broken):
        assert listed(anon) == (2, 2)
        assert listed(anon) == (2, 2)


def test_a_count_is_not_kept_when_the_setting_is_zero(anon, settings):
    settings.LIST_COUNT_CACHE_SECONDS = 0
    DealFactory()
    assert listed(anon) == (1, 2)
    assert listed(anon) == (1, 2)
    assert Deal.objects.count() == 1


def statistics(client) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/stats/deals/", {"group_by": "stage"})
    assert response.status_code == 200
    return response.json(), len(queries.captured_queries)


def test_repeated_statistics_are_not_computed_again_until_a_record_changes(anon):
    deal = DealFactory(amount="5.00", value_usd="5.00")
    first, computed = statistics(anon)
    again, reused = statistics(anon)
    assert (again, reused) == (first, 0)
    assert computed > 0
    DealFactory(amount="7.00", value_usd="7.00")
    changed, _ = statistics(anon)
    assert (first["totals"]["deal_count"], changed["totals"]["deal_count"]) == (1, 2)
    assert changed["totals"]["value_usd"][deal.stage] == "12.00"


def test_the_publics_count_is_kept_for_its_lifetime(anon, settings):
    """The public's condition reads now rounded down to the count's lifetime (a minute here), so its
    query, and the key of its kept count, stay the same throughout: counted once a minute."""
    minute = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC)
    DealFactory.create_batch(2)
    DealFactory(embargo_until=minute + datetime.timedelta(seconds=30))
    observed = []
    for after in (1, 31, 59, 60, 119):
        with mock.patch("django.utils.timezone.now", return_value=minute + datetime.timedelta(seconds=after)):
            observed.append(listed(anon))
    # (count, queries): the second query of each is the page's; the embargo ended at 12:00:30 shows at 12:01.
    assert observed == [(2, 2), (2, 1), (2, 1), (3, 2), (3, 1)]
