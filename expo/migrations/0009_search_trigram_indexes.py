from django.db import migrations

from framework.trigrams import TrigramExtension, search_index


class Migration(migrations.Migration):
    """Searches of expos, editions, venues and sources read trigram indexes on PostgreSQL (where
    pg_trgm is installed here, for every app's search indexes); SQLite is left as it is."""

    dependencies = [
        ("expo", "0008_source_text"),
    ]

    operations = [
        TrigramExtension(),
        search_index(
            "expo_expo", "expo_search_trgm_idx", texts=("name", "short_name", "name_zh"), keys=("search_pinyin",)
        ),
        search_index("expo_edition", "edition_search_trgm_idx", texts=("name", "name_zh"), keys=("search_pinyin",)),
        search_index(
            "expo_venue",
            "venue_search_trgm_idx",
            texts=("name", "name_zh", "district", "city"),
            keys=("search_pinyin",),
        ),
        search_index("expo_source", "source_search_trgm_idx", texts=("title", "author", "publisher")),
    ]
