"""The services that write reported figures: admins only (editors do not write them), under the
model's rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from figures import services
from figures.models import ReportedFigure
from framework.access import OutOfScope
from tests.factories import DelegationFactory, ReportedFigureFactory, admin, editor

pytestmark = pytest.mark.django_db

TRADING_VOLUME = {
    "metric": "trading_volume",
    "qualifier": "more_than",
    "value": Decimal("1000000000.00"),
    "currency": "USD",
    "quote": "The trading volume of Qingpu's delegation hit more than US$1 billion.",
}


def test_an_editor_records_no_figure_even_of_their_delegation():
    qingpu = DelegationFactory()

    with pytest.raises(OutOfScope) as refused:
        services.reported_figure_create(user=editor(qingpu), data={**TRADING_VOLUME, "delegation": qingpu})

    assert (refused.value.code, refused.value.details) == ("out_of_scope", {"field": "non_field_errors"})
    assert not ReportedFigure.objects.exists()


def test_an_admin_records_a_figure_as_given():
    figure = services.reported_figure_create(user=admin(), data=TRADING_VOLUME)

    stored = ReportedFigure.objects.get()
    assert (stored.pk, stored.metric, stored.qualifier, stored.value, stored.currency, stored.unit) == (
        figure.pk,
        "trading_volume",
        "more_than",
        Decimal("1000000000.00"),
        "USD",
        "",
    )


def test_a_figure_with_both_a_currency_and_a_unit_is_refused_by_the_models_rule():
    with pytest.raises(ValidationError) as refused:
        services.reported_figure_create(user=admin(), data={**TRADING_VOLUME, "unit": "enterprises"})

    assert refused.value.message_dict == {
        "__all__": ["A figure has a currency (for money) or a unit (for counts), not both."]
    }
    assert not ReportedFigure.objects.exists()


def test_a_refused_change_leaves_the_figure_as_it_was():
    figure = ReportedFigureFactory(value=Decimal("300.00"))

    with pytest.raises(ValidationError) as refused:
        services.reported_figure_update(reported_figure=figure, user=admin(), data={"value": Decimal("-1.00")})

    assert refused.value.message_dict == {"__all__": ["A reported figure cannot be negative."]}
    assert (figure.value, ReportedFigure.objects.get().value) == (Decimal("300.00"), Decimal("300.00"))
