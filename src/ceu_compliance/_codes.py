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
