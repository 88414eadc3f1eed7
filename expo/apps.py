from django.apps import AppConfig


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = "Expos"

    def ready(self) -> None:
        from expo import services
        from expo.models import Edition, Expo, Source, Venue
        from framework import sync
        from framework.services import register_writes

        for writes in (services.SOURCE_WRITES, services.VENUE_WRITES, services.EXPO_WRITES, services.EDITION_WRITES):
            register_writes(writes)
        sync.register_collection(Source, "sources")
        sync.register_collection(Venue, "venues")
        sync.register_collection(Expo, "expos")
        sync.register_collection(Edition, "editions")
