"""Checks of text that crosses the boundary: control characters everywhere, look-alikes in names (QUALITY S6).

PostgreSQL refuses NUL in text (a DataError, so a 500) where SQLite stores it; lone surrogates cannot be encoded
as UTF-8 at all. Both are refused before any database sees them. Names additionally get Unicode NFKC (the
convention for Chinese names: full-width Latin letters and digits become half-width) and refuse the invisible and
bidirectional-control characters that make a look-alike of an existing name.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except TAB, LF and CR; DEL; the C1 block; lone surrogates; the two non-characters U+FFFE/U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Zero-width and invisible formatting characters, and every bidirectional control (Unicode TR #9, TR #36 §2).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\u3164\ufeff\uffa0]"
)


def control_error(value: str) -> str | None:
    """A Chinese message when ``value`` holds a character no field accepts, else None."""
    m = _CONTROL.search(value)
    if m is None:
        return None
    return f"含有不允许的控制字符（U+{ord(m.group()):04X}）"


_FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def clean_name(value: str) -> str:
    """A name as stored: NFKC, inner whitespace runs collapsed, trimmed. Raises ValueError (Chinese) if unfit."""
    if err := control_error(value):
        raise ValueError(err)
    if m := _INVISIBLE.search(value):
        raise ValueError(f"名称中含有不可见字符或文字方向控制字符（U+{ord(m.group()):04X}），请删除后重试")
    normal = unicodedata.normalize("NFKC", value)
    # NFKC folds the full-width brackets of registered Chinese names （…） into ASCII; names are registered with
    # the full-width ones, so they are put back — one spelling per name, whichever the user typed.
    normal = normal.translate(_FULL_WIDTH_BRACKETS)
    return " ".join(normal.split())
