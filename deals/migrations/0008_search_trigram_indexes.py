from django.db import migrations

from framework.trigrams import search_index


class Migration(migrations.Migration):
    """The deal search (titles, descriptions, line-item products) and the searches of markets and
    categories read trigram indexes on PostgreSQL."""

    dependencies = [
        ("deals", "0007_deal_value_optional_and_stated_rate"),
        ("delegations", "0010_search_trigram_indexes"),
    ]

    operations = [
        search_index("deals_deal", "deal_search_trgm_idx", texts=("title", "description")),
        search_index("deals_deallineitem", "deallineitem_search_trgm_idx", texts=("product",)),
        search_index("deals_market", "market_search_trgm_idx", texts=("name", "name_zh"), keys=("search_pinyin",)),
        search_index(
            "deals_category",
            "category_search_trgm_idx",
            texts=("name", "name_zh", "description"),
            keys=("search_pinyin",),
        ),
    ]
