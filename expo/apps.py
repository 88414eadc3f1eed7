from django.apps import AppConfig


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = "Expos"

    def ready(self) -> None:
        from expo.models import Edition, Expo, Source, Venue
        from framework import sync

        sync.register_collection(Source, "sources")
        sync.register_collection(Venue, "venues")
        sync.register_collection(Expo, "expos")
        sync.register_collection(Edition, "editions")
