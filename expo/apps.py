from django.apps import AppConfig


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = "Expos"

    def ready(self) -> None:
        from expo import sync

        sync.connect()
