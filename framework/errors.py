"""Domain errors: raised by services and selectors when a rule of the domain refuses an action.
The API maps each to an HTTP status in one place; the admin shows its message."""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` says which and why."""

    code = "domain_error"
    # The HTTP status the API answers with: 400 for a request the rules refuse, 409 for one the
    # current state of a record refuses.
    status_code = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
