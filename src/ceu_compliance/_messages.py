"""Plain-English sentences for CEUs that did not count: what happened and what to do.

Every message names the record (its id, and its title or provider when known),
says why its CEUs did not count, and ends with what the member can do about it
(:data:`REMEDIES`). The engine writes these messages into the report; the
explanation adds the rule's citation beside them. A history's renewal-month
split has a sentence of its own (:func:`split_message`).

The models are imported only for type checking: the renderers use these
sentences too, and the models import the renderers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from ._amounts import ceus
from ._codes import NotAppliedCode, RejectionCode

if TYPE_CHECKING:
    from ._models import CEURecord, ComplianceReport

RULE_OF: dict[RejectionCode, str] = {
    RejectionCode.NOT_APPROVED: "E-APPROVED",
    RejectionCode.OUTSIDE_PERIOD: "P-PERIOD",
    RejectionCode.BEFORE_CERTIFICATION: "P-BEFORE-CERT",
    RejectionCode.LATE_NOT_AAPC: "P-EXTENSION",
    RejectionCode.DUPLICATE: "E-DUPLICATE",
    RejectionCode.QUIZ_NOT_PASSED: "E-WEBINAR",
    RejectionCode.ACTIVITY_CAP: "E-WEBINAR",
    RejectionCode.INSTRUCTOR_CAP: "E-INSTRUCTOR",
    RejectionCode.POST_SECONDARY_CAP: "E-POSTSECONDARY",
    RejectionCode.POST_SECONDARY_MIN_HOURS: "E-POSTSECONDARY",
    RejectionCode.POST_SECONDARY_FIELD: "E-POSTSECONDARY",
    RejectionCode.ALREADY_APPLIED: "P-RENEWAL-MONTH",
    RejectionCode.FUTURE_DATE: "P-PERIOD",
}

# Why the CEUs did not count. Placeholders: {What}/{what} the record (sentence
# start / inside a sentence), {date} its date, {ceus} the CEUs refused,
# {detail} what the calling stage adds (see each code's caller).
_REASONS: dict[RejectionCode, str] = {
    RejectionCode.NOT_APPROVED: (
        "{What} is not a pre-approved program: it has no AAPC index number, is not marked "
        "approved and is not AAPC education."
    ),
    RejectionCode.OUTSIDE_PERIOD: (
        "{What} is dated {date}, outside this period's window ({detail}); CEUs must be earned "
        "within the renewal period."
    ),
    RejectionCode.BEFORE_CERTIFICATION: (
        "{What} was completed on {date}, before the member's first certification ({detail}); "
        "AAPC gives no credit for education completed before certification."
    ),
    RejectionCode.LATE_NOT_AAPC: (
        "{What} is dated {date}, after the due date; CEUs earned after the due date are "
        "limited to AAPC education."
    ),
    RejectionCode.DUPLICATE: (
        "{What} repeats index number {detail}, already claimed by an earlier record; CEUs are "
        "earned once per course, however often it is completed."
    ),
    RejectionCode.QUIZ_NOT_PASSED: (
        "{What} earns {ceus} only with its post-quiz, which is not marked passed ({detail})."
    ),
    RejectionCode.ACTIVITY_CAP: "{What} claims {ceus} more than one {detail} can earn.",
    RejectionCode.INSTRUCTOR_CAP: (
        "{What} goes {ceus} over the teaching cap for this period ({detail}); the CEUs left "
        "out are those that helped the requirements least."
    ),
    RejectionCode.POST_SECONDARY_CAP: (
        "{What} goes {ceus} over the yearly post-secondary cap ({detail})."
    ),
    RejectionCode.POST_SECONDARY_MIN_HOURS: (
        "{What} has {detail} clock hours, fewer than a clock-hour program must run to earn CEUs."
    ),
    RejectionCode.POST_SECONDARY_FIELD: (
        "{What} is in the field {detail}, which earns no CEUs: only programs related to health "
        "care, health care business, health care finance or health care management count."
    ),
    RejectionCode.ALREADY_APPLIED: (
        "{What}, dated {date} in the previous renewal month, already served the previous "
        "period with {ceus}; a CEU counts for one period only."
    ),
    RejectionCode.FUTURE_DATE: (
        "{What} is dated {date}, after the evaluation date, so it counts nothing yet."
    ),
}

REMEDIES: dict[RejectionCode, str] = {
    RejectionCode.NOT_APPROVED: (
        "Look the event up in AAPC's Approved CEU Vendors list and add its index number (or "
        "mark it approved if AAPC approved it); otherwise replace it with a pre-approved "
        "program."
    ),
    RejectionCode.OUTSIDE_PERIOD: (
        "Check the date; if it is right, claim the record in the period it belongs to and "
        "earn these CEUs within this period instead."
    ),
    RejectionCode.BEFORE_CERTIFICATION: (
        "Check the date against the certification date; if both are right, replace the record "
        "with education completed after certification."
    ),
    RejectionCode.LATE_NOT_AAPC: (
        "Replace it with AAPC education (an AAPC webinar, workshop or course) completed "
        "before the extension ends."
    ),
    RejectionCode.DUPLICATE: (
        "Remove the repeated claim, or correct the index number if this is a different event."
    ),
    RejectionCode.QUIZ_NOT_PASSED: "Pass the post-quiz and set quiz_passed to true on the record.",
    RejectionCode.ACTIVITY_CAP: "Lower the claim to that maximum.",
    RejectionCode.INSTRUCTOR_CAP: (
        "Teaching cannot earn more this period; earn the rest from other pre-approved programs."
    ),
    RejectionCode.POST_SECONDARY_CAP: (
        "Post-secondary study cannot earn more in that year; earn the rest from other "
        "pre-approved programs."
    ),
    RejectionCode.POST_SECONDARY_MIN_HOURS: (
        "Report the program in credit hours if the transcript shows them, or claim it once "
        "the program has run the minimum clock hours."
    ),
    RejectionCode.POST_SECONDARY_FIELD: (
        "If the program relates to one of those fields, give that field on the record; "
        "otherwise earn these CEUs from a pre-approved program."
    ),
    RejectionCode.ALREADY_APPLIED: (
        "If the previous submission did not use this record, remove applied_to_previous_period "
        "from it."
    ),
    RejectionCode.FUTURE_DATE: "Check the date, or evaluate again on or after it.",
}


def describe(record: CEURecord) -> str:
    """How a sentence names a record: its id, and title or provider when known."""
    label = record.title or record.provider
    return f"record {record.id}" + (f" ({label})" if label else "")


def rejection_message(
    code: RejectionCode, record: CEURecord, amount: Decimal, detail: str = ""
) -> str:
    """The reason ``amount`` CEUs of ``record`` were refused as ``code``, then the remedy."""
    return _sentence(_REASONS[code], REMEDIES[code], record, amount, detail)


def split_message(record: CEURecord, amount: Decimal) -> str:
    """``already_applied`` decided by a history's renewal-month split (H-SPLIT), not by the
    record's ``applied_to_previous_period`` (which a history reads for its oldest period only).
    """
    return _sentence(
        "{What}, dated {date} in the previous renewal month, serves the previous period of "
        "this history with {ceus} (H-SPLIT); a CEU counts for one period only.",
        "Claim those CEUs in the previous period's submission; in a history the split decides "
        "this, not applied_to_previous_period.",
        record,
        amount,
    )


def _sentence(
    reason: str, remedy: str, record: CEURecord, amount: Decimal, detail: str = ""
) -> str:
    what = describe(record)
    text = reason.format(
        What=what[0].upper() + what[1:],
        what=what,
        date=record.date.isoformat(),
        ceus=ceus(amount),
        detail=detail,
    )
    return f"{text} {remedy}"


# Why a record cannot serve a minimum it is approved for (NotAppliedCode), then
# what to do. Placeholders: {What} the record, {date} its date, {minimum} the
# credential minimum; each code's caller gives the rest (see not_applied_message).
_NOT_APPLIED: dict[NotAppliedCode, tuple[str, str]] = {
    NotAppliedCode.VENDOR_NOT_CONTRACTED: (
        "{What} is approved for {minimum}, but its provider, {provider}, is not one of the "
        "vendors AAPC contracted for {minimum} CEUs: {vendors}.{near} Its CEUs count toward "
        "the total, not toward {minimum}.",
        "Earn the {minimum} CEUs from one of those vendors; if the provider is one of them, "
        "write its name as AAPC lists it.",
    ),
    NotAppliedCode.CMS_CORE_ONLY: (
        "{What} is a CMS training: CMS trainings count toward the total and core credentials, "
        "never toward a specialty minimum such as {minimum}.",
        "Earn the {minimum} CEUs from a pre-approved program that is not a CMS training.",
    ),
    NotAppliedCode.BEFORE_CREDENTIAL: (
        "{What} is dated {date}, before {minimum} was earned on {earned}: it counts toward the "
        "total, not toward the {minimum} minimum.",
        "Earn the {minimum} CEUs from education completed on or after {earned}.",
    ),
    NotAppliedCode.NOT_HELD: (
        "{What} is approved for {minimum}, but {minimum} is not a minimum of this period: the "
        "member held no {minimum} credential on the period's start, {start}.",
        "Nothing to do if that is right; otherwise check the credential's earned date.",
    ),
}


def not_applied_message(
    code: NotAppliedCode,
    record: CEURecord,
    minimum: str,
    *,
    earned: str = "",
    start: str = "",
    vendors: Sequence[str] = (),
    near: str | None = None,
) -> str:
    """Why ``record`` cannot serve the ``minimum`` it is approved for, then the remedy.

    ``earned`` is the date the credential was earned (``before_credential``),
    ``start`` the period's start (``not_held``), ``vendors`` the contracted
    vendors and ``near`` the one the provider's name comes close to
    (``vendor_not_contracted``).
    """
    what = describe(record)
    reason, remedy = _NOT_APPLIED[code]
    fields = {
        "What": what[0].upper() + what[1:],
        "date": record.date.isoformat(),
        "minimum": minimum,
        "earned": earned,
        "start": start,
        "provider": f'"{record.provider}"' if record.provider else "not given",
        "vendors": listed(vendors),
        "near": f' "{record.provider}" comes close to {near}.' if near else "",
    }
    return f"{reason.format(**fields)} {remedy.format(**fields)}"


def listed(names: Sequence[str], conjunction: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C`` (or ``A, B or C``; nothing for no names)."""
    return f" {conjunction} ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))


def rollover_message(record_id: str, amount: Decimal) -> str:
    """P-RENEWAL-MONTH: CEUs of a renewal-month record left for the next period."""
    return (
        f"Record {record_id} has {ceus(amount)} from the renewal month that this period's "
        "requirements do not need. Claim that amount in the next period's submission instead."
    )


@dataclass(frozen=True)
class Uncounted:
    """CEUs of one record that did not count in this period: a rejection, or its rollover."""

    record: str
    ceus: Decimal
    code: RejectionCode | Literal["rollover"]
    rule: str
    message: str


def uncounted(report: ComplianceReport) -> Iterator[Uncounted]:
    """Every part of every record that did not count, in record order."""
    for outcome in report.records:
        for rejection in outcome.rejections:
            yield Uncounted(
                outcome.id, rejection.ceus, rejection.code, rejection.rule, rejection.message
            )
        if outcome.rollover > 0:
            yield Uncounted(
                outcome.id,
                outcome.rollover,
                "rollover",
                "P-RENEWAL-MONTH",
                rollover_message(outcome.id, outcome.rollover),
            )
