from django.db import migrations

from framework.trigrams import search_index


class Migration(migrations.Migration):
    """Searches of enterprises (names, aliases, codes, pinyin), delegations and activities, and
    the deal search's look at parties and delegations, read trigram indexes on PostgreSQL."""

    dependencies = [
        ("delegations", "0009_enterprise_duplicate_keys_and_uscc_warning"),
        ("expo", "0009_search_trigram_indexes"),
    ]

    operations = [
        search_index(
            "delegations_enterprise",
            "enterprise_search_trgm_idx",
            texts=("name", "name_zh", "uscc", "registry_id", "industry"),
            keys=("search_pinyin",),
        ),
        search_index(
            "delegations_enterprisealias", "enterprisealias_search_trgm_idx", texts=("name",), keys=("search_pinyin",)
        ),
        search_index(
            "delegations_delegation",
            "delegation_search_trgm_idx",
            texts=("name", "name_zh", "region"),
            keys=("search_pinyin",),
        ),
        search_index(
            "delegations_promotionalactivity",
            "activity_search_trgm_idx",
            texts=("title", "title_zh", "description", "location"),
            keys=("search_pinyin",),
        ),
    ]
