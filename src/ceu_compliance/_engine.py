"""evaluate(): from a member to a report, through the stages of the pipeline.

period (``_period``) -> eligibility (``_eligibility``) -> caps and minimums
(here) -> assignment (``_assign``) -> report (here). Pure and deterministic:
the same member, date and rules always give the same report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from fractions import Fraction
from pathlib import Path
from typing import Any

from ._amounts import Rounder, format_decimal, plural
from ._arithmetic import own_arithmetic
from ._assign import Item, Sink, assign
from ._codes import NotAppliedCode, RejectionCode, Status
from ._eligibility import Claim, Context, run_stages
from ._limits import Limits
from ._messages import SPLIT_BY_HISTORY, not_applied_message
from ._models import (
    Activity,
    Application,
    CEURecord,
    ComplianceReport,
    Deadlines,
    ExtensionOffer,
    Member,
    NotApplied,
    Period,
    RecordOutcome,
    Requirement,
    YearCount,
)
from ._pack import CredentialSpec, RulePack, RuleSet, name_keys
from ._period import PeriodWindow, revocation, submission_opens
from ._validation import MemberArg, checked_call, input_warnings

_ZERO = Decimal(0)
_NEAR = 0.85  # how alike two normalised provider names must be to call one a near miss
RulesArg = RulePack | str | Path | None


@own_arithmetic
def evaluate(
    member: MemberArg,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    strict: bool = False,
    limits: Limits | None = None,
) -> ComplianceReport:
    """Evaluate one member's renewal period ending at ``renewal_due``.

    ``member`` is a :class:`Member`, a mapping in the JSON format of
    docs/format.md, or its JSON text (``str`` or UTF-8 ``bytes``). ``as_of`` (a
    ``datetime.date``, not a datetime) defaults to today. Non-compliance is
    reported, never raised. Unknown input fields are ignored and listed in the
    report's ``warnings``; ``strict=True`` refuses them instead. ``limits``
    bounds the input (default :class:`Limits`, docs/reliability.md).

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason.
        RulePackError: ``rules`` names a pack that does not load.
        TypeError: an argument is not of the type named here.
    """
    pack, valid, day = checked_call(member, as_of=as_of, rules=rules, strict=strict, limits=limits)
    return _evaluate(valid, pack.at(valid.renewal_due), day)


@dataclass(frozen=True)
class Minimum:
    spec: CredentialSpec
    earned: dt.date
    required: Decimal
    years: tuple[tuple[int, Decimal | None], ...]  # (period-year, required) when per year


@dataclass(frozen=True)
class _Cap:
    """E-INSTRUCTOR, E-POSTSECONDARY: a limit that some records' CEUs share in a period."""

    key: str
    limit: Decimal
    code: RejectionCode
    detail: str


def _prorate(amount: Decimal, months: int, out_of: int, step: Decimal) -> Decimal:
    """P-PRORATE: ``amount`` x months / out_of, rounded up to a multiple of ``step``."""
    if months == out_of:
        return amount
    exact = Fraction(amount) * months / out_of / Fraction(step)
    return Decimal(-(-exact.numerator // exact.denominator)) * step


@dataclass(frozen=True)
class Prepared:
    """One period, ready for assignment: its requirements and the CEUs that can count.

    ``claims`` are every record after eligibility; ``live`` those with CEUs
    left, in the order of ``items``; ``not_applied`` the minimums a live claim
    is approved for but cannot serve, by claim position. ``notes`` are the
    report's notes so far.
    """

    window: PeriodWindow
    years: tuple[tuple[dt.date, dt.date], ...]
    required_total: Decimal
    minimums: tuple[Minimum, ...]
    sinks: tuple[Sink, ...]
    claims: tuple[Claim, ...]
    live: tuple[Claim, ...]
    items: tuple[Item, ...]
    not_applied: Mapping[int, tuple[NotApplied, ...]]
    caps: Mapping[str, Decimal]
    notes: tuple[str, ...]


def prepare(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    *,
    applied_before: Mapping[str, Decimal] | None = None,
    counted_here: Mapping[str, Decimal] | None = None,
) -> Prepared:
    """Every stage of :func:`evaluate` before the assignment (shared with plan and history).

    The keywords carry a history's renewal-month split (H-SPLIT), by record id:
    ``applied_before`` the CEUs of previous-renewal-month records that served the
    previous period (rejected here as ``already_applied``); ``counted_here``, when
    given, the CEUs of current-renewal-month records that serve this period, which
    then count whole (within their cap) while the rest of them is rollover.
    """
    window = PeriodWindow.of(
        member.renewal_due,
        rules.period_months,
        period_start=member.period_start,
        extension_until=member.extension_until,
    )
    required_total, minimums, notes = _requirements(member, rules, window)

    ctx = Context(rules, window, as_of, min(c.earned for c in member.credentials))
    claims = run_stages(member.records, ctx)
    if applied_before:
        claims = tuple(
            c.reject(
                RejectionCode.ALREADY_APPLIED,
                applied_before.get(c.record.id, _ZERO),
                SPLIT_BY_HISTORY,
            )
            if window.in_previous_renewal_month(c.record.date)
            else c
            for c in claims
        )

    sinks = tuple(_sinks(minimums, rules))
    minimum_of = {m.spec.code: m for m in minimums}
    limits: dict[str, Decimal] = {}
    pinned: dict[str, Decimal] = {}
    live = tuple(c for c in claims if c.available > 0)
    items = []
    not_applied = {}
    for claim in live:
        record = claim.record
        cap = _cap_of(record, rules, window)
        group = cap.key if cap else None
        if cap:
            limits[cap.key] = cap.limit
        amount, flexible = claim.available, window.in_renewal_month(record.date)
        if flexible and counted_here is not None:
            amount, flexible = min(amount, counted_here.get(record.id, _ZERO)), False
            if cap:  # a pinned share takes its part of the cap first
                pinned[cap.key] = pinned.get(cap.key, _ZERO) + amount
                group = None
        served, refused = _approvals(record, sinks, minimum_of, rules, window)
        if refused:
            not_applied[claim.position] = refused
        items.append(Item(amount, served, group, flexible, order=(record.date, record.id)))
    caps = {key: limit - pinned.get(key, _ZERO) for key, limit in limits.items()}
    return Prepared(
        window=window,
        years=window.years(),
        required_total=required_total,
        minimums=minimums,
        sinks=sinks,
        claims=claims,
        live=live,
        items=tuple(items),
        not_applied=not_applied,
        caps=caps,
        notes=tuple(notes),
    )


def _requirements(
    member: Member, rules: RuleSet, window: PeriodWindow
) -> tuple[Decimal, tuple[Minimum, ...], list[str]]:
    """Q-TIER, P-PRORATE and the credential minimums in force, with notes saying why."""
    start, end, months = window.start, window.end, window.months
    notes: list[str] = []
    held: dict[str, tuple[CredentialSpec, dt.date]] = {}
    for credential in member.credentials:
        spec = rules.credential(credential.code)
        assert spec is not None  # parse_member refused unknown codes
        if spec.code not in held or credential.earned < held[spec.code][1]:
            held[spec.code] = (spec, credential.earned)
    in_force = sorted(
        ((s, d) for s, d in held.values() if d <= start),
        key=lambda sd: rules.credentials.index(sd[0]),
    )
    later = sorted(f"{s.code} ({d})" for s, d in held.values() if start < d <= end)
    if later:
        notes.append(
            f"Earned during this period: {', '.join(later)}. Their requirements start with the "
            "next period; they raise neither the tier nor add a minimum now (Q-TIER)."
        )

    def prorated(amount: Decimal) -> Decimal:
        return _prorate(amount, months, rules.period_months, rules.prorate_step)

    tier = rules.tier_total(len(in_force))
    required_total = member.required_total_override or prorated(tier)
    codes = ", ".join(s.code for s, _ in in_force)
    notes.append(
        f"{plural(len(in_force), 'credential')} held on {start} ({codes}): "
        f"{format_decimal(tier)} CEUs "
        "per two-year period (Q-TIER)."
    )
    if member.required_total_override is not None:
        notes.append(
            f"Total required set by AAPC's own figure: {format_decimal(required_total)} CEUs "
            "(P-PRORATE)."
        )
    elif months != rules.period_months:
        notes.append(
            f"The period runs {months} months, so the total and minimums are pro-rated: "
            f"{format_decimal(required_total)} CEUs in all (P-PRORATE)."
        )

    minimums = []
    for spec, earned in in_force:
        if spec.minimum <= 0:
            continue
        required = prorated(spec.minimum)
        per_year: list[tuple[int, Decimal | None]] = []
        if spec.per_year is not None:
            for n, year_months in enumerate(window.year_months(), start=1):
                figure = None
                if rules.minimum_per_period_year:
                    figure = _prorate(spec.per_year, year_months, 12, rules.prorate_step)
                per_year.append((n, figure))
            if rules.minimum_per_period_year:
                required = sum((r or _ZERO for _, r in per_year), _ZERO)
        minimums.append(Minimum(spec, earned, required, tuple(per_year)))
    return required_total, tuple(minimums), notes


def _sinks(minimums: Sequence[Minimum], rules: RuleSet) -> Iterator[Sink]:
    """What the assignment fills: each minimum, or each of its period-years (Q-CIRCC switch)."""
    for m in minimums:
        code, layer = m.spec.code, m.spec.kind
        if rules.minimum_per_period_year and m.years:
            for n, figure in m.years:
                yield Sink(f"{code}@{n}", layer, figure or _ZERO, requirement=code, year=n)
        else:
            yield Sink(code, layer, m.required, requirement=code)


def _evaluate(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    *,
    applied_before: Mapping[str, Decimal] | None = None,
    counted_here: Mapping[str, Decimal] | None = None,
) -> ComplianceReport:
    prepared = prepare(
        member, rules, as_of, applied_before=applied_before, counted_here=counted_here
    )
    # With a history's split, the history's own note explains the rollover (H-SPLIT).
    return report_of(member, rules, as_of, prepared, rollover_note=counted_here is None)


def report_of(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    prepared: Prepared,
    *,
    rollover_note: bool = True,
) -> ComplianceReport:
    """The assignment of ``prepared`` and the report it makes."""
    window = prepared.window
    assignment = assign(prepared.items, prepared.sinks, prepared.caps, prepared.required_total)
    requirement_of = {s.key: s.requirement for s in prepared.sinks}

    decimal = Rounder()

    outcome: dict[int, RecordOutcome] = {}
    by_requirement: dict[str, Decimal] = {}
    by_year: dict[tuple[str, int], Decimal] = {}
    for claim, counted_f, applied_f in zip(
        prepared.live, assignment.counted, assignment.applied, strict=True
    ):
        record, counted = claim.record, decimal(counted_f)
        left = claim.available - counted
        rollover = left if window.in_renewal_month(record.date) else _ZERO
        if left > 0 and not rollover:
            cap = _cap_of(record, rules, window)
            assert cap is not None  # only a cap leaves countable CEUs out
            claim = claim.reject(cap.code, left, cap.detail)
        applications: dict[str, Decimal] = {}
        year = window.year_of(record.date)
        for key, share_f in applied_f.items():
            share, code = decimal(share_f), requirement_of[key]
            applications[code] = applications.get(code, _ZERO) + share
            by_requirement[code] = by_requirement.get(code, _ZERO) + share
            by_year[code, year] = by_year.get((code, year), _ZERO) + share
        # A record a cap leaves out whole is rejected whole too: no minimum to speak of.
        refused = prepared.not_applied.get(claim.position, ()) if counted or rollover else ()
        outcome[claim.position] = _outcome(claim, counted, rollover, applications, refused)
    records = tuple(
        outcome.get(c.position) or _outcome(c, _ZERO, _ZERO, {}) for c in prepared.claims
    )

    counted_total = sum((r.counted for r in records), _ZERO)
    required_total = prepared.required_total
    requirements = [_requirement("total", "Q-TIER", required_total, counted_total)]
    for m in prepared.minimums:
        code = m.spec.code
        requirement = _requirement(
            code, m.spec.rule or "", m.required, by_requirement.get(code, _ZERO)
        )
        if m.years:
            split = tuple(
                YearCount(
                    year=n,
                    start=prepared.years[n - 1][0],
                    end=prepared.years[n - 1][1],
                    required=figure,
                    counted=by_year.get((code, n), _ZERO),
                )
                for n, figure in m.years
            )
            update: dict[str, Any] = {"by_period_year": split}
            if rules.minimum_per_period_year:
                short = sum((max(_ZERO, (y.required or _ZERO) - y.counted) for y in split), _ZERO)
                update |= {"shortfall": short, "met": short == 0}
            requirement = requirement.model_copy(update=update)
        requirements.append(requirement)

    end = window.end
    compliant = all(r.met for r in requirements)
    rollover_total = sum((r.rollover for r in records), _ZERO)
    status = _status(compliant, as_of, window)
    deadlines = Deadlines(
        due=end,
        submission_opens=submission_opens(end, rules.submission_opens_months),
        revocation=revocation(end, rules.revocation_days),
        extension_until=member.extension_until,
    )
    offer = None
    # P-EXTENSION: one extension per period, and none once the credentials are revoked.
    if end < as_of <= deadlines.revocation and not compliant and member.extension_until is None:
        offer = ExtensionOffer(fee_usd=rules.extension_fee_usd)
    told = rollover_total if rollover_note else _ZERO
    notes = [*prepared.notes, *_status_notes(status, as_of, deadlines, offer, told)]
    notes += decimal.notes()
    return ComplianceReport(
        member_id=member.member_id,
        as_of=as_of,
        rules=rules.pack_id,
        period=Period(start=window.start, end=end),
        status=status,
        compliant=compliant,
        required_total=required_total,
        counted_total=counted_total,
        excess=max(_ZERO, counted_total - required_total),
        rollover=rollover_total,
        requirements=tuple(requirements),
        records=records,
        deadlines=deadlines,
        extension_offer=offer,
        notes=tuple(notes),
        warnings=input_warnings(member),
    )


def _approvals(
    record: CEURecord,
    sinks: Sequence[Sink],
    minimum_of: Mapping[str, Minimum],
    rules: RuleSet,
    window: PeriodWindow,
) -> tuple[tuple[str, ...], tuple[NotApplied, ...]]:
    """Q-*, E-CMS, P-BEFORE-CERT: the sinks this record's CEUs may go to, and why it cannot
    serve the other credential minimums its ``approved_for`` names.

    Worked out once per record, each approval once: the assignment then only looks
    up the sinks.
    """
    approved = {
        spec.code: spec
        for code in record.approved_for
        if (spec := rules.credential(code)) is not None and spec.minimum > 0
    }
    serves: set[str] = set()
    refused = []
    for code, spec in approved.items():
        m = minimum_of.get(code)
        if m is None:
            why, rule = NotAppliedCode.NOT_HELD, spec.rule or ""
            message = not_applied_message(why, record, code, start=window.start.isoformat())
        elif record.date < m.earned:
            why, rule = NotAppliedCode.BEFORE_CREDENTIAL, "P-BEFORE-CERT"
            message = not_applied_message(why, record, code, earned=m.earned.isoformat())
        elif m.spec.vendors and not rules.is_provider(record.provider, m.spec.vendors):
            why, rule = NotAppliedCode.VENDOR_NOT_CONTRACTED, spec.rule or ""
            near = _near_vendor(record.provider, m.spec.vendors, rules)
            message = not_applied_message(why, record, code, vendors=m.spec.vendors, near=near)
        elif m.spec.kind == "specialty" and rules.is_provider(record.provider, rules.cms_providers):
            why, rule = NotAppliedCode.CMS_CORE_ONLY, "E-CMS"
            message = not_applied_message(why, record, code)
        else:
            serves.add(code)
            continue
        refused.append(NotApplied(requirement=code, code=why, rule=rule, message=message))
    year = window.year_of(record.date)
    served = tuple(s.key for s in sinks if s.requirement in serves and s.year in (None, year))
    return served, tuple(refused)


def _near_vendor(provider: str | None, vendors: Sequence[str], rules: RuleSet) -> str | None:
    """The vendor whose name ``provider`` comes close to without matching, if any.

    Close: the same letters but for spaces ("Z Health Publishing"), or a name
    that differs by a few letters ("MedLearn Publshing").
    """
    if not provider:
        return None
    keys = name_keys(provider, rules.company_suffixes)
    for vendor in vendors:
        for key in keys:
            for other in name_keys(vendor, rules.company_suffixes):
                same_letters = key.replace(" ", "") == other.replace(" ", "")
                if same_letters or SequenceMatcher(None, key, other).ratio() >= _NEAR:
                    return vendor
    return None


def _cap_of(record: CEURecord, rules: RuleSet, window: PeriodWindow) -> _Cap | None:
    """E-INSTRUCTOR, E-POSTSECONDARY: the cap a record's CEUs share, if any."""
    if record.activity is Activity.INSTRUCTOR and record.teaches:
        spec = rules.credential(record.teaches)
        taught = spec.code if spec else record.teaches
        limit = rules.instructor_cap
        detail = f"{taught}: {format_decimal(limit)} CEUs per core credential"
        return _Cap(f"instructor:{taught}", limit, RejectionCode.INSTRUCTOR_CAP, detail)
    if record.activity is Activity.POST_SECONDARY:
        if rules.post_secondary_year_basis == "calendar":
            year = f"{record.date.year}"
        else:
            year = f"year {window.year_of(record.date)}"
        limit = rules.post_secondary_cap_per_year
        detail = f"{format_decimal(limit)} CEUs in {year}"
        return _Cap(f"post_secondary:{year}", limit, RejectionCode.POST_SECONDARY_CAP, detail)
    return None


def _outcome(
    claim: Claim,
    counted: Decimal,
    rollover: Decimal,
    applications: Mapping[str, Decimal],
    not_applied: tuple[NotApplied, ...] = (),
) -> RecordOutcome:
    record = claim.record
    gaps: list[Any] = []
    if counted > 0:
        if not (record.index_number or "").strip():
            gaps.append("index_number")
        if not (record.provider or "").strip():
            gaps.append("provider")
    return RecordOutcome(
        id=record.id,
        date=record.date,
        activity=record.activity,
        title=record.title,
        provider=record.provider,
        claimed=claim.claimed,
        counted=counted,
        rollover=rollover,
        applied_to=tuple(
            Application(requirement=k, ceus=v) for k, v in applications.items() if v > 0
        ),
        not_applied=not_applied,
        rejections=claim.rejections,
        audit_gaps=tuple(gaps),
    )


def _requirement(rid: str, rule: str, required: Decimal, counted: Decimal) -> Requirement:
    shortfall = max(_ZERO, required - counted)
    return Requirement(
        id=rid,
        rule=rule,
        required=required,
        counted=counted,
        shortfall=shortfall,
        met=shortfall == 0,
    )


def _status(compliant: bool, as_of: dt.date, window: PeriodWindow) -> Status:
    if compliant:
        return Status.COMPLIANT
    if as_of <= window.end:
        return Status.IN_PROGRESS
    if window.extension_until is not None and as_of <= window.extension_until:
        return Status.EXTENSION
    return Status.NONCOMPLIANT


def _status_notes(
    status: Status,
    as_of: dt.date,
    deadlines: Deadlines,
    offer: ExtensionOffer | None,
    rollover: Decimal,
) -> list[str]:
    notes = []
    if rollover > 0:
        notes.append(
            f"{format_decimal(rollover)} CEUs earned in the renewal month are not needed now and "
            "can be applied to the next period instead (P-RENEWAL-MONTH)."
        )
    if status is Status.EXTENSION:
        notes.append(
            f"In a CEU extension until {deadlines.extension_until}: only AAPC education earned "
            "after the due date counts (P-EXTENSION)."
        )
    if status in (Status.NONCOMPLIANT, Status.EXTENSION) and as_of <= deadlines.revocation:
        notes.append(
            f"Past the due date and not compliant: credentials are revoked on "
            f"{deadlines.revocation} if CEUs are not submitted (P-REVOKE)."
        )
    elif status in (Status.NONCOMPLIANT, Status.EXTENSION):
        notes.append(
            f"Past the revocation date: the credentials were revoked on {deadlines.revocation} "
            "if CEUs were not submitted (P-REVOKE)."
        )
        if deadlines.extension_until is None:
            notes.append("A CEU extension can no longer be bought (P-EXTENSION).")
    if offer is not None:
        notes.append(
            f"A CEU extension can be bought from AAPC for ${format_decimal(offer.fee_usd)} "
            "(P-EXTENSION)."
        )
    return notes
