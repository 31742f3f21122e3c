"""evaluate(): from a member to a report, through the stages of the pipeline.

period (``_period``) -> eligibility (``_eligibility``) -> caps and minimums
(here) -> assignment (``_assign``) -> report (here). Pure and deterministic:
the same member, date and rules always give the same report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ._assign import Item, Sink, assign
from ._eligibility import Claim, Context, run_stages
from ._messages import SPLIT_BY_HISTORY, rejection_message
from ._models import (
    Activity,
    Application,
    ComplianceReport,
    Deadlines,
    ExtensionOffer,
    Member,
    Period,
    RecordOutcome,
    Rejection,
    RejectionCode,
    Requirement,
    Status,
    YearCount,
    decimal_of,
    format_decimal,
)
from ._pack import CredentialSpec, RulePack, RuleSet, default_rule_pack, load_rule_pack
from ._period import PeriodWindow, default_start, months_spanned, revocation, submission_opens
from ._validation import parse_member

_ZERO = Decimal(0)
RulesArg = RulePack | str | Path | None


def resolve_pack(rules: RulesArg) -> RulePack:
    """``None`` for the default pack, a bundled pack name, a TOML path, or a pack."""
    if rules is None:
        return default_rule_pack()
    if isinstance(rules, RulePack):
        return rules
    return load_rule_pack(rules)


def evaluate(
    member: Member | Mapping[str, Any] | str | bytes,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
) -> ComplianceReport:
    """Evaluate one member's renewal period ending at ``renewal_due``.

    ``member`` is a :class:`Member`, a mapping in INTERCHANGE.md form, or its
    JSON text. ``as_of`` defaults to today. Non-compliance is reported, never
    raised.

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason.
        RulePackError: ``rules`` names a pack that does not load.
    """
    pack = resolve_pack(rules)
    valid = parse_member(member, pack)
    return _evaluate(valid, pack.at(valid.renewal_due), as_of or dt.date.today())


@dataclass(frozen=True)
class _Minimum:
    spec: CredentialSpec
    earned: dt.date
    required: Decimal
    years: tuple[tuple[int, Decimal | None], ...]  # (period-year, required) when per year


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
    left, in the order of ``items``. ``notes`` are the report's notes so far.
    """

    start: dt.date
    end: dt.date
    window: PeriodWindow
    years: tuple[tuple[dt.date, dt.date], ...]
    required_total: Decimal
    minimums: tuple[_Minimum, ...]
    sinks: tuple[Sink, ...]
    claims: tuple[Claim, ...]
    live: tuple[Claim, ...]
    items: tuple[Item, ...]
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
    """Every stage of :func:`evaluate` before the assignment (shared with the plan).

    The keywords carry a history's renewal-month split (H-SPLIT), by record id:
    ``applied_before`` the CEUs of previous-renewal-month records that served the
    previous period (rejected here as ``already_applied``); ``counted_here``, when
    given, the CEUs of current-renewal-month records that serve this period, which
    then count whole (within their cap) while the rest of them is rollover.
    """
    end = member.renewal_due
    start = member.period_start or default_start(end, rules.period_months)
    window = PeriodWindow(start, end, member.extension_until)
    months = months_spanned(start, end)
    notes: list[str] = []

    held: dict[str, tuple[CredentialSpec, dt.date]] = {}
    for credential in member.credentials:
        spec = rules.credential(credential.code)
        assert spec is not None  # parse_member refused unknown codes
        if spec.code not in held or credential.earned < held[spec.code][1]:
            held[spec.code] = (spec, credential.earned)
    in_force = [(s, d) for s, d in held.values() if d <= start]
    in_force.sort(key=lambda sd: rules.credentials.index(sd[0]))
    later = sorted(f"{s.code} ({d})" for s, d in held.values() if start < d <= end)
    if later:
        notes.append(
            f"Earned during this period: {', '.join(later)}. Their requirements start with the "
            "next period; they raise neither the tier nor add a minimum now (Q-TIER)."
        )

    tier = rules.tier_total(len(in_force))
    required_total = member.required_total_override or _prorate(
        tier, months, rules.period_months, rules.prorate_step
    )
    codes = ", ".join(s.code for s, _ in in_force)
    notes.append(
        f"{len(in_force)} credential(s) held on {start} ({codes}): {format_decimal(tier)} CEUs "
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

    years = window.years()
    minimums = []
    for spec, earned in in_force:
        if spec.minimum <= 0:
            continue
        required = _prorate(spec.minimum, months, rules.period_months, rules.prorate_step)
        per_year: list[tuple[int, Decimal | None]] = []
        if spec.per_year is not None:
            for n, (first, last) in enumerate(years, start=1):
                figure = None
                if rules.minimum_per_period_year:
                    span = months_spanned(first, last)
                    figure = _prorate(spec.per_year, span, 12, rules.prorate_step)
                per_year.append((n, figure))
            if rules.minimum_per_period_year:
                required = sum((r or _ZERO for _, r in per_year), _ZERO)
        minimums.append(_Minimum(spec, earned, required, tuple(per_year)))

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

    sinks: list[Sink] = []
    for m in minimums:
        split = rules.minimum_per_period_year and m.years
        for n, figure in m.years if split else ((0, m.required),):
            key = f"{m.spec.code}@{n}" if split else m.spec.code
            sinks.append(Sink(key, m.spec.kind, figure or _ZERO))

    caps: dict[str, Decimal] = {}
    live = [c for c in claims if c.available > 0]
    items = []
    pinned: dict[str, Decimal] = {}
    for claim in live:
        group = _cap_group(claim, rules, window)
        if group is not None:
            caps[group] = (
                rules.instructor_cap
                if group.startswith("instructor")
                else rules.post_secondary_cap_per_year
            )
        amount, flexible = claim.available, window.in_renewal_month(claim.record.date)
        if flexible and counted_here is not None:
            amount, flexible = min(amount, counted_here.get(claim.record.id, _ZERO)), False
            if group is not None:  # it takes its share of the cap first
                pinned[group] = pinned.get(group, _ZERO) + amount
                group = None
        items.append(
            Item(
                amount=amount,
                sinks=tuple(
                    k for k in (s.key for s in sinks) if _serves(claim, k, minimums, rules, window)
                ),
                group=group,
                flexible=flexible,
                order=(claim.record.date, claim.record.id),
            )
        )
    for group, used in pinned.items():
        caps[group] -= used
    return Prepared(
        start=start,
        end=end,
        window=window,
        years=years,
        required_total=required_total,
        minimums=tuple(minimums),
        sinks=tuple(sinks),
        claims=tuple(claims),
        live=tuple(live),
        items=tuple(items),
        caps=caps,
        notes=tuple(notes),
    )


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
    start, end, window, years = prepared.start, prepared.end, prepared.window, prepared.years
    required_total, minimums, sinks = prepared.required_total, prepared.minimums, prepared.sinks
    claims, live, items, caps = prepared.claims, prepared.live, prepared.items, prepared.caps
    notes = list(prepared.notes)
    assignment = assign(items, sinks, caps, required_total)

    inexact: list[str] = []

    def decimal(value: Fraction) -> Decimal:
        out = decimal_of(value)
        if Fraction(out) != value:
            inexact.append(format_decimal(out))
        return out

    outcome: dict[int, RecordOutcome] = {}
    applied_by_sink: dict[str, Decimal] = {s.key: _ZERO for s in sinks}
    year_counts: dict[tuple[str, int], Decimal] = {}
    for claim, item, counted_f, applied_f in zip(
        live, items, assignment.counted, assignment.applied, strict=True
    ):
        counted = decimal(counted_f)
        rejections = list(claim.rejections)
        left = claim.available - counted
        rollover = _ZERO
        if window.in_renewal_month(claim.record.date):
            rollover = left
        elif left > 0 and item.group is not None:
            rejections.append(_cap_rejection(claim, item.group, left, rules, window))
        applications: dict[str, Decimal] = {}
        for key, share_f in applied_f.items():
            share = decimal(share_f)
            code = key.split("@")[0]
            applications[code] = applications.get(code, _ZERO) + share
            applied_by_sink[key] += share
            year = window.year_of(claim.record.date)
            year_counts[code, year] = year_counts.get((code, year), _ZERO) + share
        outcome[claim.position] = _outcome(claim, counted, rollover, applications, rejections)
    for claim in claims:
        if claim.position not in outcome:
            outcome[claim.position] = _outcome(claim, _ZERO, _ZERO, {}, list(claim.rejections))
    records = tuple(outcome[i] for i in range(len(claims)))

    counted_total = sum((r.counted for r in records), _ZERO)
    requirements = [_requirement("total", "Q-TIER", required_total, counted_total)]
    for m in minimums:
        got = sum((v for k, v in applied_by_sink.items() if k.split("@")[0] == m.spec.code), _ZERO)
        requirement = _requirement(m.spec.code, m.spec.rule or "", m.required, got)
        if m.years:
            by_year = tuple(
                YearCount(
                    year=n,
                    start=years[n - 1][0],
                    end=years[n - 1][1],
                    required=figure,
                    counted=year_counts.get((m.spec.code, n), _ZERO),
                )
                for n, figure in m.years
            )
            short = sum((max(_ZERO, (y.required or _ZERO) - y.counted) for y in by_year), _ZERO)
            if rules.minimum_per_period_year:
                requirement = requirement.model_copy(update={"shortfall": short, "met": short == 0})
            requirement = requirement.model_copy(update={"by_period_year": by_year})
        requirements.append(requirement)

    compliant = all(r.met for r in requirements)
    rollover_total = sum((r.rollover for r in records), _ZERO)
    status = _status(compliant, as_of, window)
    offer = None
    if as_of > end and not compliant and member.extension_until is None:
        offer = ExtensionOffer(fee_usd=rules.extension_fee_usd)
    deadlines = Deadlines(
        due=end,
        submission_opens=submission_opens(end, rules.submission_opens_months),
        revocation=revocation(end, rules.revocation_days),
        extension_until=member.extension_until,
    )
    # With a history's split, the history's own note explains the rollover (H-SPLIT).
    told = rollover_total if counted_here is None else _ZERO
    notes.extend(_status_notes(status, compliant, deadlines, offer, told))
    if inexact:
        notes.append(
            "Some assigned amounts are not whole decimals and are shown rounded to 0.000001 CEU: "
            + ", ".join(inexact)
        )
    return ComplianceReport(
        member_id=member.member_id,
        as_of=as_of,
        rules=rules.pack_id,
        period=Period(start=start, end=end),
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
    )


def _serves(
    claim: Claim, sink: str, minimums: list[_Minimum], rules: RuleSet, window: PeriodWindow
) -> bool:
    """Q-*, E-CMS, P-BEFORE-CERT: may this claim's CEUs go to ``sink``?"""
    code, _, year = sink.partition("@")
    m = next(m for m in minimums if m.spec.code == code)
    record = claim.record
    approvals = {spec.code for a in record.approved_for if (spec := rules.credential(a))}
    if code not in approvals or record.date < m.earned:
        return False
    if m.spec.vendors and not rules.is_provider(record.provider, m.spec.vendors):
        return False
    if m.spec.kind == "specialty" and rules.is_provider(record.provider, rules.cms_providers):
        return False
    return not year or window.year_of(record.date) == int(year)


def _cap_group(claim: Claim, rules: RuleSet, window: PeriodWindow) -> str | None:
    """E-INSTRUCTOR, E-POSTSECONDARY: the cap a record's CEUs share, if any."""
    record = claim.record
    if record.activity is Activity.INSTRUCTOR and record.teaches:
        spec = rules.credential(record.teaches)
        return f"instructor:{spec.code if spec else record.teaches}"
    if record.activity is Activity.POST_SECONDARY:
        if rules.post_secondary_year_basis == "calendar":
            return f"post_secondary:{record.date.year}"
        return f"post_secondary:year {window.year_of(record.date)}"
    return None


def _cap_rejection(
    claim: Claim, group: str, amount: Decimal, rules: RuleSet, window: PeriodWindow
) -> Rejection:
    kind, _, what = group.partition(":")
    if kind == "instructor":
        code = RejectionCode.INSTRUCTOR_CAP
        detail = f"{what}: {format_decimal(rules.instructor_cap)} CEUs per core credential"
    else:
        code = RejectionCode.POST_SECONDARY_CAP
        detail = f"{format_decimal(rules.post_secondary_cap_per_year)} CEUs in {what}"
    return Rejection(
        code=code,
        ceus=amount,
        rule="E-INSTRUCTOR" if kind == "instructor" else "E-POSTSECONDARY",
        message=rejection_message(code, claim.record, amount, detail),
    )


def _outcome(
    claim: Claim,
    counted: Decimal,
    rollover: Decimal,
    applications: Mapping[str, Decimal],
    rejections: list[Rejection],
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
        claimed=claim.claimed,
        counted=counted,
        rollover=rollover,
        applied_to=tuple(
            Application(requirement=k, ceus=v) for k, v in applications.items() if v > 0
        ),
        rejections=tuple(rejections),
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
    compliant: bool,
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
    if not compliant and status is not Status.IN_PROGRESS:
        notes.append(
            f"Past the due date and not compliant: credentials are revoked on "
            f"{deadlines.revocation} if CEUs are not submitted (P-REVOKE)."
        )
    if offer is not None:
        notes.append(
            f"A CEU extension can be bought from AAPC for ${format_decimal(offer.fee_usd)} "
            "(P-EXTENSION)."
        )
    return notes
