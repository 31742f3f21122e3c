"""A rule pack written back out as TOML or JSON, complete: what ``extends`` gave is in it.

``parse_rule_pack(dump_rule_pack(pack, format=f), format=f)`` is ``pack`` again,
and evaluates every member the same (tests/test_user_packs.py). The standard
library reads TOML but does not write it; a pack holds only tables, arrays of
tables, strings, integers, booleans and lists, which the few lines below write.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from ._pack import RulePack

_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def dump_rule_pack(pack: RulePack, *, format: Literal["toml", "json"] = "toml") -> str:
    """The text of ``pack`` as a TOML (or JSON) rule pack file.

    The pack is written whole, with what it extends merged in, so the file
    stands on its own; keys left at their defaults are left out, except
    ``[shapes]``, which is always spelt out. Comments of the file it was read
    from are not kept (``ceu-compliance rules --export`` writes a bundled pack's
    own file, comments and all).
    """
    data = pack.model_dump(mode="json", exclude_defaults=True)
    data["pack"] = pack.pack.model_dump(mode="json", exclude_none=True)
    data["shapes"] = pack.shapes.model_dump(mode="json")
    data = {key: data[key] for key in RulePack.model_fields if key in data}
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _toml(data)


def _toml(data: dict[str, Any]) -> str:
    """``data`` (a pack's tables and arrays of tables) as TOML, one section at a time."""
    lines = [f"# Rule pack {data['pack']['id']}; docs/rule-packs.md explains every key."]
    for key, value in data.items():
        if isinstance(value, list):  # an array of tables: [[credentials]], [[floors]]
            for entry in value:
                lines += ["", f"[[{_key(key)}]]", *_pairs(entry)]
        elif value and all(isinstance(v, dict) for v in value.values()):  # [parameters.NAME]
            for name, table in value.items():
                lines += ["", f"[{_key(key)}.{_key(name)}]", *_pairs(table)]
        else:
            lines += ["", f"[{_key(key)}]", *_pairs(value)]
    return "\n".join(lines) + "\n"


def _pairs(table: dict[str, Any]) -> list[str]:
    return [f"{_key(key)} = {_value(value)}" for key, value in table.items()]


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(_pairs(value)) + " }" if value else "{}"
    raise TypeError(f"a rule pack holds no {type(value).__name__} values")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
