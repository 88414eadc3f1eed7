"""Schema generation: each operation lists the error responses it can give, all in one shape."""

from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema


class AutoSchema(StandardizedAutoSchema):
    """Adds 409 to deletes and to operations that declare ``conflict_actions`` on their view."""

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409":
            action = getattr(self.view, "action", None)
            return self.method == "DELETE" or action in getattr(self.view, "conflict_actions", ())
        return super()._should_add_error_response(responses, status_code)
