"""The reason a change history records, for every change made in a block of code.

Changes record their user through the request (or ``_history_user``) and their reason through
``_change_reason`` on the record saved. Where the records are saved by code that does not take a
reason (a serializer's ``save()``, a service), ``with change_reason("bulk"):`` gives every history
row written inside the block that reason, unless the record set one of its own."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_reason: ContextVar[str | None] = ContextVar("history_change_reason", default=None)


@contextmanager
def change_reason(reason: str) -> Iterator[None]:
    """Record ``reason`` with every history row written in the block (in this thread or task only)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)


def fill_change_reason(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Give a history row about to be written the reason of the enclosing :func:`change_reason`."""
    reason = _reason.get()
    if reason is not None and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason
