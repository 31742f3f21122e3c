"""The output vocabularies of the JSON format: statuses and codes.

A leaf module (it imports nothing of the package), so that the sentences
(``_messages``) and the renderers can name these codes without importing the
models.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where the member stands (``status``)."""

    COMPLIANT = "compliant"
    IN_PROGRESS = "in_progress"
    NONCOMPLIANT = "noncompliant"
    EXTENSION = "extension"


class RejectionCode(StrEnum):
    """Why part of a record did not count (a rejection's ``code``)."""

    NOT_APPROVED = "not_approved"
    OUTSIDE_PERIOD = "outside_period"
    BEFORE_CERTIFICATION = "before_certification"
    LATE_NOT_AAPC = "late_not_aapc"
    DUPLICATE = "duplicate"
    QUIZ_NOT_PASSED = "quiz_not_passed"
    ACTIVITY_CAP = "activity_cap"
    INSTRUCTOR_CAP = "instructor_cap"
    POST_SECONDARY_CAP = "post_secondary_cap"
    POST_SECONDARY_MIN_HOURS = "post_secondary_min_hours"
    POST_SECONDARY_FIELD = "post_secondary_field"
    ALREADY_APPLIED = "already_applied"
    FUTURE_DATE = "future_date"


class NotAppliedCode(StrEnum):
    """Why a record cannot serve a credential minimum it is approved for (``not_applied``)."""

    VENDOR_NOT_CONTRACTED = "vendor_not_contracted"
    CMS_CORE_ONLY = "cms_core_only"
    BEFORE_CREDENTIAL = "before_credential"
    NOT_HELD = "not_held"


class PlanRoute(StrEnum):
    """What a completion plan asks of the member (a plan's ``route``).

    Every sentence of a plan is derived from its route, so that none can
    contradict another.
    """

    COMPLIANT = "compliant"  # nothing more is needed
    EARN = "earn"  # earn the needs by the deadline
    BUY_EXTENSION = "buy_extension"  # past the due date: buy a CEU extension, then earn them
    CANNOT_FILL = "cannot_fill"  # a need that no CEU which can still count would fill
    EXTENSION_ENDED = "extension_ended"  # the extension ended and is not offered again
    REVOKED = "revoked"  # past the revocation date, with no open extension


class Source(StrEnum):
    """Which programs new CEUs may come from (a plan's ``new_ceus_from``)."""

    PRE_APPROVED = "pre_approved"  # any pre-approved program (E-APPROVED)
    AAPC_EDUCATION = "aapc_education"  # after the due date, AAPC's own education (P-EXTENSION)


class CannotFill(StrEnum):
    """Why no new CEU can fill a need (a need's ``cannot_fill``)."""

    VENDOR_NOT_AAPC = "vendor_not_aapc"  # only AAPC education counts, and AAPC is no such vendor
    PERIOD_YEAR_ENDED = "period_year_ended"  # the period-year the need belongs to has ended
