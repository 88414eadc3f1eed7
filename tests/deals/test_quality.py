"""The deal checks of the quality report (deals/quality.py): signed deals without a signing
date, and deals valued with a table rate far from the day they are valued at."""

import datetime
from decimal import Decimal

import pytest

from deals.models import Deal
from deals.quality import STALE_RATE_DAYS, signed_without_date, stale_rate_findings
from tests.factories import DealFactory, EditionFactory

pytestmark = pytest.mark.django_db

Stage = Deal.Stage
NOV_5 = datetime.date(2023, 11, 5)


@pytest.fixture
def edition():
    return EditionFactory(start_date=NOV_5, end_date=datetime.date(2023, 11, 10))


def test_signed_and_executed_deals_without_a_signing_date_are_found(edition):
    signed = DealFactory(edition=edition, stage=Stage.SIGNED, signed_on=None)
    executed = DealFactory(edition=edition, stage=Stage.EXECUTED, signed_on=None)
    DealFactory(edition=edition, stage=Stage.SIGNED, signed_on=NOV_5)
    DealFactory(edition=edition, stage=Stage.INTENTION, signed_on=None)
    DealFactory(edition=edition, stage=Stage.CANCELLED, signed_on=None)

    assert list(signed_without_date(Deal.objects.all()).order_by("pk")) == [signed, executed]


def test_only_the_deals_given_are_looked_at(edition):
    DealFactory(edition=edition, stage=Stage.SIGNED, signed_on=None, is_published=False)
    assert list(signed_without_date(Deal.objects.filter(is_published=True))) == []


def test_the_default_age_of_a_stale_rate_is_a_month():
    assert STALE_RATE_DAYS == 31


def test_a_table_rate_more_than_the_days_from_the_signing_date_is_stale(edition):
    def cny(signed_on, rate_date):
        return DealFactory(
            edition=edition, currency="CNY", amount=Decimal("1000.00"), signed_on=signed_on, usd_rate_date=rate_date
        )

    stale = cny(NOV_5, datetime.date(2023, 10, 4))  # 32 days before
    cny(NOV_5, datetime.date(2023, 10, 5))  # 31 days: not more than the limit
    after = cny(datetime.date(2023, 9, 1), NOV_5)  # a rate 65 days after the signing
    DealFactory(edition=edition, amount=Decimal("1000.00"), signed_on=NOV_5)  # USD: no rate
    DealFactory(edition=edition, amount=None, signed_on=NOV_5)  # no value
    DealFactory(  # the source's own rate
        edition=edition,
        currency="CNY",
        amount=Decimal("1700000.00"),
        stated_value_usd=Decimal("261538.00"),
        signed_on=datetime.date(2020, 1, 1),
    )

    assert list(stale_rate_findings(Deal.objects.all())) == [
        (
            stale.pk,
            "The deal is valued with the CNY rate of 2023-10-04, 32 days from its signing date (2023-11-05): more "
            "than 31. Add a rate nearer that day, or give the USD value its source states.",
        ),
        (
            after.pk,
            "The deal is valued with the CNY rate of 2023-11-05, 65 days from its signing date (2023-09-01): more "
            "than 31. Add a rate nearer that day, or give the USD value its source states.",
        ),
    ]
    assert [deal_id for deal_id, _ in stale_rate_findings(Deal.objects.all(), max_age_days=64)] == [after.pk]


def test_an_unsigned_deals_rate_is_measured_from_the_day_it_was_recorded(edition):
    deal = DealFactory(edition=edition, currency="EUR", stage=Stage.INTENTION, signed_on=None)
    created = deal.created_at.astimezone(datetime.UTC).date()
    Deal.objects.filter(pk=deal.pk).update(usd_rate_date=created - datetime.timedelta(days=40))

    ((deal_id, sentence),) = stale_rate_findings(Deal.objects.all())
    assert (deal_id, sentence) == (
        deal.pk,
        f"The deal is valued with the EUR rate of {created - datetime.timedelta(days=40)}, 40 days from the day it "
        f"was recorded ({created}): more than 31. Add a rate nearer that day, or give the USD value its source "
        "states.",
    )
