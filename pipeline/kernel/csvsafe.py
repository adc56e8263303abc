"""CSV files that are safe to open in a spreadsheet: the one writer every CSV of the project goes through.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, WPS and
LibreOffice as a formula (`=HYPERLINK(...)`, `=cmd|...`): OCR text and typed corrections are
untrusted, so such a cell is written with a leading apostrophe, as OWASP's "CSV Injection" page
recommends (the apostrophe makes the spreadsheet show the text as text). Numbers are written as
numbers (a negative number is no formula). The raw value stays intact wherever the data is
exchanged by machines: the JSON Lines files of an exchange package, the platform's tables.
"""

from __future__ import annotations

import csv
from typing import Any, Iterable, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: None -> "", text a spreadsheet would run as a formula -> "'" + text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows go through safe_cell."""

    def __init__(self, f: TextIO, **kwargs: Any):
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(f: TextIO, **kwargs: Any) -> SafeWriter:
    return SafeWriter(f, **kwargs)
