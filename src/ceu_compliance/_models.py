"""The interchange models: member input and report output (INTERCHANGE.md).

These pydantic models are the source of truth for the JSON format and its
schema. They check structure (types, dates, positive amounts); the checks that
need a rule pack or look across fields live in ``_validation``, so that
:func:`ceu_compliance.parse_member` can list every problem at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ._explain import Explanation
    from ._pack import RulePack

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def format_decimal(value: Decimal) -> str:
    """A CEU amount as INTERCHANGE.md writes it: ``16``, ``1.5``, never ``16.0`` or ``1E+1``."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(value.normalize())


def decimal_of(value: Fraction, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """An exact LP value as a CEU amount.

    Exact whenever ``value`` has a finite decimal form (the inputs are decimals,
    so it almost always has); otherwise rounded to 0.000001 CEU by ``rounding``.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(exact) != value:
            exact = exact.quantize(Decimal("0.000001"), rounding=rounding)
    return Decimal(format_decimal(exact))


@dataclass
class Rounder:
    """:func:`decimal_of` that remembers what it had to round, for a note saying so."""

    rounding: str = ROUND_HALF_EVEN
    rounded: list[str] = field(default_factory=list)

    def __call__(self, value: Fraction) -> Decimal:
        out = decimal_of(value, self.rounding)
        if Fraction(out) != value:
            self.rounded.append(format_decimal(out))
        return out

    def notes(self) -> list[str]:
        if not self.rounded:
            return []
        return [
            "Some amounts have no exact decimal form and are shown rounded to 0.000001 CEU: "
            + ", ".join(self.rounded)
        ]


def _parse_date(value: Any) -> Any:
    # Only calendar dates: pydantic would otherwise accept datetimes and Unix timestamps.
    if isinstance(value, dt.datetime):
        raise ValueError("expected a calendar date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a real calendar date") from None
    raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


def _parse_decimal(value: Any) -> Any:
    # JSON numbers arrive as int or float, decimal strings as str; floats go
    # through their shortest repr so that 0.1 means 0.1, not its binary neighbour.
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | str):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value!r}") from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("expected a finite number")
        return Decimal(format_decimal(value))
    raise ValueError(f"expected a number, got {value!r}")


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
DecimalValue = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal),
    PlainSerializer(format_decimal, return_type=str, when_used="json"),
]
PositiveDecimal = Annotated[DecimalValue, Field(gt=0)]
CEUs = Annotated[DecimalValue, Field(ge=0)]

# Unknown input fields are kept (in ``model_extra``) but never read: the report
# lists each one in ``warnings`` (or strict parsing refuses them).
_INPUT = ConfigDict(frozen=True, extra="allow", str_strip_whitespace=True)
_OUTPUT = ConfigDict(frozen=True, extra="forbid")


class Activity(StrEnum):
    """What kind of learning a record is (INTERCHANGE.md ``activity``)."""

    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    CONFERENCE = "conference"
    COURSE = "course"
    SELF_STUDY = "self_study"
    PUBLICATION = "publication"
    IN_SERVICE = "in_service"
    INSTRUCTOR = "instructor"
    POST_SECONDARY = "post_secondary"
    OTHER = "other"


class HeldCredential(BaseModel):
    """A credential the member holds and the date it was earned."""

    model_config = _INPUT

    code: str = Field(
        min_length=1, description="AAPC credential code, e.g. CPC, CPMA, CEMC, CPC-A."
    )
    earned: Date


class CEURecord(BaseModel):
    """One claimed continuing-education activity."""

    model_config = _INPUT

    id: str = Field(min_length=1, description="Unique within the member's records.")
    date: Date = Field(description="The day the activity was completed.")
    activity: Activity
    ceus: PositiveDecimal | None = Field(
        default=None, description="CEUs claimed; not for post_secondary (give hours)."
    )
    provider: str | None = None
    title: str | None = None
    index_number: str | None = Field(default=None, description="AAPC index number of the event.")
    approved: bool = Field(default=False, description="Pre-approved although no index number.")
    approved_for: tuple[str, ...] = Field(
        default=(), description="Credential codes the event was pre-approved for."
    )
    quiz_passed: bool | None = Field(default=None, description="Webinars and workshops.")
    teaches: str | None = Field(default=None, description="Instructor: the core credential taught.")
    clock_hours: PositiveDecimal | None = None
    credit_hours: PositiveDecimal | None = None
    field: str | None = Field(default=None, description="Post-secondary: the field of study.")
    applied_to_previous_period: bool = False


class Member(BaseModel):
    """One member's credentials and CEU records for a renewal period.

    Construct it from JSON with :func:`ceu_compliance.parse_member`, which also
    runs the checks that need the rule pack and lists every problem found.
    """

    model_config = _INPUT

    member_id: str = Field(min_length=1)
    renewal_due: Date = Field(description="End of the period: the renewal due date.")
    period_start: Date | None = Field(default=None, description="Overrides the default start.")
    required_total_override: PositiveDecimal | None = None
    extension_until: Date | None = None
    credentials: tuple[HeldCredential, ...] = Field(min_length=1)
    records: tuple[CEURecord, ...] = ()


class Status(StrEnum):
    """Where the member stands (INTERCHANGE.md ``status``)."""

    COMPLIANT = "compliant"
    IN_PROGRESS = "in_progress"
    NONCOMPLIANT = "noncompliant"
    EXTENSION = "extension"


class RejectionCode(StrEnum):
    """Why part of a record did not count (INTERCHANGE.md rejection codes)."""

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


class Rejection(BaseModel):
    """A part of a record that did not count, the rule that refused it and why."""

    model_config = _OUTPUT

    code: RejectionCode
    ceus: CEUs
    rule: str
    message: str


class Application(BaseModel):
    """CEUs of a record assigned to one credential minimum."""

    model_config = _OUTPUT

    requirement: str
    ceus: CEUs


class RecordOutcome(BaseModel):
    """What became of one record: ``counted + rollover + rejected = claimed``."""

    model_config = _OUTPUT

    id: str
    claimed: CEUs
    counted: CEUs
    rollover: CEUs
    applied_to: tuple[Application, ...]
    rejections: tuple[Rejection, ...]
    audit_gaps: tuple[Literal["index_number", "provider"], ...]


class YearCount(BaseModel):
    """CEUs counted toward a minimum within one period-year (Q-CIRCC)."""

    model_config = _OUTPUT

    year: int
    start: dt.date
    end: dt.date
    required: CEUs | None
    counted: CEUs


class Requirement(BaseModel):
    """One requirement: the total (``id`` ``total``) or a credential minimum."""

    model_config = _OUTPUT

    id: str
    rule: str
    required: CEUs
    counted: CEUs
    shortfall: CEUs
    met: bool
    by_period_year: tuple[YearCount, ...] | None = Field(
        default=None, description="Q-CIRCC: the split by period-year; omitted for other minimums."
    )

    @model_serializer(mode="wrap")
    def _omit_empty_split(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.by_period_year is None:
            data.pop("by_period_year", None)
        return data


class Period(BaseModel):
    model_config = _OUTPUT

    start: dt.date
    end: dt.date


class Deadlines(BaseModel):
    """P-REVOKE: when submission opens, the due date, and when credentials are revoked."""

    model_config = _OUTPUT

    due: dt.date
    submission_opens: dt.date
    revocation: dt.date
    extension_until: dt.date | None


class ExtensionOffer(BaseModel):
    """P-EXTENSION: an extension can be bought for this fee."""

    model_config = _OUTPUT

    fee_usd: CEUs
    rule: Literal["P-EXTENSION"] = "P-EXTENSION"


class InputWarning(BaseModel):
    """Something the input held that was accepted but ignored, such as an unknown field."""

    model_config = _OUTPUT

    path: str = Field(description="Where in the input, e.g. $.records[3].approvedFor.")
    message: str = Field(
        description="What was ignored, e.g. 'unknown field, ignored; did you mean approved_for?'."
    )


WARNINGS_DESCRIPTION = (
    "What the input held that was accepted but ignored (unknown fields), each with its "
    "JSON path; empty when there is nothing to say."
)


class Renderers(NamedTuple):
    """The functions that turn one kind of output into text, Markdown and HTML."""

    text: Callable[[Any], str]
    markdown: Callable[[Any], str]
    page: Callable[[Any], str]
    fragment: Callable[[Any], str]


class Rendered(BaseModel):
    """What reports, plans and histories share: JSON, text, Markdown and HTML.

    The renderers live in ``_render`` and ``_html``, which import these models,
    so each kind names its own in :meth:`_renderers`, imported on use.
    """

    def _renderers(self) -> Renderers:
        raise NotImplementedError

    def to_json(self, *, indent: int | None = 2) -> str:
        """The INTERCHANGE.md JSON."""
        return self.model_dump_json(indent=indent)

    def to_text(self) -> str:
        """A plain-text rendering for terminals and logs."""
        return self._renderers().text(self)

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown for tickets and emails."""
        return self._renderers().markdown(self)

    def to_html(self) -> str:
        """A standalone HTML page: inline CSS, no JavaScript, no external resources."""
        return self._renderers().page(self)

    def _repr_html_(self) -> str:
        """The compact view Jupyter shows: tables with a progress bar per requirement."""
        return self._renderers().fragment(self)

    def __str__(self) -> str:
        return self.to_text()


class ComplianceReport(Rendered):
    """The verdict for one member and period, with every figure behind it.

    ``str(report)`` is the terminal rendering; ``report.to_json()`` the
    INTERCHANGE.md JSON.
    """

    model_config = _OUTPUT

    member_id: str
    as_of: dt.date
    rules: str = Field(description="ID of the rule pack used.")
    period: Period
    status: Status
    compliant: bool
    required_total: CEUs
    counted_total: CEUs
    excess: CEUs
    rollover: CEUs
    requirements: tuple[Requirement, ...]
    records: tuple[RecordOutcome, ...]
    deadlines: Deadlines
    extension_offer: ExtensionOffer | None
    notes: tuple[str, ...]
    warnings: tuple[InputWarning, ...] = Field(description=WARNINGS_DESCRIPTION)

    def _renderers(self) -> Renderers:
        from ._html import report_html_fragment, report_html_page
        from ._render import report_markdown, report_text

        return Renderers(report_text, report_markdown, report_html_page, report_html_fragment)

    def explain(self, *, rules: RulePack | str | Path | None = None) -> Explanation:
        """Which records fill each requirement, and why the rest did not count.

        Citations come from the pack that made the report: ``rules`` (a pack, a
        TOML path or a bundled name), by default the bundled pack ``self.rules``.

        Raises:
            RulePackError: that pack does not load or is not the one ``self.rules`` names.
        """
        from ._explain import explain_report

        return explain_report(self, rules=rules)
