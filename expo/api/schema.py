"""Schema generation: each operation lists the error responses it can give, all in one shape."""

from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema

# Operations that take If-Match (and so can answer 412).
CONDITIONAL_METHODS = ("PUT", "PATCH", "DELETE")


class AutoSchema(StandardizedAutoSchema):
    """Adds 409 to creates, deletes and the actions a view lists in ``conflict_actions``
    (a state that refuses the request, or an idempotency key reused), and 412 to the
    operations that honour ``If-Match``."""

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        action = getattr(self.view, "action", None)
        if status_code == "409":
            return self.method in ("POST", "DELETE") or action in getattr(self.view, "conflict_actions", ())
        if status_code == "412":
            return self.method in CONDITIONAL_METHODS or action in getattr(self.view, "conflict_actions", ())
        return super()._should_add_error_response(responses, status_code)
