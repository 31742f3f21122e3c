"""The JSON Schemas of the format (Draft 2020-12): the contract with the outside.

pydantic writes each model's schema; this module makes the member's say what the
engine refuses wherever JSON Schema can: the limits (lengths, counts, the years,
the largest amount), positive amounts, the credential codes the rule pack knows,
and which fields each activity needs. What it cannot say (unique record ids, a
credential listed twice, dates in the right order) only the engine checks.

The schema is a little stricter than the engine in one way: it takes credential
codes as the pack writes them (``CPC``), while the engine also accepts
``" cpc "``; and amounts as plain decimals, while the engine also reads ``1e1``.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ._amounts import format_decimal
from ._limits import Limits, check_limits
from ._models import (
    SCHEMA_VERSION,
    CEURecord,
    ComplianceReport,
    Explanation,
    HeldCredential,
    History,
    Member,
    Plan,
)
from ._pack import RulePack, resolve_pack

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The member fields by what the engine checks in them (tests/test_schema.py checks
# that every field of the input models is in one of these or is a plain bool).
_DATES = frozenset({"renewal_due", "period_start", "extension_until", "earned", "date"})
_AMOUNTS = frozenset({"ceus", "clock_hours", "credit_hours", "required_total_override"})
_TEXTS = frozenset({"member_id", "id", "provider", "title", "index_number", "teaches", "field"})
_CODES = frozenset({"code", "approved_for"})
_LISTS = {"credentials": "max_credentials", "records": "max_records"}


def schema_id(kind: str) -> str:
    """The ``$id`` of a schema: its kind and the format's version."""
    return f"urn:ceu-compliance:schema:{SCHEMA_VERSION}:{kind}"


SchemaKind = Literal["member", "report", "plan", "history", "explanation"]


def json_schema(
    kind: SchemaKind,
    *,
    rules: RulePack | str | Path | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the input (``member``) or of an output.

    The member's schema lists the credential codes of ``rules`` (default: the
    bundled pack) and says the ``limits`` (default :class:`Limits`); the
    outputs' schemas depend on neither. ``ceu-compliance schema KIND`` prints the
    defaults'.

    Raises:
        ValueError: ``kind`` is none of the five.
        RulePackError: ``rules`` does not load.
        TypeError: ``rules`` or ``limits`` is not of its type.
    """
    if kind == "member":
        return member_schema(resolve_pack(rules), check_limits(limits))
    if kind not in OUTPUTS:
        raise ValueError(f"kind must be member, {', '.join(OUTPUTS)}; not {kind!r}")
    return output_schema(kind, OUTPUTS[kind])


def member_schema(pack: RulePack, limits: Limits) -> dict[str, Any]:
    """The member input's schema, for the credential codes of ``pack`` and ``limits``."""
    schema = _headed("member", Member.model_json_schema())
    codes = [c for spec in pack.credentials for c in (spec.code, *spec.apprentice)]
    core = [c for c in codes if (spec := pack.credential(c)) and spec.kind == "core"]
    _tighten(schema, Member, codes, limits)
    defs = schema["$defs"]
    _tighten(defs["HeldCredential"], HeldCredential, codes, limits)
    _tighten(defs["CEURecord"], CEURecord, codes, limits)
    defs["CEURecord"]["allOf"] = _activity_rules(core)
    return schema


def output_schema(kind: str, model: type[BaseModel]) -> dict[str, Any]:
    """The schema of an output (``report``, ``plan``, ``history``, ``explanation``)."""
    return _headed(kind, model.model_json_schema(mode="serialization"))


OUTPUTS: dict[str, type[BaseModel]] = {
    "report": ComplianceReport,
    "plan": Plan,
    "history": History,
    "explanation": Explanation,
}


def _headed(kind: str, generated: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "$id": schema_id(kind),
        "$comment": f"ceu-compliance JSON format {SCHEMA_VERSION} (docs/format.md)",
        **_standard(generated),
    }


_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _standard(node: Any) -> Any:
    """pydantic's schema with its non-standard bounds (``gt``, ``ge``...) written in JSON Schema."""
    if isinstance(node, list):
        return [_standard(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _BOUNDS and not isinstance(value, dict):
            # Bounds on a value that may be a number or a decimal string apply to the number.
            options: list[dict[str, Any]] = out.get("anyOf") or node.get("anyOf") or []
            for option in options:
                if option.get("type") == "number":
                    option[_BOUNDS[key]] = value
        elif key == "properties":
            out[key] = {name: _standard(sub) for name, sub in value.items()}
        else:
            out[key] = _standard(value)
    return out


def _tighten(
    schema: dict[str, Any], model: type[BaseModel], codes: list[str], limits: Limits
) -> None:
    properties = schema["properties"]
    for name, generated in properties.items():
        nullable = any(s.get("type") == "null" for s in generated.get("anyOf", []))
        if name in _DATES:
            core: dict[str, Any] = _date(limits)
        elif name in _AMOUNTS:
            core = _amount(limits)
        elif name in _TEXTS:
            core = {"type": "string", "maxLength": limits.max_string_length}
            if model.model_fields[name].is_required():
                core["minLength"] = 1
        elif name == "code":
            core = {"enum": codes}
        elif name == "approved_for":
            core = {"type": "array", "items": {"enum": codes}, "maxItems": limits.max_credentials}
        elif name == "topics":
            text = {"type": "string", "maxLength": limits.max_string_length}
            core = {"type": "array", "items": text, "maxItems": limits.max_credentials}
        elif name in _LISTS:
            core = copy.deepcopy(generated)
            core["maxItems"] = getattr(limits, _LISTS[name])
        else:
            continue  # booleans and the activity: pydantic's schema says all there is
        kept = {k: generated[k] for k in ("title", "description", "default") if k in generated}
        properties[name] = {**kept, **({"anyOf": [core, {"type": "null"}]} if nullable else core)}


def _date(limits: Limits) -> dict[str, Any]:
    years = _year_pattern(limits.min_year, limits.max_year)
    return {
        "type": "string",
        "format": "date",
        "pattern": f"^(?:{years})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$",
    }


def _year_pattern(first: int, last: int) -> str:
    """A regular expression for the years ``first`` to ``last`` (four digits each)."""
    parts = []
    for decade in range(first // 10, last // 10 + 1):
        low, high = max(first, decade * 10) % 10, min(last, decade * 10 + 9) % 10
        digit = "[0-9]" if (low, high) == (0, 9) else f"[{low}-{high}]"
        parts.append(f"{decade}{digit}")
    return "|".join(parts)


def _amount(limits: Limits) -> dict[str, Any]:
    """A positive amount within the limits: a JSON number or a plain decimal string."""
    places = limits.max_decimal_places
    most = limits.max_amount
    digits = len(str(int(most)))
    if most == Decimal(10) ** (digits - 1):
        # 10^k exactly: below it up to k digits, or 10^k itself with zeros after the point.
        below = rf"[0-9]{{1,{digits - 1}}}(?:\.[0-9]{{1,{places}}})?"
        whole = rf"(?:{below}|{format_decimal(most)}(?:\.0{{1,{places}}})?)"
    else:
        whole = rf"[0-9]{{1,{digits}}}(?:\.[0-9]{{1,{places}}})?"
    return {
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": int(most)},
            # The look-ahead asks for a digit other than 0: the amount is positive.
            {"type": "string", "pattern": rf"^(?=[0-9.]*[1-9])(?:{whole}|\.[0-9]{{1,{places}}})$"},
        ]
    }


def _activity_rules(core_codes: list[str]) -> list[dict[str, Any]]:
    """What each activity needs: hours (not CEUs) for post-secondary, a core credential taught."""

    def given(field: str) -> dict[str, Any]:
        return {"required": [field], "properties": {field: {"not": {"type": "null"}}}}

    def is_activity(value: str) -> dict[str, Any]:
        return {"required": ["activity"], "properties": {"activity": {"const": value}}}

    absent = {"type": "null"}
    return [
        {
            "if": is_activity("post_secondary"),
            "then": {
                "properties": {"ceus": absent},
                "oneOf": [given("clock_hours"), given("credit_hours")],
            },
            "else": {
                **given("ceus"),
                "properties": {
                    "ceus": {"not": {"type": "null"}},
                    "clock_hours": absent,
                    "credit_hours": absent,
                },
            },
        },
        {
            "if": is_activity("instructor"),
            "then": {"required": ["teaches"], "properties": {"teaches": {"enum": core_codes}}},
        },
    ]
