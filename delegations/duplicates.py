"""Probable duplicates of an enterprise, saved or not: the enterprises that look like the same
organisation, each with a score from 0 to 100 and the reasons for it.

Names are compared by their keys (``delegations.name_keys.name_key``): legal-form words in English
(Co, Ltd, Inc, GmbH, LLC, Group, Holdings…) and Chinese (有限公司, 股份, 集团…), a place in brackets
(（上海）), punctuation, case and tone marks dropped. A reason and its weight:

============== ====== =================================================================
code           weight when
============== ====== =================================================================
same_uscc      100    both have the same Unified Social Credit Code
same_name      80     a name of one (English or Chinese) has the key of a name of the other
alias          70     a name or alias of one has the key of an alias of the other
same_pinyin    50     a name or alias of one reads as one of the other in pinyin
                      ("振坤行" and "震坤行", "Zhenkunxing" and "震坤行")
short_name     40     a name or alias of one is the leading part of one of the other: at
                      least two Chinese characters ("震坤行" of "震坤行工业超市（上海）有限公司",
                      whose key is "震坤行工业超市"), or whole leading words of at least
                      three letters ("ZKH" of "ZKH Industrial Supply Co")
same_country   10     both are in the same country; counted only with another reason
============== ====== =================================================================

Only the strongest of the name reasons counts (a same name is also a same pinyin); the score is
the sum of the weights counted, at most 100. A candidate scoring :data:`THRESHOLD` (60) or more is
a *probable* duplicate, and the API refuses to create an enterprise that has one (409) unless the
request names it as distinct. So a same USCC, a same name or an alias is enough alone; a same
pinyin needs the same country; a short form alone (40, or 50 in the same country) is listed but
never refuses a create, since a short name ("上海", "China") begins many others' names.

Candidates are found by indexed lookups of the keys each enterprise and alias stores, never by
reading every enterprise: one query for the same USCC, keys and pinyin, one for the names a short
form begins, and one (with its aliases) for the candidates found."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from delegations.models import Enterprise, EnterpriseAlias
from delegations.name_keys import is_short_form, longer_prefix, name_key, pinyin_key, short_forms

WEIGHTS = {
    "same_uscc": 100,
    "same_name": 80,
    "alias": 70,
    "same_pinyin": 50,
    "short_name": 40,
    "same_country": 10,
}
# The score from which a candidate is a probable duplicate.
THRESHOLD = 60
# The most candidates a check lists, best first.
MAX_CANDIDATES = 20
# The most rows each lookup reads before scoring.
LOOKUP_LIMIT = 200


@dataclass(frozen=True)
class Named:
    """One name of an enterprise (its English or Chinese name, or an alias) and its keys."""

    text: str
    key: str
    pinyin: str
    is_alias: bool = False

    @classmethod
    def of(cls, text: str, *, is_alias: bool = False) -> "Named":
        key = name_key(text)
        return cls(text=text, key=key, pinyin=pinyin_key(key), is_alias=is_alias)


@dataclass(frozen=True)
class Subject:
    """What is checked: an enterprise's names, aliases, USCC and country; ``id`` is the saved
    enterprise's (left out of its own candidates), or ``None`` for one not saved."""

    name: str = ""
    name_zh: str = ""
    uscc: str = ""
    country: str = ""
    aliases: Sequence[str] = ()
    id: int | None = None

    @classmethod
    def of(cls, enterprise: Enterprise, *, aliases: Iterable[str] | None = None) -> "Subject":
        """``enterprise`` as a subject, with ``aliases`` (by default its saved ones)."""
        if aliases is None:
            aliases = [alias.name for alias in enterprise.aliases.all()] if enterprise.pk is not None else []
        return cls(
            name=enterprise.name,
            name_zh=enterprise.name_zh,
            uscc=enterprise.uscc,
            country=enterprise.country,
            aliases=tuple(aliases),
            id=enterprise.pk,
        )

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to compare: no name, alias or USCC."""
        return not any(named.key for named in self.names()) and not self.uscc

    def names(self) -> list[Named]:
        names = [Named.of(text) for text in (self.name, self.name_zh) if text]
        return names + [Named.of(text, is_alias=True) for text in self.aliases if text]


@dataclass(frozen=True)
class Reason:
    code: str
    detail: str


@dataclass(frozen=True)
class Candidate:
    """A saved enterprise that may be the subject's duplicate."""

    enterprise: Enterprise
    score: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def is_probable(self) -> bool:
        return self.score >= THRESHOLD


def _names_of(enterprise: Enterprise) -> list[Named]:
    """The saved enterprise's names and aliases with the keys it stores (aliases prefetched)."""
    names = [
        Named(text=text, key=key, pinyin=pinyin)
        for text, key, pinyin in (
            (enterprise.name, enterprise.name_key, enterprise.name_pinyin_key),
            (enterprise.name_zh, enterprise.name_zh_key, enterprise.name_zh_pinyin_key),
        )
        if text
    ]
    return names + [
        Named(text=alias.name, key=alias.name_key, pinyin=alias.pinyin_key, is_alias=True)
        for alias in enterprise.aliases.all()
    ]


def _name_reason(ours: list[Named], theirs: list[Named]) -> Reason | None:
    """The strongest reason the names ``ours`` and ``theirs`` give (the first found of equal ones)."""
    best: Reason | None = None
    for one in ours:
        for other in theirs:
            reason = _pair_reason(one, other)
            if reason is not None and (best is None or WEIGHTS[reason.code] > WEIGHTS[best.code]):
                best = reason
    return best


def _pair_reason(one: Named, other: Named) -> Reason | None:
    if not one.key or not other.key:
        return None
    if one.key == other.key:
        if one.is_alias and other.is_alias:
            return Reason("alias", f'The aliases "{one.text}" and "{other.text}" are the same name.')
        if other.is_alias:
            return Reason("alias", f'"{one.text}" is the alias "{other.text}".')
        if one.is_alias:
            return Reason("alias", f'The alias "{one.text}" is "{other.text}".')
        return Reason(
            "same_name", f'"{one.text}" and "{other.text}" are the same name without legal form: "{one.key}".'
        )
    if one.pinyin and one.pinyin == other.pinyin:
        return Reason("same_pinyin", f'"{one.text}" and "{other.text}" read the same in pinyin: "{one.pinyin}".')
    if is_short_form(one.key, other.key):
        return Reason("short_name", f'"{one.text}" is a short form of "{other.text}".')
    if is_short_form(other.key, one.key):
        return Reason("short_name", f'"{other.text}" is a short form of "{one.text}".')
    return None


def score(subject: Subject, enterprise: Enterprise, *, names: list[Named] | None = None) -> Candidate | None:
    """How much ``enterprise`` (aliases prefetched) looks like ``subject``: ``None`` for no reason."""
    reasons: list[Reason] = []
    if subject.uscc and subject.uscc == enterprise.uscc:
        reasons.append(Reason("same_uscc", f"Both have the Unified Social Credit Code {subject.uscc}."))
    name_reason = _name_reason(names if names is not None else subject.names(), _names_of(enterprise))
    if name_reason is not None:
        reasons.append(name_reason)
    if not reasons:
        return None
    if subject.country and subject.country == enterprise.country:
        reasons.append(Reason("same_country", f"Both are in {subject.country}."))
    total = min(100, sum(WEIGHTS[reason.code] for reason in reasons))
    return Candidate(enterprise=enterprise, score=total, reasons=tuple(reasons))


def _lookups(subject: Subject, names: list[Named]) -> tuple[Q, Q, Q, Q]:
    """Conditions on enterprises and on aliases finding what shares a USCC, a key or a pinyin
    with ``subject`` (the first two), and what a short form of it begins, or is a short form of
    it (the last two)."""
    keys = {named.key for named in names if named.key}
    pinyins = {named.pinyin for named in names if named.pinyin}
    forms = {form for named in names for form in short_forms(named.key)}
    prefixes = {prefix for named in names if named.key and (prefix := longer_prefix(named.key))}
    none = Q(pk__in=[])
    same = Q(name_key__in=keys) | Q(name_zh_key__in=keys) if keys else none
    if pinyins:
        same |= Q(name_pinyin_key__in=pinyins) | Q(name_zh_pinyin_key__in=pinyins)
    if subject.uscc:
        same |= Q(uscc=subject.uscc)
    same_alias = (Q(name_key__in=keys) | Q(pinyin_key__in=pinyins)) if keys else none
    short = Q(name_key__in=forms) | Q(name_zh_key__in=forms) if forms else none
    short_alias = Q(name_key__in=forms) if forms else none
    for prefix in prefixes:
        short |= Q(name_key__startswith=prefix) | Q(name_zh_key__startswith=prefix)
        short_alias |= Q(name_key__startswith=prefix)
    return same, same_alias, short, short_alias


def candidates(
    subject: Subject, *, queryset: QuerySet[Enterprise] | None = None, limit: int = MAX_CANDIDATES
) -> list[Candidate]:
    """The enterprises of ``queryset`` (all by default) that look like ``subject``, best first
    (then by id), at most ``limit``."""
    queryset = Enterprise.objects.all() if queryset is None else queryset
    names = subject.names()
    if subject.is_empty:
        return []
    same, same_alias, short, short_alias = _lookups(subject, names)
    others = queryset.exclude(pk=subject.id) if subject.id is not None else queryset
    aliases = EnterpriseAlias.objects.order_by()
    found: list[int] = []
    for condition, alias_condition in ((same, same_alias), (short, short_alias)):
        owners = aliases.filter(alias_condition).values("enterprise_id")
        found += others.filter(condition | Q(pk__in=owners)).order_by("pk").values_list("pk", flat=True)[:LOOKUP_LIMIT]
    rows = others.filter(pk__in=set(found)).prefetch_related(Prefetch("aliases", queryset=aliases.order_by("name")))
    scored = [candidate for row in rows if (candidate := score(subject, row, names=names)) is not None]
    scored.sort(key=lambda candidate: (-candidate.score, candidate.enterprise.pk))
    return scored[:limit]


def probable_duplicates(
    subject: Subject, *, queryset: QuerySet[Enterprise] | None = None, ignore: Iterable[int] = ()
) -> list[Candidate]:
    """The candidates of ``subject`` scoring :data:`THRESHOLD` or more, but those in ``ignore``."""
    ignored = set(ignore)
    return [
        candidate
        for candidate in candidates(subject, queryset=queryset)
        if candidate.is_probable and candidate.enterprise.pk not in ignored
    ]
