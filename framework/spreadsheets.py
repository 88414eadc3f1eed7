"""What every spreadsheet the app writes shares: cells a spreadsheet would run as formulas stay text."""

from django.db.models import Case, Expression, F, TextField, Value, When
from django.db.models.functions import Concat, Ord
from django.db.models.lookups import In

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading apostrophe when it starts
    like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return), else unchanged."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def formula_escaped(text: Expression | F) -> Case:
    """``escape_formula`` in the database: the text expression ``text`` with a leading apostrophe
    when its first character is one of ``FORMULA_TRIGGERS``; NULL stays NULL. The first character
    is compared as a code point, which costs a database less than comparing substrings."""
    return Case(
        When(
            In(Ord(text), [ord(trigger) for trigger in FORMULA_TRIGGERS]),
            then=Concat(Value("'"), text, output_field=TextField()),
        ),
        default=text,
        output_field=TextField(),
    )
