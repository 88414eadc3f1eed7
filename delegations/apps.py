from django.apps import AppConfig


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = "Delegations and enterprises"

    def ready(self) -> None:
        from delegations import quality, services
        from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
        from delegations.selectors import editor_delegation_ids
        from framework import access, sync
        from framework.services import register_writes

        access.register_editor_delegations(editor_delegation_ids)
        # An editor recording a deal with a new counterparty creates it; admins change and delete enterprises.
        access.register_editor_creates(Enterprise)
        access.register_scope(Participation, access.Scope(delegation_path="delegation"))
        access.register_scope(Settlement, access.Scope(delegation_path="participation__delegation"))
        access.register_scope(PromotionalActivity, access.Scope(delegation_path="participation__delegation"))
        for writes in (
            services.DELEGATION_WRITES,
            services.ENTERPRISE_WRITES,
            services.PARTICIPATION_WRITES,
            services.SETTLEMENT_WRITES,
            services.ACTIVITY_WRITES,
        ):
            register_writes(writes)
        sync.register_collection(Delegation, "delegations")
        sync.register_collection(Enterprise, "enterprises")
        sync.register_collection(Participation, "participations")
        sync.register_collection(Settlement, "settlements")
        sync.register_collection(PromotionalActivity, "activities")
        quality.register_checks()
