"""Who may do what through the API (SPEC §4); which rows they see is decided by framework.access."""

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

from framework import access

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RolePermission(BasePermission):
    """Reads are open to every role (each sees its own scope of rows). Writes: admins anywhere;
    delegation editors on the collections whose model has an editable scope, and creates (single
    or bulk) on those they create rows of (framework.access)."""

    # For the schema (framework.api.schema): anonymous callers pass for reads.
    public_reads = True

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        if request.method in SAFE_METHODS:
            return True
        role = access.role_of(request.user)
        if role is access.Role.ADMIN:
            return True
        model = getattr(getattr(view, "queryset", None), "model", None)
        if role is not access.Role.EDITOR or model is None:
            return False
        # A bulk write is checked again per kind of item, as a create and as a change (framework.api.bulk).
        creating = getattr(view, "action", None) in ("create", "bulk")
        return access.editor_writable(model) or (creating and access.editor_creates(model))


class ForDataUsers(BasePermission):
    """For analysts, delegation editors and admins, not the public (nor a user with no role):
    anonymous callers get a 401, signed-in ones a 403 with ``message``."""

    message = "For analysts, delegation editors and admins."

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return access.role_of(request.user) is not access.Role.ANONYMOUS


class ReadsHistory(ForDataUsers):
    """Change histories name who changed what, and show values from before publication."""

    message = "Change histories are for analysts, delegation editors and admins."


class ReadsQualityReport(ForDataUsers):
    """The quality report is a worklist for those who keep or study the data; each reader sees
    the findings about the records they may read."""

    message = "The quality report is for analysts, delegation editors and admins."
