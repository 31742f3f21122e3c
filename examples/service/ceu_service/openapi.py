"""The OpenAPI document: the library's own JSON Schemas, and examples from real output.

The endpoints read their bodies themselves (FastAPI never validates a member:
the library does, with its own paths and messages), so the request and
response schemas are written into the document here, from the library's
pydantic models. Request examples are the bundled example members
(``examples/members/``); response examples are what the library answers for
them, computed when the document is first asked for.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ceu_compliance import (
    ComplianceReport,
    History,
    InvalidMemberError,
    Member,
    Plan,
    Problem,
    RulePack,
    evaluate,
    evaluate_history,
    evaluate_many,
    plan,
)

from .batch import Line, result_line
from .errors import (
    BatchErrorLine,
    Error,
    ServiceError,
    internal_error_body,
    refused,
    too_large,
)
from .settings import Settings

EXAMPLE_AS_OF = dt.date(2027, 4, 15)  # the day `ceu-compliance demo` evaluates on
ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
EXAMPLE_PERIODS = 2
MEMBERS_DIR = Path(__file__).resolve().parents[2] / "members"

DESCRIPTION = """\
Decides whether an AAPC-certified coder meets the CEU requirements of a renewal
period: the ceu-compliance library behind HTTP.

Bodies are member JSON as in INTERCHANGE.md; answers are the library's own JSON
(`to_json()`), decimals as strings. Every error is `{"error", "message",
"problems"}`, each problem `{"type", "path", "message"}`. Limits: see
`examples/service/README.md` (`CEU_SERVICE_*` variables).
"""


class Health(BaseModel):
    """GET /healthz: the service is up, and with which library and rule pack."""

    status: str = Field(examples=["ok"])
    version: str = Field(description="The ceu-compliance version.")
    rules: str = Field(description="The rule pack every request is evaluated with.")


_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (Member, "validation"),
    (ComplianceReport, "serialization"),
    (Plan, "serialization"),
    (History, "serialization"),
    (Error, "serialization"),
    (BatchErrorLine, "serialization"),
    (Health, "serialization"),
]
_OUTPUTS: dict[str, type[BaseModel]] = {
    "/v1/evaluate": ComplianceReport,
    "/v1/plan": Plan,
    "/v1/history": History,
}
_ERRORS = {
    "413": "The body is larger than the limit (`too_large`).",
    "422": "The member or a parameter was refused; `problems` says where and why.",
    "500": "The service failed (`internal_error`); logged under `incident`. Please report it.",
}


def member_route(kind: str, summary: str) -> dict[str, Any]:
    """Decorator arguments of a member endpoint; the schemas are filled in by :func:`install`."""
    return {
        "summary": summary,
        "description": f"A member (JSON) in, its {kind} out, exactly as the library's `to_json()` "
        "writes it.",
        "responses": {"200": {"description": f"The {kind}."}, **_error_responses()},
    }


def batch_route() -> dict[str, Any]:
    return {
        "summary": "Evaluate a roster: JSON Lines in, JSON Lines out, streamed",
        "description": "One member per line in; one line per input line out, in order: the "
        "member's report, or an error line (`BatchErrorLine`) with its line number. Blank "
        "lines are entries (refused as `empty`). The body is read as it arrives and the "
        "results are sent as they are ready.",
        "responses": {"200": {"description": "A line per input line."}, **_error_responses()},
    }


def schema_route() -> dict[str, Any]:
    return {
        "summary": "The JSON Schema of a member, report, plan or history",
        "responses": {
            "200": {"description": "A JSON Schema."},
            "422": {"description": "Not a known kind (`invalid_parameter`)."},
            "500": {"description": _ERRORS["500"]},
        },
    }


def health_route() -> dict[str, Any]:
    return {
        "summary": "Liveness",
        "responses": {"200": {"description": "Up."}, "500": {"description": _ERRORS["500"]}},
    }


def _error_responses() -> dict[str, dict[str, str]]:
    return {status: {"description": text} for status, text in _ERRORS.items()}


def install(app: FastAPI, pack: RulePack, settings: Settings) -> None:
    """Make ``app.openapi()`` give the completed document (built once, on first use)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _complete(doc, pack, settings)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _complete(doc: dict[str, Any], pack: RulePack, settings: Settings) -> None:
    keys, top = models_json_schema(_MODELS, ref_template="#/components/schemas/{model}")
    doc.setdefault("components", {}).setdefault("schemas", {}).update(top["$defs"])
    ref = {model: keys[(model, mode)] for model, mode in _MODELS}
    paths = doc["paths"]
    for operation in (op for item in paths.values() for op in item.values()):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "as_of":  # a date, or absent: never null
                parameter["schema"] = {
                    "type": "string",
                    "format": "date",
                    "pattern": ISO_DAY,
                    "examples": [EXAMPLE_AS_OF.isoformat()],
                }
        _content(operation, "500", ref[Error], {"internal_error": internal_error_body(_KEY)})
    members = _example_members()
    refusals = {
        "invalid_member": _refusal(pack, _REFUSED_MEMBER),
        "malformed_json": _refusal(pack, '{"member_id": '),
        "invalid_parameter": _BAD_DAY.body(),
    }
    for path, output in _OUTPUTS.items():
        operation = paths[path]["post"]
        examples = {
            name: {"summary": f"{member['member_id']} ({name})", "value": member}
            for name, member in members.items()
        }
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref[Member], "examples": examples}},
        }
        _content(operation, "200", ref[output], _example_outputs(path, members, pack))
        _content(operation, "413", ref[Error], _too_large(settings.max_body_bytes))
        _content(operation, "422", ref[Error], refusals)
    batch = paths["/v1/batch"]["post"]
    lines, answer = _example_batch(members, pack, settings.max_body_bytes)
    batch["requestBody"] = {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string"}, "example": lines}},
    }
    batch["responses"]["200"]["content"] = {
        "application/x-ndjson": {
            "schema": {"type": "string"},
            "example": answer,
            "x-line-schema": {"oneOf": [ref[ComplianceReport], ref[BatchErrorLine]]},
        }
    }
    _content(batch, "413", ref[Error], _too_large(settings.max_batch_bytes))
    _content(batch, "422", ref[Error], {"invalid_parameter": _BAD_DAY.body()})
    schema = paths["/v1/schema/{kind}"]["get"]
    _content(schema, "200", {"type": "object"}, {})
    _content(schema, "422", ref[Error], {})
    _content(paths["/healthz"]["get"], "200", ref[Health], {})


_KEY = "3f9c1d2e8a7b6c5d"  # an incident key, for the example
_BAD_DAY = ServiceError(
    422,
    "invalid_parameter",
    "1 invalid parameter",
    [Problem("date_invalid", "query.as_of", "'2027-02-30' is not a real calendar date")],
)


def _too_large(limit: int) -> dict[str, Any]:
    return {"too_large": too_large(limit).body()}


def _content(
    operation: dict[str, Any], status: str, schema: dict[str, Any], examples: dict[str, Any]
) -> None:
    media: dict[str, Any] = {"schema": schema}
    if examples:
        media["examples"] = {name: {"value": value} for name, value in examples.items()}
    operation["responses"][status]["content"] = {"application/json": media}


def _example_members() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(MEMBERS_DIR.glob("*.json"))
    }


def _example_outputs(
    path: str, members: dict[str, dict[str, Any]], pack: RulePack
) -> dict[str, Any]:
    compute: dict[str, Callable[[dict[str, Any]], Any]] = {
        "/v1/evaluate": lambda m: evaluate(m, as_of=EXAMPLE_AS_OF, rules=pack),
        "/v1/plan": lambda m: plan(m, as_of=EXAMPLE_AS_OF, rules=pack),
        "/v1/history": lambda m: evaluate_history(
            m, periods=EXAMPLE_PERIODS, as_of=EXAMPLE_AS_OF, rules=pack
        ),
    }
    return {
        name: json.loads(compute[path](member).to_json(indent=None))
        for name, member in members.items()
    }


_REFUSED_MEMBER = {
    "member_id": "M-3",
    "renewal_due": "2027-02-30",
    "credentials": [{"code": "XYZ", "earned": "2020-01-01"}],
    "records": [{"id": "r1", "date": "2026-01-01", "activity": "webinar", "ceus": -1}],
}


def _refusal(pack: RulePack, member: dict[str, Any] | str) -> dict[str, Any]:
    """The 422 body the service gives for a bad member (as the library refuses it)."""
    try:
        evaluate(member, rules=pack)
    except InvalidMemberError as exc:
        return refused(exc.problems).body()
    raise AssertionError("the example member was not refused")


def _example_batch(
    members: dict[str, dict[str, Any]], pack: RulePack, max_line: int
) -> tuple[str, str]:
    """Two example members and a refused one as a batch, and the service's answer to it."""
    lines = [json.dumps(m) for m in list(members.values())[:2]] + [json.dumps(_REFUSED_MEMBER)]
    results = evaluate_many(lines, as_of=EXAMPLE_AS_OF, rules=pack)
    answer = b"".join(
        result_line(Line(number, line.encode()), result, max_line=max_line)
        for number, (line, result) in enumerate(zip(lines, results, strict=True), start=1)
    )
    return "".join(f"{line}\n" for line in lines), answer.decode()
