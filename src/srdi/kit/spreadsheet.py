"""Values written to a file people open in a spreadsheet: nothing in it may execute (CWE-1236, OWASP "CSV
Injection"), and long digit strings must stay text.

One function for every export (registry CSV/XLSX, import error reports, the finance file, reports to come):

- ``neutralise``: text starting with ``= + - @``, TAB or CR is what Excel, LibreOffice and WPS evaluate as a
  formula; it gets a leading apostrophe, the prefix those programs themselves use to mark a cell as text. In
  XLSX the value is then a plain string cell (openpyxl writes a formula only for text starting with ``=``).
- ``digits_as_text`` (CSV only): a CSV cell has no type, and Excel reads ``6222021234567890123`` as a number —
  6.22202E+18, digits lost. A leading TAB makes it text while the digits stay intact and the cell shows them
  as typed; ``="..."`` would be a formula itself and an apostrophe would show. Files for programs (the finance
  system) strip surrounding whitespace from the field. In XLSX, write the ``str`` itself: the cell type is string.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would evaluate gets an apostrophe in front; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def digits_as_text(value: str | None) -> str:
    """A CSV cell for an identifier made of digits (account numbers): kept as text, every digit kept."""
    if value is None:
        return ""
    safe = str(neutralise(value))
    return "\t" + safe if safe.isdigit() else safe
