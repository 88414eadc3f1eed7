"""The normalised form of an enterprise's name that duplicate detection compares
(``delegations.duplicates``): legal-form words, a place in brackets, punctuation and case dropped,
so that "ZKH Industrial Supply Co., Ltd." and "ZKH Industrial Supply Co" have one key, and
"震坤行工业超市（上海）有限公司" the key "震坤行工业超市". Each enterprise and alias stores the key
of its names (and its pinyin), so candidates are found by indexed lookups."""

import re
import unicodedata

from framework.names import is_han, search_key, strip_tones

# Latin words that say what legal form a company has, not which company it is (compared lowercased,
# dots removed: "Co." is "co", "S.A." is "sa"). "The" and "and" go too: "The Dow Chemical Company".
LEGAL_WORDS = frozenset(
    {
        "ab",
        "ag",
        "and",
        "as",
        "bv",
        "co",
        "companies",
        "company",
        "corp",
        "corporation",
        "gmbh",
        "group",
        "holding",
        "holdings",
        "inc",
        "incorporated",
        "jsc",
        "kg",
        "kk",
        "limited",
        "llc",
        "llp",
        "lp",
        "ltd",
        "nv",
        "oy",
        "plc",
        "pte",
        "pty",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
        "the",
    }
)
# Chinese legal forms, longest first, dropped from the end of a name as often as they occur there:
# "股份有限公司" before "有限公司", "集团有限公司" as "有限公司" then "集团".
CHINESE_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份", "集团", "公司", "有限")
# A bracketed part of Chinese characters only, e.g. the place in "震坤行（上海）有限公司" (the
# full-width brackets are ASCII ones once NFKC-normalised).
CHINESE_BRACKETED = re.compile(r"\(([\u3400-\u4dbf\u4e00-\u9fff]*)\)")
# The shortest leading part that counts as a short form of a longer name: two Chinese characters
# ("陶氏" for "陶氏化学"), or three Latin letters or digits ending at a word's end ("ZKH" for "ZKH
# Industrial Supply").
MIN_CHINESE_SHORT_FORM = 2
MIN_LATIN_SHORT_FORM = 3


def _tokens(text: str) -> list[str]:
    """``text``'s words: runs of Latin letters and digits (lowercased, tones dropped) and runs of
    Chinese characters, in order."""
    tokens: list[str] = []
    current = ""
    kind = ""
    for char in text:
        char_kind = "han" if is_han(char) else "latin" if char.isascii() and char.isalnum() else ""
        if char_kind != kind and current:
            tokens.append(current)
            current = ""
        kind = char_kind
        if char_kind:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _strip_chinese_legal_form(token: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for suffix in CHINESE_LEGAL_SUFFIXES:
            if token.endswith(suffix) and len(token) > len(suffix):
                token = token[: -len(suffix)]
                stripped = True
                break
    return token


def name_key(text: str) -> str:
    """``text`` with legal-form words, a bracketed place, punctuation, case and tone marks dropped,
    words joined by single spaces: "ZKH Industrial Supply Co., Ltd." → "zkh industrial supply",
    "震坤行工业超市（上海）有限公司" → "震坤行工业超市", "Zhènkūnxíng" → "zhenkunxing". A name that is
    nothing but legal-form words keeps them ("The Company" → "the company"); empty stays empty."""
    text = unicodedata.normalize("NFKC", text)
    text = CHINESE_BRACKETED.sub("", text)
    text = strip_tones(text).lower().replace(".", "").replace("'", "").replace("’", "")
    tokens = _tokens(text)
    kept = [
        _strip_chinese_legal_form(token) if is_han(token[0]) else token
        for token in tokens
        if is_han(token[0]) or token not in LEGAL_WORDS
    ]
    return " ".join(kept or tokens)


def pinyin_key(key: str) -> str:
    """How ``key`` (a :func:`name_key`) sounds: its pinyin, without tones or spaces, the form
    ``framework.names.search_key`` gives: "震坤行工业超市" → "zhenkunxinggongyechaoshi"."""
    return search_key(key)


def _is_chinese(key: str) -> bool:
    return " " not in key and all(is_han(char) for char in key)


def short_forms(key: str) -> list[str]:
    """The leading parts of ``key`` long enough to be a short form of it, shortest first: a
    Chinese key's first 2, 3, … characters, a Latin key's first words ("zkh", "zkh industrial"
    for "zkh industrial supply"); never the whole key."""
    if not key:
        return []
    if _is_chinese(key):
        return [key[:length] for length in range(MIN_CHINESE_SHORT_FORM, len(key))]
    words = key.split(" ")
    forms = [" ".join(words[:count]) for count in range(1, len(words))]
    return [form for form in forms if len(form) >= MIN_LATIN_SHORT_FORM]


def is_short_form(short: str, long: str) -> bool:
    """Whether the key ``short`` is a short form of the key ``long`` (see :func:`short_forms`)."""
    return short in short_forms(long)


def longer_prefix(short: str) -> str | None:
    """What a key that ``short`` is a short form of starts with (for a ``startswith`` lookup),
    or ``None`` when ``short`` is too short to be one."""
    if _is_chinese(short):
        return short if len(short) >= MIN_CHINESE_SHORT_FORM else None
    return f"{short} " if len(short) >= MIN_LATIN_SHORT_FORM else None
