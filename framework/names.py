"""Names in two languages: how a Chinese name and a pinyin spelling become one search key, so that
"震坤行", "Zhènkūnxíng", "zhen kun xing" and "zhenkunxing" all find the same record."""

import unicodedata

from pypinyin import Style, lazy_pinyin


def is_han(char: str) -> bool:
    """Whether ``char`` is a Chinese (CJK unified) character."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\U00020000" <= char <= "\U0002a6df"


def has_han(text: str) -> bool:
    return any(is_han(char) for char in text)


def strip_tones(text: str) -> str:
    """``text`` without diacritics: "Zhènkūnxíng Lǜ" → "Zhenkunxing Lu"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def spelled(text: str) -> str:
    """The pinyin of ``text``'s Chinese characters with tone marks, in syllables joined as
    pypinyin reads them, other characters kept: "震坤行" → "zhènkūnxíng". The reading is the
    most common one; a record whose reading differs keeps its own spelling beside it."""
    return "".join(lazy_pinyin(text, style=Style.TONE))


def search_key(text: str) -> str:
    """The form searches compare: Chinese characters read as pinyin, tone marks, case, spaces and
    punctuation dropped, letters and digits kept: "震坤行（上海）" → "zhenkunxingshanghai",
    "Zhèn Kūn-xíng" → "zhenkunxing"."""
    if has_han(text):
        text = "".join(lazy_pinyin(text, style=Style.NORMAL))
    return "".join(char for char in strip_tones(text).lower() if char.isascii() and char.isalnum())


def search_keys(*texts: str) -> str:
    """The distinct search keys of ``texts``, space-separated, empty ones left out: the value of
    a record's hidden pinyin column, which a search term's own key is looked for in."""
    keys: list[str] = []
    for text in texts:
        key = search_key(text) if text else ""
        if key and key not in keys:
            keys.append(key)
    return " ".join(keys)
