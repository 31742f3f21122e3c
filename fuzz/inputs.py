"""What the fuzzer feeds the engine: three kinds of input, each a hypothesis strategy.

* ``structured``: members built field by field, most of them valid (the property
  tests' ``tests/strategies.py``), the rest with each field drawn from valid values
  and from edge values (wrong types, huge and tiny numbers, far dates, control
  characters, over-long strings and lists);
* ``mutated``: a bundled example member with one to six edits (a value replaced by
  an edge value, a key deleted or added, a list cut or repeated, a string given
  control characters);
* ``raw``: bytes, random or a bundled example's JSON text with bytes flipped,
  inserted or deleted.

Each draws a :class:`FuzzInput`: the input as a caller would pass it (a mapping,
or one time in four its JSON text; bytes for ``raw``) and an evaluation date.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ceu_compliance import Activity

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from strategies import cases  # type: ignore[import-not-found]  # noqa: E402

EXAMPLES: list[dict[str, Any]] = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((REPO / "examples" / "members").glob("*.json"))
]


@dataclass(frozen=True)
class FuzzInput:
    """One input: ``data`` as passed to ``evaluate`` (mapping, str or bytes), and ``as_of``."""

    kind: str
    data: Any
    as_of: dt.date


# ------------------------------------------------------------------ edge values

EDGE_NUMBERS: list[Any] = [
    0,
    -0.0,
    -1,
    1,
    2,
    16,
    36,
    1000000,
    1000001,
    0.1,
    1e-9,
    1e-30,
    1e308,
    -1e308,
    float("inf"),
    float("nan"),
    10**30,
    10**400,
    35.99999999999999999999999999999,
    True,
    False,
]
EDGE_NUMBER_TEXTS: list[str] = [
    "0",
    "-0",
    "0.0",
    "-5",
    "5",
    " 5 ",
    "+5",
    "5.",
    ".5",
    "1e2",
    "1E-9",
    "1e400",
    "1e-400",
    "1_000",
    "1,5",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "\u0661\u0662",
    "35.99999999999999999999999999999",
    "1." + "1" * 20,
    "1." + "1" * 21,
    "9" * 4001,
    "1000000",
    "1000000.000001",
    "",
]
EDGE_DATES: list[str] = [
    "2027-03-31",
    "2027-02-28",
    "2028-02-29",
    "2027-02-29",
    "2026-03-01",
    "2025-04-01",
    "1900-01-01",
    "2200-12-31",
    "1899-12-31",
    "2201-01-01",
    "9999-12-31",
    "0001-01-01",
    "2027-13-01",
    "2027-00-10",
    " 2027-01-01 ",
    "20270101",
    "2027-1-1",
    "2027-W01-1",
    "2027-01-01T00:00:00",
    "",
    "\u0662\u0660\u0662\u0667-\u0660\u0661-\u0660\u0661",
]
EDGE_STRINGS: list[str] = [
    "",
    " ",
    "\n",
    "M-1\nMember M-2: COMPLIANT",
    "\x1b[31mred\x1b[0m",
    "\u202eevil",
    "\x00",
    "\ud800",
    "x" * 1001,
    "CPC",
    " cpc ",
    "CPC-A",
    "CIRCC",
    "CEMC",
    "AAPC",
    "ZHealth Publishing",
    "CMS",
    "health_care",
    "webinar",
    "post_secondary",
    "instructor",
    "☃",
    "null",
]
CODES = ["CPC", "CPC-A", "CPMA", "CPCO", "CPPM", "CDEO", "CIRCC", "CEMC", "CCC", "CUC", "COC"]
ACTIVITIES = [a.value for a in Activity]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


edge_values = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.sampled_from(EDGE_NUMBER_TEXTS),
    st.sampled_from(EDGE_DATES),
    st.sampled_from(EDGE_STRINGS),
    json_values,
    st.integers(60, 200).map(nested),
)


def field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a valid value, sometimes an edge one."""
    return st.one_of(valid, valid, valid, edge_values)


dates = st.dates(dt.date(1995, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
amounts = st.one_of(
    st.integers(1, 60),
    st.decimals("0.5", "40", places=2).map(str),
    st.sampled_from(EDGE_NUMBERS + EDGE_NUMBER_TEXTS),
)

record_like = st.fixed_dictionaries(
    {"id": field(st.text(min_size=1, max_size=6)), "date": field(dates)},
    optional={
        "activity": field(st.sampled_from(ACTIVITIES)),
        "ceus": field(amounts),
        "provider": field(st.sampled_from(["AAPC", "CMS", "ZHealth Publishing", "State College"])),
        "title": field(st.text(max_size=30)),
        "index_number": field(st.sampled_from(["AAPC-1", "aapc-1 ", "AAPC-2", ""])),
        "approved": field(st.booleans()),
        "approved_for": field(st.lists(st.sampled_from(CODES), max_size=4)),
        "quiz_passed": field(st.booleans()),
        "teaches": field(st.sampled_from(CODES)),
        "clock_hours": field(amounts),
        "credit_hours": field(amounts),
        "field": field(st.sampled_from(["health_care", "basket_weaving"])),
        "applied_to_previous_period": field(st.booleans()),
        "approvedFor": json_values,
    },
)
member_like = st.fixed_dictionaries(
    {
        "member_id": field(st.text(min_size=1, max_size=10)),
        "renewal_due": field(dates),
        "credentials": field(
            st.lists(
                st.fixed_dictionaries(
                    {"code": field(st.sampled_from(CODES)), "earned": field(dates)}
                ),
                max_size=4,
            )
        ),
    },
    optional={
        "records": field(st.lists(record_like, max_size=8)),
        "period_start": field(dates),
        "required_total_override": field(amounts),
        "extension_until": field(dates),
        "unknown": json_values,
    },
)
as_of_dates = st.one_of(
    st.dates(dt.date(2020, 1, 1), dt.date(2032, 12, 31)),
    st.sampled_from([dt.date(2027, 4, 15), dt.date(2027, 3, 31), dt.date(1900, 1, 1)]),
)


def _as_given(draw: st.DrawFn, data: dict[str, Any]) -> Any:
    """``data`` as a caller passes it: a mapping, or (one time in four) its JSON text."""
    return json.dumps(data) if draw(st.integers(0, 3)) == 0 else data


@st.composite
def structured(draw: st.DrawFn) -> FuzzInput:
    if draw(st.integers(0, 2)):
        case = draw(cases(duplicates=draw(st.booleans())))
        return FuzzInput("structured", _as_given(draw, case.member), case.as_of)
    return FuzzInput("structured", _as_given(draw, draw(member_like)), draw(as_of_dates))


# ------------------------------------------------------------------ mutations


def _places(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``node`` (keys and indexes), the root included."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _places(value, (*at, index))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> FuzzInput:
    data = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.sampled_from(_places(data)))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "repeat", "cut", "text"]))
        target = _at(data, path)
        if op == "replace" and path:
            _at(data, path[:-1])[path[-1]] = draw(edge_values)
        elif op == "delete" and path:
            del _at(data, path[:-1])[path[-1]]
        elif op == "add" and isinstance(target, dict):
            target[draw(st.sampled_from(["extra", "approvedFor", "ceus", "id", "code"]))] = draw(
                edge_values
            )
        elif op == "repeat" and isinstance(target, list) and target:
            target.extend(copy.deepcopy(target[: draw(st.integers(1, len(target)))]))
        elif op == "cut" and isinstance(target, list):
            del target[draw(st.integers(0, len(target))) :]
        elif op == "text" and isinstance(target, str) and path:
            _at(data, path[:-1])[path[-1]] = target + draw(st.sampled_from(EDGE_STRINGS))
    as_of = draw(st.one_of(as_of_dates, st.just(dt.date(2027, 4, 15))))
    return FuzzInput("mutated", _as_given(draw, data), as_of)


# ------------------------------------------------------------------ raw bytes


@st.composite
def raw(draw: st.DrawFn) -> FuzzInput:
    if draw(st.booleans()):
        return FuzzInput("raw", draw(st.binary(max_size=300)), dt.date(2027, 4, 15))
    data = bytearray(json.dumps(draw(st.sampled_from(EXAMPLES))).encode())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at]
    return FuzzInput("raw", bytes(data), dt.date(2027, 4, 15))


KINDS = {"structured": structured(), "mutated": mutated(), "raw": raw()}
