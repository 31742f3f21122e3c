"""JSON text to data, within the limits: size, nesting, and numbers kept exact.

Numbers are read as ``Decimal`` from their JSON text, never through a binary
float, so ``35.99999999999999999999999999999`` reaches the checks with all its
digits (and is refused) instead of arriving as the float 36.0; a 5,001-digit
integer arrives as a ``Decimal`` too (``int()`` would refuse it with a
``ValueError``). Nesting deeper than the interpreter's recursion limit is a
problem, not a ``RecursionError``; :func:`depth_problem` checks the data against
``Limits.max_json_depth`` once its lists are known to be within their limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._errors import Problem
from ._limits import Limits

# JSON integers this short become int (booleans accept 0 and 1); longer ones Decimal.
_SHORT_INT = 18


def _number(text: str) -> Decimal | int:
    return int(text) if len(text) <= _SHORT_INT else Decimal(text)


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


EXACT_JSON = json.JSONDecoder(parse_float=Decimal, parse_int=_number, parse_constant=_constant)
"""A JSON decoder that reads numbers as the engine needs them (module docstring).

Its ``decode`` and ``raw_decode`` raise ``ValueError`` for ``NaN`` and
``Infinity`` and ``RecursionError`` for nesting too deep for the interpreter.
"""


def decode_json(text: str | bytes | bytearray, limits: Limits) -> tuple[Any, list[Problem]]:
    """The data of JSON ``text``, or ``None`` and the problems that refuse it.

    Bytes must be UTF-8 (a byte order mark is allowed).
    """
    if len(text) > limits.max_document_bytes:
        unit = "characters" if isinstance(text, str) else "bytes"
        return None, [
            Problem(
                "document_too_large",
                "$",
                f"the JSON text is {len(text):,} {unit}, over the limit of "
                f"{limits.max_document_bytes:,} (Limits.max_document_bytes)",
            )
        ]
    if not isinstance(text, str):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [
                Problem("not_utf8", "$", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
            ]
    try:
        data = EXACT_JSON.decode(text)
    except json.JSONDecodeError as exc:
        return None, [Problem("json_invalid", "$", f"not valid JSON: {exc}")]
    except RecursionError:
        return None, [_too_deep(limits)]
    except ValueError as exc:  # _constant's refusal of NaN and Infinity
        return None, [Problem("json_invalid", "$", f"not valid JSON: {exc}")]
    return data, []


# The values JSON decoding gives besides arrays and objects: an exact type test
# skips them, and dict is tried before the slower test against the Mapping ABC.
_LEAVES = frozenset({str, int, Decimal, float, bool, type(None)})


def depth_problem(data: Any, limits: Limits, *, depth: int = 1) -> Problem | None:
    """A problem if arrays and objects nest deeper than ``limits`` allow (no recursion).

    ``depth`` is the depth of ``data`` itself in the input it is part of.
    """
    stack: list[tuple[Any, int]] = [(data, depth)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_json_depth:
            return _too_deep(limits)
        if isinstance(node, dict | Mapping):
            stack += [
                (v, depth + 1)
                for v in node.values()
                if type(v) not in _LEAVES and isinstance(v, list | dict | Mapping)
            ]
        elif isinstance(node, list | tuple):
            stack += [
                (v, depth + 1)
                for v in node
                if type(v) not in _LEAVES and isinstance(v, list | tuple | dict | Mapping)
            ]
    return None


def _too_deep(limits: Limits) -> Problem:
    return Problem(
        "too_deep",
        "$",
        f"arrays and objects nest more than {limits.max_json_depth} levels deep "
        "(Limits.max_json_depth)",
    )
