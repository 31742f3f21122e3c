"""User strings made safe to print: no control character reaches a terminal or forges a line.

A leaf module (it imports nothing of the package). :func:`visible` escapes the
characters that move the cursor, start terminal escape sequences or reorder text
(bidi overrides), so that ``member_id = "M-1\\nMember M-2: COMPLIANT"`` prints as
one line, ``M-1\\nMember M-2: COMPLIANT``. :func:`shown` quotes an input value in
a message: in JSON spelling, escaped, and cut when long.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

# Unicode's control (Cc), format (Cf: bidi controls, zero-width characters...),
# line and paragraph separator (Zl, Zp) and surrogate (Cs) characters.
# tests/test_printable.py checks this class against unicodedata.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """``text`` with every control, format and separator character written as an escape.

    Backslashes are left alone, so ``visible(visible(s)) == visible(s)``.
    """
    return _UNSAFE.sub(_escape, text)


def cut(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def shown(value: Any, limit: int = 40) -> str:
    """An input value as a message quotes it: in JSON spelling, escaped, cut after ``limit``."""
    if isinstance(value, str):
        return visible(json.dumps(cut(value, limit), ensure_ascii=False))
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        # str() of a huge int would raise (sys.get_int_max_str_digits); Decimal never does.
        number = value if isinstance(value, float) else Decimal(value)
        return cut(str(number), limit)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a {type(value).__name__}"
