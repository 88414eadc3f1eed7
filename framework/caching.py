"""Results computed from the records, kept in the cache under the data version
(framework.sync.data_version): any change to a record makes every kept result stale at once. Without a
working cache, results are computed every time."""

import contextlib
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import QuerySet

Result = TypeVar("Result")


def query_stamp(queryset: QuerySet) -> str:
    """What identifies the rows of ``queryset``: its database, SQL and parameters."""
    sql, params = queryset.query.sql_with_params()
    return f"{queryset.db}:{sql}:{params!r}"


def kept(namespace: str, stamp: Callable[[], str], compute: Callable[[], Result], *, seconds: int) -> Result:
    """``compute()``, kept for ``seconds`` under ``stamp()`` and the data version (0 seconds:
    computed every time). A stamp that cannot be made, or a cache that fails, and it is computed."""
    if not seconds:
        return compute()
    from framework.sync import data_version

    try:
        key = f"expo:{namespace}:" + hashlib.sha256(f"{data_version()}:{stamp()}".encode()).hexdigest()
        value = cache.get(key)
    except Exception:  # what is kept is an optimisation: compute instead
        return compute()
    if value is None:
        value = compute()
        with contextlib.suppress(Exception):  # the result stands without the cache
            cache.set(key, value, seconds)
    return value
