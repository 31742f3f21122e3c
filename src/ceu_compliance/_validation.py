"""Turn caller input into a valid :class:`Member`, or refuse it with every problem.

Structure is checked by the pydantic models; this module adds the checks that
need the rule pack (credential codes) or look across fields (unique record ids,
hours versus CEUs). When the structure is broken somewhere, the records and
credentials that are sound on their own are still checked, so one refusal
lists everything the caller has to fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._errors import InvalidMemberError, Problem, RulePackError, json_path
from ._models import Activity, CEURecord, HeldCredential, Member
from ._pack import RulePack, RuleSet
from ._period import default_start

_M = TypeVar("_M", bound=BaseModel)


def parse_member(data: Member | Mapping[str, Any] | str | bytes, rules: RulePack) -> Member:
    """Validate ``data`` (a Member, a mapping, or JSON text) against ``rules``.

    Raises:
        InvalidMemberError: with every problem found, each with its field path.
    """
    raw = _plain(data)
    try:
        member = Member.model_validate(raw)
    except ValidationError as exc:
        problems = [*_from_pydantic(exc), *_salvage(raw, rules)]
        raise InvalidMemberError(problems) from None
    problems = list(_member_problems(member, rules))
    if problems:
        raise InvalidMemberError(problems)
    return member


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
    problems = []
    for error in exc.errors(include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this field is required"
        elif error["type"] == "enum":
            message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}"
        problems.append(Problem(error["type"], json_path(prefix + tuple(error["loc"])), message))
    return problems


def _salvage(raw: Any, rules: RulePack) -> Iterator[Problem]:
    """Check the parts that are sound alone when the member as a whole is not."""
    if not isinstance(raw, Mapping):
        return
    for i, credential in _sound(raw.get("credentials"), HeldCredential):
        yield from _credential_problems(i, credential, rules)
    for i, record in _sound(raw.get("records"), CEURecord):
        yield from _record_problems(i, record, rules)
    records = raw.get("records")
    if isinstance(records, list | tuple):
        yield from _duplicate_ids(
            [r.get("id") if isinstance(r, Mapping) else None for r in records]
        )


def _sound(items: Any, model: type[_M]) -> Iterator[tuple[int, _M]]:
    """The items of a list that validate alone (the others are reported already)."""
    if not isinstance(items, list | tuple):
        return
    for i, item in enumerate(items):
        try:
            yield i, model.model_validate(item)
        except ValidationError:
            continue


def _member_problems(member: Member, rules: RulePack) -> Iterator[Problem]:
    for i, credential in enumerate(member.credentials):
        yield from _credential_problems(i, credential, rules)
    codes = [c.code.upper() for c in member.credentials]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            yield Problem(
                "duplicate_credential",
                f"$.credentials[{i}].code",
                f"credential {code} is listed twice; list each credential once",
            )
    for i, record in enumerate(member.records):
        yield from _record_problems(i, record, rules)
    yield from _duplicate_ids([r.id for r in member.records])

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
    try:
        ruleset = rules.at(due)
    except RulePackError as exc:
        yield Problem(
            "no_rules_in_force",
            "$.renewal_due",
            f"rule pack {rules.id} has no rules in force on {due}: {exc.problems[0].message}",
        )
        return
    yield from _holds_credential(member, ruleset)


def _holds_credential(member: Member, rules: RuleSet) -> Iterator[Problem]:
    start = member.period_start or default_start(member.renewal_due, rules.period_months)
    earliest = min(c.earned for c in member.credentials)
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
            "for a first, pro-rated period give period_start (Q-TIER)",
        )


def _credential_problems(i: int, credential: HeldCredential, rules: RulePack) -> Iterator[Problem]:
    if rules.credential(credential.code) is None:
        yield _unknown_code(f"$.credentials[{i}].code", credential.code, rules)


def _record_problems(i: int, record: CEURecord, rules: RulePack) -> Iterator[Problem]:
    at = f"$.records[{i}]"
    for j, code in enumerate(record.approved_for):
        if rules.credential(code) is None:
            yield _unknown_code(f"{at}.approved_for[{j}]", code, rules)
    hours = [n for n in ("clock_hours", "credit_hours") if getattr(record, n) is not None]
    if record.activity is Activity.POST_SECONDARY:
        if record.ceus is not None:
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
        if record.ceus is None:
            yield Problem("missing", f"{at}.ceus", "this field is required (CEUs claimed)")
        for name in hours:
            yield Problem(
                "hours_not_allowed",
                f"{at}.{name}",
                f"{name} is only for post_secondary records; give ceus",
            )
    if record.activity is Activity.INSTRUCTOR:
        spec = rules.credential(record.teaches) if record.teaches else None
        if record.teaches is None:
            yield Problem(
                "missing",
                f"{at}.teaches",
                "an instructor record must name the core credential taught (E-INSTRUCTOR)",
            )
        elif spec is None or spec.kind != "core":
            yield Problem(
                "teaches_not_core",
                f"{at}.teaches",
                f"{record.teaches!r} is not a core credential; E-INSTRUCTOR credits teaching "
                "a course specific to a core credential such as CPC",
            )


def _duplicate_ids(ids: list[Any]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, record_id in enumerate(ids):
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
