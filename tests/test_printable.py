"""User strings made safe to print (``_printable``), and the paths and echoes built on it."""

from __future__ import annotations

import sys
import unicodedata
from decimal import Decimal

from ceu_compliance._errors import Problem, capped, json_path
from ceu_compliance._printable import _UNSAFE, shown, visible


def test_every_control_format_and_separator_character_is_escaped() -> None:
    unsafe = {
        c
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    }
    escaped = {c for c in range(sys.maxunicode + 1) if _UNSAFE.match(chr(c))}
    assert unsafe <= escaped
    # Beyond this Python's Unicode: the Egyptian hieroglyph format controls of Unicode 15.
    assert escaped - unsafe <= set(range(0x13430, 0x13440))


def test_visible_escapes_and_is_idempotent() -> None:
    text = "M-1\nMember M-2: COMPLIANT\r\x1b[31m\u202eé☃\\n"
    once = visible(text)
    assert once == "M-1\\nMember M-2: COMPLIANT\\r\\u001b[31m\\u202eé☃\\n"
    assert visible(once) == once
    assert "\n" not in once


def test_shown_quotes_values_in_json_and_cuts_long_ones() -> None:
    assert shown("CPC") == '"CPC"'
    assert shown("a\nb") == '"a\\nb"'
    assert shown("x" * 100, 5) == '"xxxxx… (100 characters)"'
    assert shown(None) == "null" and shown(True) == "true"
    assert shown(Decimal("1E+400")) == "1E+400"
    assert shown(10**5000).endswith("(5,001 characters)")
    assert (shown({}), shown([]), shown(object())) == ("an object", "an array", "a object")


def test_paths_quote_keys_that_are_not_plain_names() -> None:
    assert json_path(("records", 3, "ceus")) == "$.records[3].ceus"
    assert json_path(("records", 0, "approved\nfor")) == '$.records[0]["approved\\nfor"]'
    assert json_path(("a b",)) == '$["a b"]'
    assert len(json_path(("k" * 10_000,))) < 100


def test_capped_keeps_the_first_problems_and_counts_the_rest() -> None:
    problems = [Problem("x", f"$[{n}]", "wrong") for n in range(250)]
    kept = capped(iter(problems), 100)
    assert kept[:100] == problems[:100]
    assert kept[100].type == "more_problems"
    assert kept[100].message.startswith("150 more problems not listed")
    assert capped(problems[:3], 100) == problems[:3]
