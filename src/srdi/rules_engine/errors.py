"""Errors raised while loading or checking rule files; each names the file, the line and the expression."""

from __future__ import annotations


class RuleError(Exception):
    def __init__(
        self, message: str, *, file: str = "?", line: int | None = None, expression: str = ""
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.expression = expression
        where = f"{file}:{line}" if line is not None else file
        text = f"{where}: {message}"
        if expression:
            text += f"\n    in expression: {expression}"
        super().__init__(text)


class FactsError(ValueError):
    """A facts document field has a value of the wrong shape (not merely absent: absent means unknown)."""
