"""The report: an assignment's figures as the JSON format's :class:`ComplianceReport`.

The last stage of the pipeline (period -> requirements -> eligibility -> items
-> assignment -> report). Everything here is computed by the engine, so the
output models are built without re-validation (``model_construct``); the JSON
round-trip tests check that what is built is what validation would accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from ._amounts import Rounder, format_decimal
from ._assign import Assignment
from ._codes import Status
from ._eligibility import Claim
from ._items import Prepared, cap_of
from ._models import (
    Application,
    ComplianceReport,
    Deadlines,
    ExtensionOffer,
    Member,
    NotApplied,
    Period,
    RecordOutcome,
    Requirement,
    YearCount,
    construct,
)
from ._pack import RuleSet
from ._period import PeriodWindow, revocation, submission_opens
from ._validation import input_warnings

_ZERO = Decimal(0)


def report(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    prepared: Prepared,
    assignment: Assignment,
    *,
    rollover_note: bool = True,
    shown: tuple[dt.date, dt.date] | None = None,
) -> ComplianceReport:
    """The report of ``prepared`` under ``assignment``; ``rollover_note`` off in a history.

    ``shown``: the first and last day of the records a history shows of this period.
    A record outside them that counts nothing is left out of ``records`` (it adds
    nothing to any figure), so that its outcome and messages are never written.
    """
    window = prepared.window
    requirement_of = {s.key: s.requirement for s in prepared.sinks}
    decimal = Rounder()

    outcome: dict[int, RecordOutcome] = {}
    by_requirement: dict[str, Decimal] = {}
    by_year: dict[tuple[str, int], Decimal] = {}
    for claim, units, shares in zip(
        prepared.live, assignment.units, assignment.shares, strict=True
    ):
        record, counted = claim.record, decimal(assignment.decimal(units))
        left = claim.available - counted
        rollover = left if window.in_renewal_month(record.date) else _ZERO
        if left > 0 and not rollover:
            cap = cap_of(record, rules, window)
            assert cap is not None  # only a cap leaves countable CEUs out
            claim = claim.reject(cap.code, left, cap.detail)
        applications: dict[str, Decimal] = {}
        if shares:
            year = window.year_of(record.date)
            for key, share_units in shares.items():
                share, code = decimal(assignment.decimal(share_units)), requirement_of[key]
                applications[code] = applications.get(code, _ZERO) + share
                by_requirement[code] = by_requirement.get(code, _ZERO) + share
                by_year[code, year] = by_year.get((code, year), _ZERO) + share
        # A record a cap leaves out whole is rejected whole too: no minimum to speak of.
        refused = prepared.not_applied.get(claim.position, ()) if counted or rollover else ()
        outcome[claim.position] = _outcome(claim, counted, rollover, applications, refused)
    first, last = shown or (dt.date.min, dt.date.max)
    records = tuple(
        outcome.get(c.position) or _outcome(c, _ZERO, _ZERO, {})
        for c in prepared.claims
        if c.position in outcome or first <= c.record.date <= last
    )

    counted_total = sum((r.counted for r in records), _ZERO)
    required_total = prepared.required_total
    requirements = [_requirement("total", prepared.total_rule, required_total, counted_total)]
    for m in prepared.minimums:
        code = m.code
        counted = by_requirement.get(code, _ZERO)
        shortfall = max(_ZERO, m.required - counted)
        split = None
        if m.years:
            split = tuple(
                construct(
                    YearCount,
                    year=n,
                    start=prepared.years[n - 1][0],
                    end=prepared.years[n - 1][1],
                    required=figure,
                    counted=by_year.get((code, n), _ZERO),
                )
                for n, figure in m.years
            )
            if rules.minimum_per_period_year:
                shortfall = sum(
                    (max(_ZERO, (y.required or _ZERO) - y.counted) for y in split), _ZERO
                )
        requirements.append(_requirement(code, m.rule, m.required, counted, shortfall, split))

    end = window.end
    compliant = all(r.met for r in requirements)
    rollover_total = sum((r.rollover for r in records), _ZERO)
    status = _status(compliant, as_of, window)
    deadlines = construct(
        Deadlines,
        due=end,
        submission_opens=submission_opens(end, rules.submission_opens_months),
        revocation=revocation(end, rules.revocation_days),
        extension_until=member.extension_until,
    )
    offer = None
    # P-EXTENSION: one extension per period, and none once the credentials are revoked.
    if end < as_of <= deadlines.revocation and not compliant and member.extension_until is None:
        offer = construct(
            ExtensionOffer, fee_usd=extension_fee(rules, prepared.held), rule="P-EXTENSION"
        )
    told = rollover_total if rollover_note else _ZERO
    notes = [*prepared.notes, *_status_notes(status, as_of, deadlines, offer, told, rules.body)]
    notes += decimal.notes()
    return construct(
        ComplianceReport,
        member_id=member.member_id,
        as_of=as_of,
        rules=rules.pack_id,
        rules_version=rules.version,
        period=construct(Period, start=window.start, end=end),
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


def _outcome(
    claim: Claim,
    counted: Decimal,
    rollover: Decimal,
    applications: Mapping[str, Decimal],
    not_applied: tuple[NotApplied, ...] = (),
) -> RecordOutcome:
    record = claim.record
    gaps: list[Literal["index_number", "provider"]] = []
    if counted > 0:
        if not (record.index_number or "").strip():
            gaps.append("index_number")
        if not (record.provider or "").strip():
            gaps.append("provider")
    return construct(
        RecordOutcome,
        id=record.id,
        date=record.date,
        activity=record.activity,
        title=record.title,
        provider=record.provider,
        claimed=claim.claimed,
        counted=counted,
        rollover=rollover,
        applied_to=tuple(
            construct(Application, requirement=k, ceus=v) for k, v in applications.items() if v > 0
        ),
        not_applied=not_applied,
        rejections=claim.rejections,
        audit_gaps=tuple(gaps),
    )


def _requirement(
    rid: str,
    rule: str,
    required: Decimal,
    counted: Decimal,
    shortfall: Decimal | None = None,
    by_period_year: tuple[YearCount, ...] | None = None,
) -> Requirement:
    short = max(_ZERO, required - counted) if shortfall is None else shortfall
    return construct(
        Requirement,
        id=rid,
        rule=rule,
        required=required,
        counted=counted,
        shortfall=short,
        met=short == 0,
        by_period_year=by_period_year,
    )


def _status(compliant: bool, as_of: dt.date, window: PeriodWindow) -> Status:
    if compliant:
        return Status.COMPLIANT
    if as_of <= window.end:
        return Status.IN_PROGRESS
    if window.extension_until is not None and as_of <= window.extension_until:
        return Status.EXTENSION
    return Status.NONCOMPLIANT


def extension_fee(rules: RuleSet, held: int) -> Decimal:
    """P-EXTENSION: the fee for an extension, once per member or per credential held."""
    return rules.extension_fee_usd * (held if rules.extension_fee_per == "credential" else 1)


def _status_notes(
    status: Status,
    as_of: dt.date,
    deadlines: Deadlines,
    offer: ExtensionOffer | None,
    rollover: Decimal,
    body: str,
) -> list[str]:
    notes = []
    if rollover > 0:
        notes.append(
            f"{format_decimal(rollover)} CEUs earned in the renewal month are not needed now and "
            "can be applied to the next period instead (P-RENEWAL-MONTH)."
        )
    if status is Status.EXTENSION:
        notes.append(
            f"In a CEU extension until {deadlines.extension_until}: only {body} education earned "
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
            f"A CEU extension can be bought from {body} for ${format_decimal(offer.fee_usd)} "
            "(P-EXTENSION)."
        )
    return notes
