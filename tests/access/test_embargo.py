"""An embargoed deal (SPEC §4): published but hidden from the public until ``embargo_until``,
then shown with no further change."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.access.matrix import ANONYMOUS, DEALS, NO_ROLE, SHANGHAI

PUBLIC = [ANONYMOUS, NO_ROLE]
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)


def seen(client, deal) -> tuple[list[int], int]:
    """The deals listed, and the status of the deal's detail."""
    listed = [row["id"] for row in client.get(reverse("deal-list")).json()["results"]]
    return listed, client.get(reverse("deal-detail", args=[deal.pk])).status_code


@pytest.fixture
def embargoed(world):
    return DEALS.make(world, world.delegation(SHANGHAI), is_published=True, embargo_until=timezone.now() + HOUR)


@pytest.mark.parametrize("role", PUBLIC)
def test_a_deal_under_embargo_is_hidden_from_the_public(world, role, embargoed):
    assert seen(world.client(role), embargoed) == ([], 404)


@pytest.mark.parametrize("role", PUBLIC)
def test_a_deal_whose_embargo_has_passed_is_shown_to_the_public(world, role, embargoed):
    embargoed.embargo_until = timezone.now() - SECOND
    embargoed.save(update_fields=["embargo_until"])

    assert seen(world.client(role), embargoed) == ([embargoed.pk], 200)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param(-SECOND, 404, id="a-second-before"),
        pytest.param(datetime.timedelta(0), 200, id="at-the-embargo"),
        pytest.param(SECOND, 200, id="a-second-after"),
    ],
)
def test_an_embargoed_deal_appears_when_its_time_comes(world, embargoed, after, expected):
    client = world.client(ANONYMOUS)
    embargoed.embargo_until = embargoed.embargo_until.replace(microsecond=0)
    embargoed.save(update_fields=["embargo_until"])

    with mock.patch("framework.access.timezone.now", return_value=embargoed.embargo_until + after):
        status = client.get(reverse("deal-detail", args=[embargoed.pk])).status_code

    assert status == expected


def test_an_embargo_within_a_second_ends_on_the_next_whole_second(world, embargoed):
    """Now is read to the whole second, rounded down: an embargo ends up to a second late, never early."""
    client = world.client(ANONYMOUS)
    embargoed.embargo_until = embargoed.embargo_until.replace(microsecond=500_000)
    embargoed.save(update_fields=["embargo_until"])
    statuses = []
    for after in (datetime.timedelta(0), datetime.timedelta(milliseconds=499), datetime.timedelta(milliseconds=500)):
        with mock.patch("framework.access.timezone.now", return_value=embargoed.embargo_until + after):
            statuses.append(client.get(reverse("deal-detail", args=[embargoed.pk])).status_code)
    assert statuses == [404, 404, 200]


def test_an_unpublished_deal_stays_hidden_once_its_embargo_passes(world):
    deal = DEALS.make(world, world.delegation(SHANGHAI), is_published=False, embargo_until=timezone.now() - HOUR)

    assert seen(world.client(ANONYMOUS), deal) == ([], 404)


# A whole minute, after the deals below are made: with counts kept for a minute, the start of a window.
MINUTE = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC)


def at(moment: datetime.datetime):
    return mock.patch("framework.access.timezone.now", return_value=moment)


def test_an_embargo_ending_within_the_kept_counts_lifetime_ends_with_it(world, settings):
    """Counts kept for a minute: now is read to the minute, rounded down, so an embargo that ends
    within a minute ends at the next whole minute, up to a minute late and never early."""
    settings.LIST_COUNT_CACHE_SECONDS = 60
    client = world.client(ANONYMOUS)
    deal = DEALS.make(world, world.delegation(SHANGHAI), is_published=True, embargo_until=MINUTE + 10 * SECOND)
    views = []
    for after in (9, 10, 11, 59, 60, 61):
        with at(MINUTE + after * SECOND):
            views.append(seen(client, deal))
    assert views == [([], 404)] * 4 + [([deal.pk], 200)] * 2


def test_a_public_client_learns_of_an_embargo_ended_before_it_could_see_it(world, settings):
    """The client asks at 12:00:30, when the embargo ended at 12:00:20 is still in force for it (read
    at 12:00); asking again a minute later for what changed since 12:00:30, it is given the deal."""
    settings.LIST_COUNT_CACHE_SECONDS = 60
    client = world.client(ANONYMOUS)
    deal = DEALS.make(world, world.delegation(SHANGHAI), is_published=True, embargo_until=MINUTE + 20 * SECOND)
    asked = MINUTE + 30 * SECOND
    with at(asked):
        assert seen(client, deal) == ([], 404)
    with at(asked + 60 * SECOND):
        changed = client.get(reverse("deal-list"), {"updated_since": asked.isoformat()}).json()["results"]
    assert [row["id"] for row in changed] == [deal.pk]
