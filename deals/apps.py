from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market
        from framework import access, sync

        access.register_scope(Deal, access.Scope(delegation_path="delegation", publishable=True))
        sync.register_collection(Deal, "deals", changed_with=(DealLineItem,))
        sync.register_collection(Market, "markets")
        sync.register_collection(Category, "categories")
        sync.register_collection(ExchangeRate, "exchange-rates")
