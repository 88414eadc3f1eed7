"""Whether a statement's quote says what the statement records: the quote occurs in its source's
stored text, and one of the numbers it states equals the value, with qualifier words that agree.

Numbers are read as a reader would (:func:`numbers_in`):

- digits with thousands separators and decimals: ``3,014`` → 3014, ``57.83`` → 57.83;
- a scale word after them: ``1.7 million`` → 1700000, ``US$2.13 billion`` → 2130000000,
  ``5 thousand`` → 5000 (also ``trillion``);
- English number words from one to twenty, any case (``eight`` → 8, ``Ten`` → 10), also with a
  scale word (``two million``);
- a currency sign or code before or a currency word after (``US$``, ``$``, ``CNY``, ``RMB``,
  ``¥``, ``yuan``) marks money in that currency;
- the qualifier words just before a number (``more than``, ``over``, ``surpassing``, ``above``,
  ``at least``, ``about``, ``around``, ``nearly``, ``some``) say its qualifier; none is ``exact``.

"Nearly" (below the number) is read as ``about``. A quote stating several numbers is fine when one
of them equals the value and its qualifier words agree with the statement's qualifier."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# The qualifier the words before a number say, longest first so "more than" wins over "than".
QUALIFIER_WORDS = {
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "surpassing": "more_than",
    "exceeding": "more_than",
    "exceeded": "more_than",
    "exceeds": "more_than",
    "in excess of": "more_than",
    "at least": "at_least",
    "no less than": "at_least",
    "about": "about",
    "around": "about",
    "approximately": "about",
    "nearly": "about",
    "almost": "about",
    "some": "about",
    "roughly": "about",
}
CURRENCY_SIGNS = {"us$": "USD", "$": "USD", "usd": "USD", "cny": "CNY", "rmb": "CNY", "¥": "CNY", "￥": "CNY"}
CURRENCY_WORDS = {"yuan": "CNY", "dollars": "USD", "dollar": "USD"}

_word = "|".join(WORDS)
_scale = "|".join(SCALES)
_qualifier = "|".join(sorted((re.escape(words) for words in QUALIFIER_WORDS), key=len, reverse=True))
_sign = "|".join(sorted((re.escape(sign) for sign in CURRENCY_SIGNS), key=len, reverse=True))
NUMBER = re.compile(
    rf"(?:\b(?P<qualifier>{_qualifier})\s+)?"
    rf"(?:(?P<sign>{_sign})\s?)?"
    rf"(?:(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)|\b(?P<word>{_word})\b)"
    rf"(?:\s+(?P<scale>{_scale})\b)?"
    rf"(?:\s+(?P<currency>{'|'.join(CURRENCY_WORDS)})\b)?",
    re.IGNORECASE,
)
# A conversion the source gives in brackets right after an amount: "1.7 million yuan (US$261,538)".
CONVERSION = re.compile(r"\s*\(\s*(?:US\$|USD\s?)(?P<usd>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*\)")


@dataclass(frozen=True)
class StatedNumber:
    """A number a text states: its ``value``, the ``qualifier`` the words before it say
    (``exact`` without any), its ``currency`` where it is money (else ``""``), the ``text`` it
    was read from and, where the source converts it in brackets, its ``usd`` value."""

    value: Decimal
    qualifier: str
    currency: str
    text: str
    usd: Decimal | None = None


def normalised(text: str) -> str:
    """``text`` with every run of whitespace made one space, and typographic quotes and
    apostrophes made plain, as quotes are compared."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def numbers_in(text: str) -> Iterator[StatedNumber]:
    """Every number ``text`` states, in order (see the module's description)."""
    for match in NUMBER.finditer(text):
        digits, word = match["digits"], match["word"]
        value = Decimal(digits.replace(",", "")) if digits else Decimal(WORDS[word.lower()])
        if match["scale"]:
            value *= SCALES[match["scale"].lower()]
        sign, currency_word = match["sign"], match["currency"]
        currency = (
            CURRENCY_SIGNS[sign.lower()] if sign else CURRENCY_WORDS[currency_word.lower()] if currency_word else ""
        )
        qualifier = QUALIFIER_WORDS[" ".join(match["qualifier"].lower().split())] if match["qualifier"] else "exact"
        conversion = CONVERSION.match(text, match.end())
        usd = Decimal(conversion["usd"].replace(",", "")) if conversion and currency != "USD" else None
        yield StatedNumber(value=value, qualifier=qualifier, currency=currency, text=match[0], usd=usd)


def stated_number(*, quote: str, value: Decimal, qualifier: str, currency: str = "") -> StatedNumber | None:
    """The number of ``quote`` that states ``value`` with ``qualifier`` (in ``currency``, where
    the quote names one for it), or ``None`` when none does."""
    for number in numbers_in(quote):
        if number.value != value or number.qualifier != qualifier:
            continue
        if currency and number.currency and number.currency != currency:
            continue
        return number
    return None


@dataclass(frozen=True)
class QuoteProblem:
    """Why a quote does not bear its statement out: the ``field`` at fault, a ``message`` and its ``code``."""

    field: str
    message: str
    code: str


def quote_problem(*, quote: str, text: str, value: Decimal, qualifier: str, currency: str = "") -> QuoteProblem | None:
    """What is wrong with citing ``quote`` of a source whose stored text is ``text`` for
    ``value`` with ``qualifier``: the quote is not in the text (``quote``), or no number it
    states is the value with that qualifier (``value``; ``quote`` when it states no number at
    all); ``None`` when nothing is. An empty
    ``text`` (no stored copy) checks only the number."""
    if text and normalised(quote) not in normalised(text):
        return QuoteProblem("quote", "The quote does not occur in the source's stored text.", "quote_not_in_source")
    if stated_number(quote=quote, value=value, qualifier=qualifier, currency=currency) is not None:
        return None
    found = [f"{number.text.strip()} ({number.qualifier})" for number in numbers_in(quote)]
    if not found:
        return QuoteProblem("quote", "The quote states no number.", "quote_states_no_number")
    return QuoteProblem(
        "value",
        f"The quote does not state {value.normalize():f} ({qualifier}): it states {'; '.join(found)}.",
        "quote_states_another_value",
    )
