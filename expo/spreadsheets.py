"""What every spreadsheet the app writes shares: cells a spreadsheet would run as formulas stay text."""

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a leading apostrophe when it starts
    like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return), else unchanged."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text
