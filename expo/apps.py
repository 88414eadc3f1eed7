from django.apps import AppConfig


class ExpoConfig(AppConfig):
    name = "expo"
    verbose_name = "Expos"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from expo import sync
        from expo.history import fill_change_reason

        pre_create_historical_record.connect(fill_change_reason, dispatch_uid="expo.history.fill_change_reason")
        sync.connect()
