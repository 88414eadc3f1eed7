"""What a refused write looks like on each database, for the constraint tests."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction


def violation_message(constraint: str, *, unique_columns: tuple[str, ...] = ()) -> str:
    """The part of the database's error message that identifies ``constraint``. PostgreSQL names
    every constraint; SQLite names check constraints but, for a unique constraint, its columns
    (``table.column``), which the caller passes as ``unique_columns``."""
    vendor = connection.vendor
    if unique_columns:
        if vendor == "sqlite":
            return f"UNIQUE constraint failed: {', '.join(unique_columns)}"
        return f'duplicate key value violates unique constraint "{constraint}"'
    if vendor == "sqlite":
        return f"CHECK constraint failed: {constraint}"
    return f'violates check constraint "{constraint}"'


@contextmanager
def violates(constraint: str, *, unique_columns: tuple[str, ...] = ()) -> Iterator[None]:
    """Expect the block's write to be refused with an IntegrityError naming ``constraint``. The
    block runs in its own savepoint, so the test can go on using the database afterwards."""
    message = violation_message(constraint, unique_columns=unique_columns)
    with pytest.raises(IntegrityError, match=re.escape(message)), transaction.atomic():
        yield
