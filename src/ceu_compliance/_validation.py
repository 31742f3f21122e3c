"""Turn caller input into a valid :class:`Member`, or refuse it with every problem.

Structure is checked by the pydantic models; this module adds the checks that
need the rule pack (credential codes) or look across fields (unique record ids,
hours versus CEUs). Those read the raw input, so they run even where the
structure is broken elsewhere: one refusal lists everything to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ._errors import InvalidMemberError, Problem, RulePackError, json_path
from ._models import Activity, CEURecord, HeldCredential, InputWarning, Member
from ._pack import RulePack, RuleSet
from ._period import cycles_near, first_day, rules_for
from ._requirements import total_rule


def parse_member(
    data: Member | Mapping[str, Any] | str | bytes,
    rules: RulePack,
    *,
    strict: bool = False,
    rules_on: dt.date | None = None,
) -> Member:
    """Validate ``data`` (a Member, a mapping, or JSON text) against ``rules``.

    Fields no model knows are kept on the Member, never read, and reported by
    :func:`input_warnings` (so in every report's ``warnings``); with ``strict``
    they are refused instead. The period is checked against the version of the
    rules that will judge it (``rules_on`` as for :func:`ceu_compliance.evaluate`).

    Raises:
        InvalidMemberError: with every problem found, each with its field path.
        RulePackError: no version of ``rules`` is in force on ``rules_on``.
    """
    raw = _plain(data)
    problems = list(_element_problems(raw, rules))
    if strict:
        problems += [
            Problem("unknown_field", path, _unknown_field(name, model, "refused (strict)"))
            for path, name, model in _unknown_fields(raw)
        ]
    try:
        member = Member.model_validate(raw)
    except ValidationError as exc:
        raise InvalidMemberError([*_from_pydantic(exc), *problems]) from None
    problems += _member_problems(member, rules, rules_on)
    if problems:
        raise InvalidMemberError(problems)
    return member


def input_warnings(member: Member) -> tuple[InputWarning, ...]:
    """A warning for each field of ``member`` that no model knows (see :func:`parse_member`)."""
    extras = {
        **(member.model_extra or {}),
        "credentials": [c.model_extra or {} for c in member.credentials],
        "records": [r.model_extra or {} for r in member.records],
    }
    return tuple(
        InputWarning(path=path, message=_unknown_field(name, model, "ignored"))
        for path, name, model in _unknown_fields(extras)
    )


_PARTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("credentials", HeldCredential),
    ("records", CEURecord),
)


def _unknown_fields(raw: Any) -> Iterator[tuple[str, str, type[BaseModel]]]:
    """(path, name, model) of each field of member input that its model does not know."""
    if not isinstance(raw, Mapping):
        return
    objects: list[tuple[str, Mapping[str, Any], type[BaseModel]]] = [("$", raw, Member)]
    for part, model in _PARTS:
        objects += [(f"$.{part}[{i}]", item, model) for i, item in _mappings(raw.get(part))]
    for at, fields, model in objects:
        for name in map(str, fields):
            if name not in model.model_fields:
                yield f"{at}.{name}", name, model


def _unknown_field(name: str, model: type[BaseModel], outcome: str) -> str:
    """'unknown field, ignored; did you mean approved_for?' (the hint when a field is close)."""
    by_key = {_field_key(known): known for known in model.model_fields}
    close = difflib.get_close_matches(_field_key(name), by_key, n=1)
    hint = f"; did you mean {by_key[close[0]]}?" if close else ""
    return f"unknown field, {outcome}{hint}"


def _field_key(name: str) -> str:
    # approvedFor, Approved-For and approved_for are all close to approved_for.
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _plain(data: Member | Mapping[str, Any] | str | bytes) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump()
    if isinstance(data, str | bytes):
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidMemberError(
                [Problem("json_invalid", "$", f"not valid JSON: {exc}")]
            ) from None
    return data


def _from_pydantic(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[Problem]:
    errors = exc.errors(include_url=False)
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and any(
            e["loc"][: len(loc)] == loc for e in errors if e is not error
        ):
            continue  # a list whose items failed is not "too short"; its items say why
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this field is required"
        elif error["type"] == "enum":
            message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}"
        problems.append(Problem(error["type"], json_path(prefix + tuple(error["loc"])), message))
    return problems


def _element_problems(raw: Any, rules: RulePack) -> Iterator[Problem]:
    """Rule-pack and cross-field checks of each credential and record.

    They read the raw input, so a record with a malformed date still has its
    unknown approval codes reported in the same refusal.
    """
    if not isinstance(raw, Mapping):
        return
    for i, credential in _mappings(raw.get("credentials")):
        code = credential.get("code")
        if isinstance(code, str) and code.strip() and rules.credential(code) is None:
            yield _unknown_code(f"$.credentials[{i}].code", code, rules)
    records = list(_mappings(raw.get("records")))
    for i, record in records:
        yield from _record_problems(i, record, rules)
    yield from _duplicate_ids([(i, r.get("id")) for i, r in records])


def _mappings(items: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(items, list | tuple):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, Mapping))


def _member_problems(member: Member, rules: RulePack, rules_on: dt.date | None) -> list[Problem]:
    problems = []
    codes = [c.code.upper() for c in member.credentials]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            problems.append(
                Problem(
                    "duplicate_credential",
                    f"$.credentials[{i}].code",
                    f"credential {code} is listed twice; list each credential once",
                )
            )
    return problems + list(_period_problems(member, rules, rules_on))


def _period_problems(
    member: Member, rules: RulePack, rules_on: dt.date | None
) -> Iterator[Problem]:
    due = member.renewal_due
    if member.period_start is not None and member.period_start > due:
        yield Problem(
            "period_start_after_due",
            "$.period_start",
            f"period_start {member.period_start} is after renewal_due {due}",
        )
        return
    if member.extension_until is not None and member.extension_until <= due:
        yield Problem(
            "extension_before_due",
            "$.extension_until",
            f"extension_until {member.extension_until} must be after renewal_due {due}",
        )
    certified = min(c.earned for c in member.credentials)
    try:
        ruleset = rules_for(
            rules, due, period_start=member.period_start, certified=certified, rules_on=rules_on
        )
    except RulePackError as exc:
        if rules_on is not None:
            raise  # the caller's day, not the member's, is what no version covers
        yield Problem(
            "no_rules_in_force",
            "$.renewal_due",
            f"no version judges the period ending {due}: {exc.problems[0].message}; the "
            "period's dates choose the version, so check renewal_due and period_start, or "
            "pass rules_on= to judge it by another version",
        )
        return
    cycle = list(_cycle_problems(member, ruleset))
    for problem in _holds_credential(member, ruleset):
        # A due date that ends no cycle has no start to hold a credential on.
        if not (cycle and problem.type == "no_credential_at_start"):
            yield problem
    yield from cycle


def _holds_credential(member: Member, rules: RuleSet) -> Iterator[Problem]:
    earliest = min(c.earned for c in member.credentials)
    start = first_day(
        member.renewal_due,
        rules.period_months,
        rules.shapes,
        explicit=member.period_start,
        certified=earliest,
    )
    if earliest > member.renewal_due:
        yield Problem(
            "no_credential_in_period",
            "$.renewal_due",
            f"renewal_due {member.renewal_due} is before every credential was earned "
            f"(earliest {earliest}); check the dates",
        )
    elif earliest > start:
        yield Problem(
            "no_credential_at_start",
            "$.credentials",
            f"no credential was held on the period start {start} (earliest earned {earliest}); "
            f"for a first, pro-rated period give period_start ({total_rule(rules)})",
        )


def _cycle_problems(member: Member, rules: RuleSet) -> Iterator[Problem]:
    """A cycle anchored on certification: the period must end where a cycle from the exam
    date does (the eve of an anniversary), unless period_start is given."""
    if rules.shapes.cycle != "certification" or member.period_start is not None:
        return
    first = min(c.earned for c in member.credentials)
    due, months = member.renewal_due, rules.period_months
    ends = [end for _, end in cycles_near(first, due, months)]
    if due not in ends:
        rule = rules.trace["period_months"].rule
        yield Problem(
            "not_a_cycle_end",
            "$.renewal_due",
            f"under {rules.body}'s rules a cycle runs {months} months from the day the exam was "
            f"passed ({first}); renewal_due {due} ends no cycle (the nearest end is "
            f"{min(ends, key=lambda d: abs(d - due))}); give that date, or period_start "
            f"({rule})",
        )


def _record_problems(i: int, record: Mapping[str, Any], rules: RulePack) -> Iterator[Problem]:
    at = f"$.records[{i}]"
    approved_for = record.get("approved_for")
    if isinstance(approved_for, list | tuple):
        for j, code in enumerate(approved_for):
            if isinstance(code, str) and rules.credential(code) is None:
                yield _unknown_code(f"{at}.approved_for[{j}]", code, rules)
    activity = record.get("activity")
    if activity not in set(Activity):
        return  # the model reports the unknown activity; nothing more to say here
    hours = [n for n in ("clock_hours", "credit_hours") if record.get(n) is not None]
    if activity == Activity.POST_SECONDARY:
        if record.get("ceus") is not None:
            yield Problem(
                "ceus_not_allowed",
                f"{at}.ceus",
                "a post_secondary record gives clock_hours or credit_hours, not ceus "
                "(E-POSTSECONDARY converts hours to CEUs)",
            )
        if not hours:
            yield Problem(
                "hours_missing",
                f"{at}.clock_hours",
                "a post_secondary record needs clock_hours or credit_hours",
            )
        elif len(hours) == 2:
            yield Problem(
                "hours_ambiguous",
                f"{at}.credit_hours",
                "give clock_hours or credit_hours, not both",
            )
    else:
        if record.get("ceus") is None:
            yield Problem("missing", f"{at}.ceus", "this field is required (CEUs claimed)")
        for name in hours:
            yield Problem(
                "hours_not_allowed",
                f"{at}.{name}",
                f"{name} is only for post_secondary records; give ceus",
            )
    if activity == Activity.INSTRUCTOR:
        teaches = record.get("teaches")
        spec = rules.credential(teaches) if isinstance(teaches, str) else None
        if teaches is None:
            yield Problem(
                "missing",
                f"{at}.teaches",
                "an instructor record must name the core credential taught (E-INSTRUCTOR)",
            )
        elif spec is None or spec.kind != "core":
            yield Problem(
                "teaches_not_core",
                f"{at}.teaches",
                f"{teaches!r} is not a core credential; E-INSTRUCTOR credits teaching "
                "a course specific to a core credential such as CPC",
            )


def _duplicate_ids(ids: list[tuple[int, Any]]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, record_id in ids:
        if not isinstance(record_id, str):
            continue
        key = record_id.strip()
        if key in first:
            yield Problem(
                "duplicate_id",
                f"$.records[{i}].id",
                f"record id {key!r} is already used by records[{first[key]}]; ids must be unique",
            )
        else:
            first[key] = i


def _unknown_code(path: str, code: str, rules: RulePack) -> Problem:
    known = ", ".join(spec.code for spec in rules.credentials)
    return Problem(
        "unknown_credential",
        path,
        f"unknown credential code {code!r}; rule pack {rules.id} knows {known}",
    )
