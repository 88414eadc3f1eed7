from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from deals import quality, services
        from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market
        from framework import access, sync
        from framework.services import register_writes

        access.register_scope(Deal, access.Scope(delegation_path="delegation", publishable=True))
        sync.register_collection(Deal, "deals", changed_with=(DealLineItem,))
        for writes in (services.MARKET_WRITES, services.CATEGORY_WRITES, services.EXCHANGE_RATE_WRITES):
            register_writes(writes)
        sync.register_collection(Market, "markets")
        sync.register_collection(Category, "categories")
        sync.register_collection(ExchangeRate, "exchange-rates")
        quality.register_checks()
