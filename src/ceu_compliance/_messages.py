"""Plain-English sentences for rejections: what happened and what the member can do."""

from __future__ import annotations

from decimal import Decimal

from ._models import CEURecord, RejectionCode, format_decimal

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

_TEMPLATES: dict[RejectionCode, str] = {
    RejectionCode.NOT_APPROVED: (
        "{what} has no AAPC index number, is not marked approved and is not AAPC education, "
        "so it is not a pre-approved program; look the event up in AAPC's approved CEU "
        "vendor list and add its index number if it has one."
    ),
    RejectionCode.OUTSIDE_PERIOD: (
        "{what} is dated {date}, outside the period's window ({detail}); CEUs must be earned "
        "within the renewal period."
    ),
    RejectionCode.BEFORE_CERTIFICATION: (
        "{what} was completed on {date}, before the member's first certification "
        "({detail}); AAPC gives no credit for education before certification."
    ),
    RejectionCode.LATE_NOT_AAPC: (
        "{what} is dated {date}, after the due date, during the extension; CEUs earned after "
        "the due date are limited to AAPC education, so replace it with an AAPC course."
    ),
    RejectionCode.DUPLICATE: (
        "{what} repeats index number {detail} already claimed earlier; CEUs are earned once "
        "per course, so remove the repeat."
    ),
    RejectionCode.QUIZ_NOT_PASSED: (
        "{amount} CEUs of {what} need its post-quiz ({detail}); pass the quiz and mark "
        "quiz_passed to earn them."
    ),
    RejectionCode.ACTIVITY_CAP: (
        "{amount} CEUs of {what} are above what one {detail} can earn; claim at most that."
    ),
    RejectionCode.INSTRUCTOR_CAP: (
        "{amount} CEUs of {what} are over the cap for teaching {detail} in one period "
        "(chosen so the rest of the record helps most)."
    ),
    RejectionCode.POST_SECONDARY_CAP: (
        "{amount} CEUs of {what} are over the yearly post-secondary cap ({detail})."
    ),
    RejectionCode.POST_SECONDARY_MIN_HOURS: (
        "{what} has {detail} clock hours; a clock-hour program must run at least the minimum "
        "hours to earn CEUs, or report it in credit hours if the transcript has them."
    ),
    RejectionCode.POST_SECONDARY_FIELD: (
        "{what} is in the field {detail}, which earns no CEUs; only programs in health care, "
        "health care business, finance or management count."
    ),
    RejectionCode.ALREADY_APPLIED: (
        "{amount} CEUs of {what} (dated {date}, in the previous renewal month) were already "
        "applied to the previous period; a CEU counts for one period only."
    ),
    RejectionCode.FUTURE_DATE: (
        "{what} is dated {date}, after the evaluation date; it counts once that date has come."
    ),
}


def describe(record: CEURecord) -> str:
    """How a sentence names a record: its id, and title or provider when known."""
    label = record.title or record.provider
    return f"Record {record.id}" + (f" ({label})" if label else "")


def rejection_message(
    code: RejectionCode, record: CEURecord, amount: Decimal, detail: str = ""
) -> str:
    return _TEMPLATES[code].format(
        what=describe(record),
        date=record.date.isoformat(),
        amount=format_decimal(amount),
        detail=detail,
    )
