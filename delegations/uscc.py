"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet; the last is a check character chosen so that the weighted sum of all 18
character values is a multiple of 31."""

from django.core.exceptions import ValidationError
from django.db.models import Expression, Q, Value
from django.db.models.functions import Length, Mod, StrIndex, Substr
from django.db.models.lookups import Exact, GreaterThan

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weights of positions 1–17 (3**i mod 31); the check character's weight is 1.
WEIGHTS = (*(pow(3, i, 31) for i in range(17)), 1)
LENGTH = 18
MESSAGE = (
    "A Unified Social Credit Code has 18 characters (digits and capital letters other than I, O, S, V, Z) "
    "and a valid check character."
)


def check_character(first17: str) -> str:
    """The check character that completes ``first17`` into a valid code."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS[:17], strict=True))
    return ALPHABET[-total % 31]


def is_valid(code: str) -> bool:
    """Whether ``code`` is 18 characters of the alphabet with a correct check character."""
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return False
    return sum(ALPHABET.index(char) * weight for char, weight in zip(code, WEIGHTS, strict=True)) % 31 == 0


def validate(code: str) -> None:
    """Raise ``ValidationError`` unless ``code`` is empty or a valid code (a form field validator)."""
    if code and not is_valid(code):
        raise ValidationError(MESSAGE, code="invalid_uscc")


def database_condition(field: str) -> Q:
    """:func:`is_valid` (or empty) as a condition the database checks on ``field``.

    Each character's value is its 1-based position in the alphabet minus one; a character
    outside the alphabet has position 0 and fails the check."""
    positions = [StrIndex(Value(ALPHABET), Substr(field, index, 1)) for index in range(1, LENGTH + 1)]
    condition = Q(Exact(Length(field), LENGTH))
    weighted_sum: Expression = Value(0)
    for position, weight in zip(positions, WEIGHTS, strict=True):
        condition &= Q(GreaterThan(position, 0))
        weighted_sum = weighted_sum + (position - 1) * weight
    return Q(**{field: ""}) | (condition & Q(Exact(Mod(weighted_sum, 31), 0)))
