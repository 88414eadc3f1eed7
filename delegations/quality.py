"""What the quality report (framework.quality) finds in enterprises: a USCC whose check
character fails (kept with a warning, see delegations.uscc), and probable duplicates."""

from collections.abc import Iterator
from operator import attrgetter

from django.db.models import Exists, OuterRef, Q, QuerySet

from delegations.models import Enterprise, EnterpriseAlias
from delegations.uscc import CHECK_WARNING
from framework import quality


def uscc_check_fails(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises of ``enterprises`` whose USCC's check character does not match the rest."""
    return enterprises.filter(uscc_check_valid=False)


def uscc_check_findings(queryset: QuerySet[Enterprise]) -> Iterator[tuple[int, str]]:
    """``(enterprise id, sentence)`` for each enterprise of ``queryset`` whose USCC's check
    character fails, by id."""
    rows = uscc_check_fails(queryset).order_by("pk").values_list("pk", "uscc")
    for pk, code in rows.iterator():
        yield pk, CHECK_WARNING.format(code=code)


def probable_duplicates(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises of ``enterprises`` another enterprise shares a name with, once legal-form
    words are stripped (in either language), or whose name is another enterprise's alias: each
    of these alone scores above the duplicate threshold (delegations.duplicates). Weaker reasons
    (the same pinyin, a short form) are left to ``GET /api/enterprises/{id}/duplicates/``."""
    others = Enterprise.objects.exclude(pk=OuterRef("pk"))
    same_name = Exists(others.filter(name_key=OuterRef("name_key"))) & ~Q(name_key="")
    same_zh_name = Exists(others.filter(name_zh_key=OuterRef("name_zh_key"))) & ~Q(name_zh_key="")
    aliases = EnterpriseAlias.objects.exclude(enterprise=OuterRef("pk"))
    an_alias = Exists(aliases.filter(name_key=OuterRef("name_key"))) & ~Q(name_key="")
    return enterprises.filter(same_name | same_zh_name | an_alias)


def register_checks() -> None:
    """Register the enterprise checks with the quality report."""
    quality.register_query_check(
        "uscc_check_fails",
        model=Enterprise,
        description="An enterprise whose Unified Social Credit Code has a check character that does not match "
        "its other 17 characters: kept (some codes really issued fail the check), but worth checking.",
        matches=uscc_check_fails,
        sentence=lambda enterprise: CHECK_WARNING.format(code=enterprise.uscc),
        label=attrgetter("name"),
    )
    quality.register_query_check(
        "probable_duplicate",
        model=Enterprise,
        description="An enterprise that shares its name (legal-form words stripped, in English or Chinese) with "
        "another, or whose name is another's alias: `GET /api/enterprises/{id}/duplicates/` ranks the "
        "candidates; merge them with `POST /api/enterprises/{id}/merge/`.",
        matches=probable_duplicates,
        sentence=lambda enterprise: (
            f"Enterprise '{enterprise.name}' is probably a duplicate of another: see "
            f"/api/enterprises/{enterprise.pk}/duplicates/."
        ),
        label=attrgetter("name"),
    )
