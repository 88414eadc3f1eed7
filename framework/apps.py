from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    """What every app shares: the base model, access, history, sync and the API framework."""

    name = "framework"
    verbose_name = "API"

    def ready(self) -> None:
        from django.core import checks
        from simple_history.signals import pre_create_historical_record

        from framework import access
        from framework.api.checks import check_serializer_declarations
        from framework.history import fill_change_reason
        from framework.models import Deletion

        pre_create_historical_record.connect(fill_change_reason, dispatch_uid="framework.history.fill_change_reason")
        # What the API's serializers declare for their queries is checked before the site serves.
        checks.register(check_serializer_declarations, "api")
        # Read only: an entry of the deletion feed is visible to those who could see the record.
        access.register_scope(Deletion, access.Scope(delegation_path="delegation_id", publishable=True, editable=False))
