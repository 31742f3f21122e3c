"""Record eligibility: the stages that decide how much of each record can count.

Every stage has one shape: it takes all claims and the context and returns the
claims with some CEUs moved from ``available`` into rejections. Most stages
look at one record at a time (:func:`per_record`); duplicate detection looks
across records. A claim rejected whole is left alone by later stages, so it
carries exactly one code. Period caps (E-INSTRUCTOR, E-POSTSECONDARY's yearly
cap) are not stages: which records they cut is chosen by the assignment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ._amounts import format_decimal
from ._codes import RejectionCode
from ._messages import RULE_OF, rejection_message
from ._models import Activity, CEURecord, Rejection, construct
from ._pack import RuleSet
from ._period import PeriodWindow

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Context:
    """What every stage may read: the rules, the period and the member's dates."""

    rules: RuleSet
    window: PeriodWindow
    as_of: dt.date
    first_certified: dt.date


@dataclass(frozen=True)
class Refusal:
    """A rejection as a stage decides it: its message is written when a report shows it
    (a history leaves out the records outside each period, most of them refused)."""

    code: RejectionCode
    ceus: Decimal
    rule: str
    detail: str
    message: str | None


@dataclass(frozen=True)
class Claim:
    """A record on its way through the stages: ``available + rejected = claimed``.

    ``body`` is the certifying body whose rules judge it, as its messages name it.
    """

    record: CEURecord
    position: int
    claimed: Decimal
    available: Decimal
    refusals: tuple[Refusal, ...] = ()
    body: str = field(kw_only=True)
    index: str | None = field(init=False, compare=False, repr=False)
    """The record's index number as stages compare it (:func:`index_key`)."""

    def __post_init__(self) -> None:
        # Set once per claim: a cached_property costs more on Python 3.11 (it locks).
        object.__setattr__(self, "index", index_key(self.record.index_number))

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """The refusals as the report shows them, each with its message."""
        if not self.refusals:
            return ()
        return tuple(
            construct(
                Rejection,
                code=r.code,
                ceus=r.ceus,
                rule=r.rule,
                message=r.message
                or rejection_message(r.code, self.record, r.ceus, r.detail, body=self.body),
            )
            for r in self.refusals
        )

    def reject(
        self,
        code: RejectionCode,
        amount: Decimal,
        detail: str = "",
        rule: str = "",
        *,
        message: str | None = None,
    ) -> Claim:
        """This claim with ``amount`` of its available CEUs rejected as ``code``.

        The message is the code's own (``_messages``), given ``detail``, unless
        ``message`` says otherwise.
        """
        amount = min(amount, self.available)
        if amount <= 0:
            return self
        refusal = Refusal(code, amount, rule or RULE_OF[code], detail, message)
        # A copy of this claim's fields with two changed: the frozen __init__ (and
        # dataclasses.replace) cost more than the rest of a rejection.
        claim = object.__new__(Claim)
        claim.__dict__.update(
            self.__dict__, available=self.available - amount, refusals=(*self.refusals, refusal)
        )
        return claim


Stage = Callable[[Sequence[Claim], Context], tuple[Claim, ...]]
RecordCheck = Callable[[Claim, Context], Claim]


class PerRecord:
    """A stage that applies ``check`` to every claim that still has CEUs available.

    It keeps ``check`` so that :func:`run_stages` can run consecutive per-record
    stages in one pass over the claims.
    """

    def __init__(self, check: RecordCheck) -> None:
        self.check = check
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, claims: Sequence[Claim], ctx: Context) -> tuple[Claim, ...]:
        return tuple(self.check(c, ctx) if c.available > 0 else c for c in claims)


def per_record(check: RecordCheck) -> Stage:
    """Make ``check`` a stage (decorator)."""
    return PerRecord(check)


def claimed_ceus(record: CEURecord, rules: RuleSet) -> Decimal:
    """What a record claims; post-secondary hours converted (E-POSTSECONDARY)."""
    if record.clock_hours is not None:
        return record.clock_hours * rules.clock_hour_ceus
    if record.credit_hours is not None:
        return record.credit_hours * rules.credit_hour_ceus
    return record.ceus or _ZERO


def index_key(index_number: str | None) -> str | None:
    """P-AUDIT: index numbers compare after trimming spaces, case-insensitively."""
    key = (index_number or "").strip().casefold()
    return key or None


def duplicates(claims: Sequence[Claim], ctx: Context) -> tuple[Claim, ...]:
    """E-DUPLICATE: keep the earliest claim of each index number, reject the rest whole."""
    kept: dict[str, Claim] = {}
    for claim in sorted(claims, key=lambda c: (c.record.date, c.position)):
        key = claim.index
        if key is not None and key not in kept:
            kept[key] = claim
    out = []
    for claim in claims:
        key = claim.index
        if key is not None and kept[key] is not claim:
            claim = claim.reject(
                RejectionCode.DUPLICATE, claim.available, claim.record.index_number or ""
            )
        out.append(claim)
    return tuple(out)


@per_record
def future_date(claim: Claim, ctx: Context) -> Claim:
    """P-PERIOD: a record dated after the evaluation date counts nothing yet."""
    if claim.record.date > ctx.as_of:
        return claim.reject(RejectionCode.FUTURE_DATE, claim.available)
    return claim


@per_record
def window(claim: Claim, ctx: Context) -> Claim:
    """P-PERIOD, P-EXTENSION: inside the period (or an extension, AAPC education only)."""
    day, w = claim.record.date, ctx.window
    late_limit = w.extension_until or w.end
    if day < w.window_start or day > late_limit:
        extra = f", extension to {w.extension_until}" if w.extension_until else ""
        detail = f"{w.window_start} to {w.end}{extra}"
        return claim.reject(RejectionCode.OUTSIDE_PERIOD, claim.available, detail)
    if day > w.end and not ctx.rules.is_provider(claim.record.provider, ctx.rules.own_providers):
        return claim.reject(RejectionCode.LATE_NOT_AAPC, claim.available)
    return claim


@per_record
def before_certification(claim: Claim, ctx: Context) -> Claim:
    """P-BEFORE-CERT: no credit before the member's first certification."""
    if claim.record.date < ctx.first_certified:
        detail = f"certified {ctx.first_certified}"
        return claim.reject(RejectionCode.BEFORE_CERTIFICATION, claim.available, detail)
    return claim


@per_record
def already_applied(claim: Claim, ctx: Context) -> Claim:
    """P-RENEWAL-MONTH: a previous-renewal-month record already used last period."""
    record = claim.record
    if record.applied_to_previous_period and ctx.window.in_previous_renewal_month(record.date):
        return claim.reject(RejectionCode.ALREADY_APPLIED, claim.available)
    return claim


@per_record
def approval(claim: Claim, ctx: Context) -> Claim:
    """E-APPROVED: an index number, an approval, or AAPC's own education."""
    record = claim.record
    if claim.index or record.approved:
        return claim
    if not ctx.rules.is_provider(record.provider, ctx.rules.own_providers):
        return claim.reject(RejectionCode.NOT_APPROVED, claim.available)
    return claim


@per_record
def post_secondary(claim: Claim, ctx: Context) -> Claim:
    """E-POSTSECONDARY: a qualifying field, and a clock-hour program of enough hours."""
    record, rules = claim.record, ctx.rules
    if record.activity is not Activity.POST_SECONDARY:
        return claim
    # A pack that lists this stage gives its parameters (checked when it loads).
    assert rules.post_secondary_fields is not None and rules.min_clock_hours is not None
    if record.field not in rules.post_secondary_fields:
        detail = repr(record.field) if record.field else "(none given)"
        return claim.reject(RejectionCode.POST_SECONDARY_FIELD, claim.available, detail)
    if record.clock_hours is not None and record.clock_hours < rules.min_clock_hours:
        detail = format_decimal(record.clock_hours)
        return claim.reject(RejectionCode.POST_SECONDARY_MIN_HOURS, claim.available, detail)
    return claim


@per_record
def webinar(claim: Claim, ctx: Context) -> Claim:
    """E-WEBINAR: earned only with the post-quiz, and at most the webinar maximum."""
    if claim.record.activity is not Activity.WEBINAR:
        return claim
    if not claim.record.quiz_passed:
        return claim.reject(
            RejectionCode.QUIZ_NOT_PASSED, claim.available, "webinars earn CEUs only with it"
        )
    cap = ctx.rules.webinar_max_ceus
    assert cap is not None  # required by the stage (checked when the pack loads)
    if claim.available <= cap:
        return claim
    detail = f"webinar ({format_decimal(cap)})"
    return claim.reject(RejectionCode.ACTIVITY_CAP, claim.available - cap, detail)


@per_record
def workshop(claim: Claim, ctx: Context) -> Claim:
    """E-WORKSHOP: attendance CEUs, plus the rest up to the maximum with the post-quiz."""
    if claim.record.activity is not Activity.WORKSHOP:
        return claim
    rules = ctx.rules
    cap, attendance = rules.workshop_max_ceus, rules.workshop_attendance_ceus
    assert cap is not None and attendance is not None  # required by the stage
    if claim.available > cap:
        detail = f"workshop ({format_decimal(cap)})"
        claim = claim.reject(
            RejectionCode.ACTIVITY_CAP, claim.available - cap, detail, "E-WORKSHOP"
        )
    if not claim.record.quiz_passed and claim.available > attendance:
        detail = f"a workshop earns {format_decimal(attendance)} for attending"
        claim = claim.reject(
            RejectionCode.QUIZ_NOT_PASSED, claim.available - attendance, detail, "E-WORKSHOP"
        )
    return claim


STAGES: tuple[Stage, ...] = (
    duplicates,
    future_date,
    window,
    before_certification,
    already_applied,
    approval,
    post_secondary,
    webinar,
    workshop,
)


def run_stages(
    records: Sequence[CEURecord], ctx: Context, *, until: dt.date | None = None
) -> tuple[Claim, ...]:
    """Every record through every stage, in order.

    Consecutive per-record stages run in one pass, each claim through their checks
    in stage order: the same as one stage after another, since a per-record check
    looks at its own claim only.

    ``until``: a history's older period, which shows no record after its end,
    leaves those out. Its window (no extension) refuses them whole, and E-DUPLICATE
    keeps the earliest record of an index number, never a later one.
    """
    body = ctx.rules.body
    if "window" not in ctx.rules.shapes.stages or ctx.window.extension_until is not None:
        until = None
    claims = tuple(
        Claim(r, i, (c := claimed_ceus(r, ctx.rules)), c, body=body)
        for i, r in enumerate(records)
        if until is None or r.date <= until
    )
    for group in _passes(ctx.rules.shapes.stages):
        if callable(group):
            claims = group(claims, ctx)
        else:
            claims = tuple(_through(claim, group, ctx) for claim in claims)
    return claims


def _through(claim: Claim, checks: Sequence[RecordCheck], ctx: Context) -> Claim:
    for check in checks:
        if claim.available <= 0:
            break
        claim = check(claim, ctx)
    return claim


@lru_cache(maxsize=64)
def _passes(names: tuple[str, ...]) -> list[Stage | list[RecordCheck]]:
    """The stages ``names`` (a pack's), each run of per-record ones gathered into one list."""
    by_name = {stage.__name__: stage for stage in STAGES}
    passes: list[Stage | list[RecordCheck]] = []
    for stage in (by_name[name] for name in names):
        if not isinstance(stage, PerRecord):
            passes.append(stage)
        elif passes and isinstance(passes[-1], list):
            passes[-1].append(stage.check)
        else:
            passes.append([stage.check])
    return passes
