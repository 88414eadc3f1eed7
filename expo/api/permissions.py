"""Who may do what through the API (SPEC §4); which rows they see is decided by expo.access."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from expo import access


class RolePermission(BasePermission):
    """Reads are open to every role (each sees its own scope of rows). Writes: admins anywhere;
    delegation editors on the collections whose view sets ``editor_writable = True``."""

    # For the schema (expo.api.schema): anonymous callers pass for reads.
    public_reads = True

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        role = access.role_of(request.user)
        if role is access.Role.ADMIN:
            return True
        return role is access.Role.EDITOR and getattr(view, "editor_writable", False)


class ReadsHistory(BasePermission):
    """Change histories name who changed what, and show values from before publication: they
    are for analysts, editors and admins, not the public."""

    message = "Change histories are for analysts, delegation editors and admins."

    def has_permission(self, request, view) -> bool:
        return access.role_of(request.user) is not access.Role.ANONYMOUS
