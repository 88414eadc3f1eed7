"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet; the last is a check character chosen so that the weighted sum of all 18
character values is a multiple of 31.

The format is a rule (a model validator and a database constraint refuse anything else); the check
character is not: some codes really issued fail it (codes of Xiamen companies registered before
2016, for one), so a failing check character is a warning kept on the record
(``Enterprise.uscc_check_valid``) and listed by ``delegations.quality``."""

from django.core.exceptions import ValidationError
from django.db.models import Q, Value
from django.db.models.functions import Length, StrIndex, Substr
from django.db.models.lookups import Exact, GreaterThan

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weights of positions 1–17 (3**i mod 31); the check character's weight is 1.
WEIGHTS = (*(pow(3, i, 31) for i in range(17)), 1)
LENGTH = 18
MESSAGE = "A Unified Social Credit Code has 18 characters: digits and capital letters other than I, O, S, V, Z."
CHECK_WARNING = "The check character of its Unified Social Credit Code {code} does not match the other 17 characters."


def check_character(first17: str) -> str:
    """The check character that completes ``first17`` into a valid code."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS[:17], strict=True))
    return ALPHABET[-total % 31]


def is_well_formed(code: str) -> bool:
    """Whether ``code`` is 18 characters of the alphabet (the rule every stored code keeps)."""
    return len(code) == LENGTH and all(char in ALPHABET for char in code)


def check_character_matches(code: str) -> bool:
    """Whether the check character of the well-formed ``code`` matches its first 17 characters."""
    return sum(ALPHABET.index(char) * weight for char, weight in zip(code, WEIGHTS, strict=True)) % 31 == 0


def is_valid(code: str) -> bool:
    """Whether ``code`` is well formed with a correct check character."""
    return is_well_formed(code) and check_character_matches(code)


def validate(code: str) -> None:
    """Raise ``ValidationError`` unless ``code`` is empty or well formed (a form field validator);
    the check character is only a warning (see the module)."""
    if code and not is_well_formed(code):
        raise ValidationError(MESSAGE, code="invalid_uscc")


def database_condition(field: str) -> Q:
    """:func:`is_well_formed` (or empty) as a condition the database checks on ``field``: 18
    characters, each found in the alphabet (``StrIndex`` is 0 for a character outside it)."""
    condition = Q(Exact(Length(field), LENGTH))
    for index in range(1, LENGTH + 1):
        condition &= Q(GreaterThan(StrIndex(Value(ALPHABET), Substr(field, index, 1)), 0))
    return Q(**{field: ""}) | condition
