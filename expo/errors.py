"""Domain errors: raised by services and selectors when a rule of the domain refuses an action.
The API maps each to an HTTP status in one place; the admin shows its message."""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` says which and why."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
