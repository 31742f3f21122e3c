"""Turn caller input into a valid :class:`Member`, or refuse it with every problem.

First the input is held against the limits that bound the work (``Limits``:
the lengths of its lists, then its nesting), so that nothing reads an input past
them; the models never descend into nesting, so for a member they accept only
the fields they do not know need walking. Structure is checked by the pydantic
models (with the limits on strings, amounts and dates); this module adds the
checks that need the rule pack (credential codes) or look across fields (unique
record ids, hours versus CEUs).
Those read the raw input, so they run even where the structure is broken
elsewhere: one refusal lists everything to fix (the first ``Limits.max_problems``
of it). :func:`checked_call` checks the arguments every entry point shares.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import chain
from typing import Any, TypeGuard

from pydantic import BaseModel, ValidationError

from ._arithmetic import own_arithmetic
from ._decode import decode_json, depth_problem
from ._errors import InvalidMemberError, Problem, RulePackError, capped, json_path
from ._limits import Limits, check_limits
from ._models import Activity, CEURecord, HeldCredential, InputWarning, Member
from ._pack import RulePack, RuleSet, resolve_pack
from ._period import cycles_near, member_start, months_spanned, rules_for
from ._printable import shown
from ._requirements import total_rule

MemberArg = Member | Mapping[str, Any] | str | bytes | bytearray


@own_arithmetic
def parse_member(
    data: MemberArg,
    rules: RulePack,
    *,
    strict: bool = False,
    limits: Limits | None = None,
    rules_on: dt.date | None = None,
) -> Member:
    """Validate ``data`` (a Member, a mapping, or JSON text) against ``rules``.

    Fields no model knows are kept on the Member, never read, and reported by
    :func:`input_warnings` (so in every report's ``warnings``); with ``strict``
    they are refused instead. ``limits`` (default :class:`Limits`) bounds the
    input's size; past a limit the input is refused. The period is checked against
    the version of the rules that will judge it (``rules_on`` as for
    :func:`ceu_compliance.evaluate`).

    Raises:
        InvalidMemberError: with every problem found, each with its field path
            (at most ``limits.max_problems`` of them, then how many more).
        RulePackError: no version of ``rules`` is in force on ``rules_on``.
        TypeError: an argument is not of a type named here.
    """
    limits = check_limits(limits)
    if not isinstance(rules, RulePack):
        raise TypeError(f"rules must be a RulePack, not {type(rules).__name__}")
    _check_flag("strict", strict)
    raw = _plain(data, limits)
    _refuse(_shape_problems(raw, limits), limits)
    # Validating first spares a valid member's own fields the depth walk; nothing
    # of pydantic's descends into nesting, so the walk may come after it.
    try:
        member: Member | None = Member.model_validate(raw, context={"limits": limits})
    except ValidationError as exc:
        member, error = None, exc
    if member is None or limits.max_json_depth < _MODEL_DEPTH:
        too_deep = depth_problem(raw, limits)
    else:
        too_deep = _unknown_fields_depth(raw, member, limits)
    _refuse([too_deep] if too_deep else [], limits)
    elements = _element_problems(raw, rules, limits)
    unknown: Iterable[Problem] = ()
    if strict:
        unknown = (
            Problem("unknown_field", path, _unknown_field(name, model, "refused (strict)"))
            for path, name, model in _unknown_fields(raw)
        )
    if member is None:
        problems = chain(_from_pydantic(error), elements, unknown)
        raise InvalidMemberError(capped(problems, limits.max_problems)) from None
    _refuse(chain(elements, unknown, _member_problems(member, rules, limits, rules_on)), limits)
    return member


# How deep a valid member's own fields nest: the member, its records, a record,
# its approved_for. Only fields no model knows can nest deeper.
_MODEL_DEPTH = 4


def _unknown_fields_depth(raw: Mapping[str, Any], member: Member, limits: Limits) -> Problem | None:
    """:func:`depth_problem` of the input of a valid ``member``, walking only the
    unknown fields (``model_extra``), each at the depth of its object.

    The walk goes from an object into objects and lists only (a tuple there is a
    leaf to it), and from a list into objects, lists and tuples: the same here.
    """
    # __pydantic_extra__ is what model_extra gives, without a property call per model.
    owners = [(member.__pydantic_extra__, 1)]
    for part, models in (("credentials", member.credentials), ("records", member.records)):
        items = raw.get(part)
        if isinstance(items, list):
            owners += [
                (model.__pydantic_extra__, 3)
                for item, model in zip(items, models, strict=True)
                if model.__pydantic_extra__ and isinstance(item, dict | Mapping)
            ]
    for extra, depth in owners:
        if extra and (problem := depth_problem(extra, limits, depth=depth)) is not None:
            return problem
    return None


def checked_call(
    member: MemberArg,
    *,
    as_of: dt.date | None,
    rules: RulePack | str | os.PathLike[str] | None,
    strict: bool,
    limits: Limits | None,
    rules_on: dt.date | None,
) -> tuple[RulePack, Member, dt.date]:
    """The arguments every entry point shares, checked: the pack, the member, the date.

    Raises:
        TypeError: an argument is not of its documented type.
        InvalidMemberError: the member (or ``as_of``) was refused.
        RulePackError: ``rules`` does not load, or has no version in force on ``rules_on``.
    """
    limits = check_limits(limits)
    day = as_of_date(as_of, limits)
    if rules_on is not None:
        as_of_date(rules_on, limits, name="rules_on")
    pack = resolve_pack(rules)
    valid = parse_member(member, pack, strict=strict, limits=limits, rules_on=rules_on)
    return pack, valid, day


def as_of_date(as_of: object, limits: Limits, *, name: str = "as_of") -> dt.date:
    """``as_of``, today for ``None``; a TypeError for any other type than a date.

    ``name`` is the argument's name in the messages (``rules_on`` is checked alike).

    Raises:
        InvalidMemberError: the date is outside the years of ``limits``.
    """
    if as_of is None:
        return dt.date.today()
    if isinstance(as_of, dt.datetime):
        raise TypeError(
            f"{name} must be a datetime.date, not a datetime.datetime; pass its .date()"
        )
    if not isinstance(as_of, dt.date):
        raise TypeError(
            f"{name} must be a datetime.date or None, not {type(as_of).__name__} "
            "(datetime.date.fromisoformat reads 'YYYY-MM-DD')"
        )
    if not limits.min_year <= as_of.year <= limits.max_year:
        raise InvalidMemberError(
            [
                Problem(
                    "date_out_of_range",
                    name,
                    f"{as_of.isoformat()} is outside the years {limits.min_year} to "
                    f"{limits.max_year} (Limits.min_year, Limits.max_year)",
                )
            ]
        )
    return as_of


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {type(value).__name__}")


def _refuse(problems: Iterable[Problem], limits: Limits) -> None:
    listed = capped(problems, limits.max_problems)
    if listed:
        raise InvalidMemberError(listed)


def input_warnings(member: Member) -> tuple[InputWarning, ...]:
    """A warning for each field of ``member`` that no model knows (see :func:`parse_member`)."""
    parts = (member, *member.credentials, *member.records)
    if not any(part.__pydantic_extra__ for part in parts):  # model_extra, without a call
        return ()
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
    if not isinstance(raw, dict | Mapping):
        return
    objects: list[tuple[tuple[int | str, ...], Mapping[str, Any], type[BaseModel]]] = [
        ((), raw, Member)
    ]
    for part, model in _PARTS:
        objects += [((part, i), item, model) for i, item in _mappings(raw.get(part))]
    for at, fields, model in objects:
        for name in map(str, fields):
            if name not in model.model_fields:
                yield json_path((*at, name)), name, model


def _unknown_field(name: str, model: type[BaseModel], outcome: str) -> str:
    """'unknown field, ignored; did you mean approved_for?' (the hint when a field is close)."""
    by_key = {_field_key(known): known for known in model.model_fields}
    # A name far longer than any field's is no typo of one.
    close = difflib.get_close_matches(_field_key(name[:64]), by_key, n=1) if len(name) <= 64 else []
    hint = f"; did you mean {by_key[close[0]]}?" if close else ""
    return f"unknown field, {outcome}{hint}"


def _field_key(name: str) -> str:
    # approvedFor, Approved-For and approved_for are all close to approved_for.
    return "".join(ch for ch in name.casefold() if ch.isalnum())


# What parse_member takes besides JSON text: a Member, a mapping, and any other
# JSON value (null, a number, an array), which it refuses as not a member.
MEMBER_TYPES = (Member, Mapping, type(None), bool, int, float, Decimal, list, tuple)


def _plain(data: MemberArg, limits: Limits) -> Any:
    # Text first: the common case, and a test against BaseModel (an ABC) costs more.
    if isinstance(data, str | bytes | bytearray):
        raw, problems = decode_json(data, limits)
        _refuse(problems, limits)
        return raw
    if isinstance(data, BaseModel):
        return data.model_dump()
    if not isinstance(data, MEMBER_TYPES):
        raise TypeError(
            f"member must be a Member, a mapping or JSON text, not {type(data).__name__}"
        )
    return data  # any other JSON value (null, a number, an array) is refused as not a member


# pydantic's wording, where it speaks Python, in the JSON user's terms.
_JSON_WORDING = {
    "model_type": "expected a JSON object",
    "dict_type": "expected a JSON object",
    "model_attributes_type": "expected a JSON object",
    "tuple_type": "expected a JSON array",
    "list_type": "expected a JSON array",
    "iterable_type": "expected a JSON array",
    "string_type": "expected a string",
    "string_unicode": "expected Unicode text (a lone surrogate is not)",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_too_short": "must not be empty",
    "too_short": "must list at least one item",
    "missing": "this field is required",
}


def _from_pydantic(exc: ValidationError) -> Iterator[Problem]:
    errors = exc.errors(include_url=False)
    for error in errors:
        kind, loc = error["type"], tuple(error["loc"])
        if kind == "too_short" and any(
            e["loc"][: len(loc)] == loc and e is not error for e in errors
        ):
            continue  # a list whose items failed is not "too short"; its items say why
        message = _JSON_WORDING.get(kind) or error["msg"].removeprefix("Value error, ")
        if kind == "enum":
            expected = (error.get("ctx") or {}).get("expected", "")
            message = f"{shown(error['input'])} is not allowed; expected {expected}"
        elif kind.startswith("greater_than"):
            message = message.replace("Input should be", "must be")
        yield Problem(kind, json_path(loc), message)


def _shape_problems(raw: Any, limits: Limits) -> list[Problem]:
    """Lists longer than the limits: checked first, so that nothing else looks at them."""
    if not isinstance(raw, dict | Mapping):
        return []
    problems = []
    for part, limit, name in (
        ("credentials", limits.max_credentials, "max_credentials"),
        ("records", limits.max_records, "max_records"),
    ):
        items = raw.get(part)
        if _is_list(items) and len(items) > limit:
            problems.append(_too_many(f"$.{part}", len(items), limit, name))
    if not problems:
        limit = limits.max_credentials
        for i, record in _mappings(raw.get("records")):
            for part in ("approved_for", "topics"):
                items = record.get(part)
                if items is not None and _is_list(items) and len(items) > limit:
                    path = f"$.records[{i}].{part}"
                    problems.append(_too_many(path, len(items), limit, "max_credentials"))
    return problems


def _is_list(items: Any) -> TypeGuard[Collection[Any]]:
    # Any collection a Python caller may pass for a JSON array (pydantic takes sets too).
    if isinstance(items, list | tuple):
        return True  # what JSON gives, without the slower tests against the ABCs
    return isinstance(items, Collection) and not isinstance(items, str | bytes | Mapping)


def _too_many(path: str, count: int, limit: int, name: str) -> Problem:
    return Problem(
        "too_many_items", path, f"{count:,} items, more than the {limit:,} allowed (Limits.{name})"
    )


def _element_problems(raw: Any, rules: RulePack, limits: Limits) -> Iterator[Problem]:
    """Rule-pack and cross-field checks of each credential and record.

    They read the raw input, so a record with a malformed date still has its
    unknown approval codes reported in the same refusal.
    """
    if not isinstance(raw, dict | Mapping):
        return
    for i, credential in _mappings(raw.get("credentials")):
        code = credential.get("code")
        if isinstance(code, str) and code.strip() and rules.credential(code) is None:
            yield _unknown_code(f"$.credentials[{i}].code", code, rules, limits)
    records = list(_mappings(raw.get("records")))
    known = rules.codes_as_written
    for i, record in records:
        if not _plainly_fine(record, known):
            yield from _record_problems(i, record, rules, limits)
    yield from _duplicate_ids([(i, r.get("id")) for i, r in records], limits)


def _plainly_fine(record: Mapping[str, Any], known: frozenset[str]) -> bool:
    """Whether :func:`_record_problems` has nothing to say of ``record``, told quickly
    for the common record: CEUs claimed, no hours, codes written as the catalog does."""
    activity, approved_for = record.get("activity"), record.get("approved_for", ())
    if not (
        type(activity) is str
        and activity in _ORDINARY
        and record.get("ceus") is not None
        and record.get("clock_hours") is None
        and record.get("credit_hours") is None
        and type(approved_for) in (list, tuple)
    ):
        return False
    try:
        return known.issuperset(approved_for)  # only strings are in it
    except TypeError:  # an item no set can hold (a list, an object): the full check words it
        return False


def _mappings(items: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(items, list | tuple):
        # dict first: the test against the Mapping ABC is the slow one.
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, dict | Mapping))


def _member_problems(
    member: Member, rules: RulePack, limits: Limits, rules_on: dt.date | None
) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, credential in enumerate(member.credentials):
        code = credential.code.upper()
        if code in seen:
            yield Problem(
                "duplicate_credential",
                f"$.credentials[{i}].code",
                f"credential {shown(code, limits.max_echo_length)} is listed twice; "
                "list each credential once",
            )
        seen.add(code)
    yield from _period_problems(member, rules, limits, rules_on)


def _period_problems(
    member: Member, rules: RulePack, limits: Limits, rules_on: dt.date | None
) -> Iterator[Problem]:
    due = member.renewal_due
    if member.period_start is not None and member.period_start > due:
        yield Problem(
            "period_start_after_due",
            "$.period_start",
            f"period_start {member.period_start} is after renewal_due {due}",
        )
        return
    if member.period_start is not None:
        months = months_spanned(member.period_start, due)
        if months > limits.max_period_months:
            yield Problem(
                "period_too_long",
                "$.period_start",
                f"period_start {member.period_start} makes a period of {months} months, "
                f"longer than the {limits.max_period_months} allowed (Limits.max_period_months)",
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
    start = member_start(member, rules)
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


_ACTIVITIES = frozenset(Activity)
_ORDINARY = _ACTIVITIES - {Activity.POST_SECONDARY, Activity.INSTRUCTOR}


def _record_problems(
    i: int, record: Mapping[str, Any], rules: RulePack, limits: Limits
) -> Iterator[Problem]:
    at = f"$.records[{i}]"
    approved_for = record.get("approved_for")
    if isinstance(approved_for, list | tuple):
        for j, code in enumerate(approved_for):
            if isinstance(code, str) and rules.credential(code) is None:
                yield _unknown_code(f"{at}.approved_for[{j}]", code, rules, limits)
    activity = record.get("activity")
    if not isinstance(activity, str) or activity not in _ACTIVITIES:
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
                f"{shown(teaches, limits.max_echo_length)} is not a core credential; "
                "E-INSTRUCTOR credits teaching "
                "a course specific to a core credential such as CPC",
            )


def _duplicate_ids(ids: list[tuple[int, Any]], limits: Limits) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, record_id in ids:
        if not isinstance(record_id, str):
            continue
        key = record_id.strip()
        if key in first:
            yield Problem(
                "duplicate_id",
                f"$.records[{i}].id",
                f"record id {shown(key, limits.max_echo_length)} is already used by "
                f"records[{first[key]}]; ids must be unique",
            )
        else:
            first[key] = i


def _unknown_code(path: str, code: str, rules: RulePack, limits: Limits) -> Problem:
    return Problem(
        "unknown_credential",
        path,
        f"unknown credential code {shown(code, limits.max_echo_length)}; "
        f"rule pack {rules.id} knows {rules.known_codes}",
    )
