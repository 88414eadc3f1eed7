"""Findings about enterprises for the quality report: what a data user should doubt or fix."""

from collections.abc import Iterator

from django.db.models import QuerySet

from delegations.models import Enterprise
from delegations.uscc import CHECK_WARNING


def uscc_check_findings(queryset: QuerySet[Enterprise]) -> Iterator[tuple[int, str]]:
    """``(enterprise id, sentence)`` for each enterprise of ``queryset`` whose USCC's check
    character does not match the rest of the code (kept with a warning, see delegations.uscc), by id."""
    rows = queryset.filter(uscc_check_valid=False).order_by("pk").values_list("pk", "uscc")
    for pk, code in rows.iterator():
        yield pk, CHECK_WARNING.format(code=code)
