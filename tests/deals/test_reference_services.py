"""The services that write markets, categories and exchange rates: admins only, under the
model's rules; a market deals aim at is not deleted."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from deals import services
from deals.models import Category, ExchangeRate, Market
from framework.access import OutOfScope
from framework.models import Deletion
from tests.factories import DealFactory, DelegationFactory, MarketFactory, admin, editor

pytestmark = pytest.mark.django_db

NOV_5 = datetime.date(2023, 11, 5)


def test_an_editor_writes_no_market():
    with pytest.raises(OutOfScope) as refused:
        services.market_create(user=editor(DelegationFactory()), data={"name": "New energy"})

    assert (refused.value.code, refused.value.details) == ("out_of_scope", {"field": "non_field_errors"})
    assert not Market.objects.exists()


def test_an_editor_deletes_no_category():
    category = Category.objects.create(name="Organo-silicon products")

    with pytest.raises(OutOfScope):
        services.category_delete(category=category, user=editor(DelegationFactory()))

    assert Category.objects.count() == 1


def test_a_rate_of_zero_is_refused_by_the_models_rule():
    with pytest.raises(ValidationError) as refused:
        services.exchange_rate_create(
            user=admin(), data={"currency": "EUR", "date": NOV_5, "rate_to_usd": Decimal("0")}
        )

    assert refused.value.message_dict == {"__all__": ["An exchange rate must be greater than zero."]}
    assert not ExchangeRate.objects.exists()


def test_a_second_rate_for_the_same_day_is_refused():
    data = {"currency": "EUR", "date": NOV_5, "rate_to_usd": Decimal("1.07")}
    services.exchange_rate_create(user=admin(), data=data)

    with pytest.raises(ValidationError) as refused:
        services.exchange_rate_create(user=admin(), data=data)

    assert refused.value.message_dict == {"__all__": ["There is already a rate for this currency on this date."]}
    assert ExchangeRate.objects.count() == 1


def test_a_market_deals_aim_at_is_not_deleted():
    market = MarketFactory()
    deal = DealFactory(markets=[market])

    with pytest.raises(ProtectedError) as refused:
        services.market_delete(market=market, user=admin())

    assert refused.value.protected_objects == {deal}
    assert Market.objects.count() == 1


def test_a_deleted_market_enters_the_deletion_feed():
    market = MarketFactory()
    market_id = market.pk

    services.market_delete(market=market, user=admin())

    assert not Market.objects.exists()
    assert list(Deletion.objects.values_list("collection", "record_id")) == [("markets", market_id)]
