"""Read logic for deals and their reference data: every deal the API returns comes through
:func:`deal_list`, scoped to the caller and with the relations a response renders."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market


def deal_list(*, user) -> QuerySet[Deal]:
    """The deals ``user`` may see (the public sees published deals past any embargo), with
    parties, delegation, edition, markets and line items fetched in three queries."""
    deals = Deal.objects.select_related(
        "buyer", "seller", "delegation", "edition__expo", "first_deal_of", "source"
    ).prefetch_related(
        "markets",
        Prefetch("line_items", queryset=DealLineItem.objects.select_related("category")),
    )
    if user is None or not user.is_authenticated:
        deals = deals.filter(is_published=True).filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.now())
        )
    return deals


def market_list() -> QuerySet[Market]:
    return Market.objects.select_related("source")


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("source")


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.select_related("source")
