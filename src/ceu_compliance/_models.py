"""The interchange models: member input, and the report, plan, history and explanation.

These pydantic models are the source of truth for the JSON format and its
schema (docs/format.md). They check structure (types, dates, positive
amounts); the checks that need a rule pack or look across fields live in
``_validation``, so that :func:`ceu_compliance.parse_member` can list every
problem at once.

The outputs render as text, Markdown and HTML through the ``_render`` package.
The dependency goes one way: these models import the renderers, and the
renderers know the models only for type checking (as xarray's
``formatting_html`` knows its data classes), so ``report.to_html()`` needs no
import at call time and no import cycle exists (docs/design.md, "Renderings").
"""

from __future__ import annotations

import datetime as dt
import re
from abc import abstractmethod
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    computed_field,
    model_serializer,
    model_validator,
)

from ._amounts import decimal_places, format_decimal, parse_amount
from ._arithmetic import own_arithmetic
from ._codes import CannotFill, NotAppliedCode, PlanRoute, RejectionCode, Source, Status
from ._limits import DEFAULT_LIMITS, Limits
from ._messages import uncounted
from ._pack import ParameterUse, RulePack, pack_that_made
from ._printable import shown
from ._render import html, markdown, text

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

SCHEMA_VERSION = "1.2"
"""The version of the JSON format (docs/format.md) that outputs carry as ``schema_version``.

The minor number rises when optional fields are added, the major one when a
field is renamed or removed.
"""


def limits_of(info: ValidationInfo) -> Limits:
    """The limits :func:`~ceu_compliance.parse_member` validates with (its pydantic context)."""
    context = info.context
    if context is None:
        return DEFAULT_LIMITS
    limits = context.get("limits") if isinstance(context, dict) else None
    return limits if isinstance(limits, Limits) else DEFAULT_LIMITS


def _parse_date(value: Any, info: ValidationInfo) -> Any:
    # Only calendar dates: pydantic would otherwise accept datetimes and Unix timestamps.
    limits = limits_of(info)
    if isinstance(value, dt.datetime):
        raise ValueError("expected a calendar date (YYYY-MM-DD), not a date and time")
    if isinstance(value, str) and _DATE.fullmatch(text := value.strip()):
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{shown(value)} is not a real calendar date") from None
    if not isinstance(value, dt.date):
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {shown(value)}")
    if not limits.min_year <= value.year <= limits.max_year:
        raise ValueError(
            f"{value.isoformat()} is outside the years {limits.min_year} to {limits.max_year} "
            "(Limits.min_year, Limits.max_year)"
        )
    return value


def _parse_decimal(value: Any, info: ValidationInfo) -> Any:
    # JSON numbers arrive as Decimal (parse_member reads JSON text so), int or
    # float, decimal strings as str; floats go through their shortest repr so
    # that 0.1 means 0.1, not its binary neighbour.
    limits = limits_of(info)
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    try:
        if isinstance(value, float):
            value = parse_amount(repr(value))
        elif isinstance(value, int):
            value = Decimal(value)
        elif isinstance(value, str):
            value = parse_amount(value.strip())
    except ValueError:
        raise ValueError(f"expected a number, got {shown(value)}") from None
    if not isinstance(value, Decimal):
        raise ValueError(f"expected a number, got {shown(value)}")
    if not value.is_finite():
        raise ValueError("expected a finite number")
    # Refused, never rounded: a rounded amount could turn a shortfall into compliance.
    if abs(value) > limits.max_amount:
        raise ValueError(
            f"{shown(value)} is over the limit of {limits.max_amount:,} (Limits.max_amount)"
        )
    sign, digits, exponent = value.as_tuple()
    # Already as format_decimal writes it (no exponent, no trailing zero after the
    # point, no -0), as nearly every amount is: kept as it is, its places plain.
    if exponent == 0 and (digits[0] or not sign):
        return value
    if isinstance(exponent, int) and -limits.max_decimal_places <= exponent < 0 and digits[-1]:
        return value
    places = decimal_places(value)
    if places > limits.max_decimal_places:
        raise ValueError(
            f"{shown(value)} has {places:,} digits after the decimal point, more than the "
            f"{limits.max_decimal_places} allowed (Limits.max_decimal_places); amounts are "
            "never rounded"
        )
    return Decimal(format_decimal(value))


def _within_length(value: str, info: ValidationInfo) -> str:
    limit = limits_of(info).max_string_length
    if len(value) > limit:
        raise ValueError(
            f"{len(value):,} characters, more than the {limit:,} allowed (Limits.max_string_length)"
        )
    return value


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
# Outputs write amounts as JSON strings; inputs read them within the limits.
DecimalValue = Annotated[
    Decimal, PlainSerializer(format_decimal, return_type=str, when_used="json")
]
PositiveDecimal = Annotated[DecimalValue, BeforeValidator(_parse_decimal), Field(gt=0)]
CEUs = Annotated[DecimalValue, Field(ge=0)]
Text = Annotated[str, AfterValidator(_within_length)]

# Unknown input fields are kept (in ``model_extra``) but never read: the report
# lists each one in ``warnings`` (or strict parsing refuses them).
_INPUT = ConfigDict(frozen=True, extra="allow", str_strip_whitespace=True)
_OUTPUT = ConfigDict(frozen=True, extra="forbid")

_Output = TypeVar("_Output", bound=BaseModel)


def construct(model: type[_Output], **values: Any) -> _Output:
    """An output model from values the engine computed, every field given by name.

    What ``model_construct`` does for such values, without its per-field search
    for aliases and defaults: a report builds dozens of these, and that search
    cost more than everything else in a typical report. No validation, so the
    caller gives every field with its final type; the tests check that each
    output model built this way equals the validated one.
    """
    assert values.keys() == _field_names(model), (model, values.keys())
    built = _new(model)
    _set(built, "__dict__", values)
    _set(built, "__pydantic_fields_set__", set(values))
    _set(built, "__pydantic_extra__", None)
    _set(built, "__pydantic_private__", None)
    return built


# Looked up once: an attribute of a pydantic model class is slow to reach.
_new, _set = object.__new__, object.__setattr__


@cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(model.__pydantic_fields__)


class Activity(StrEnum):
    """What kind of learning a record is (``activity``)."""

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

    code: Text = Field(
        min_length=1, description="AAPC credential code, e.g. CPC, CPMA, CEMC, CPC-A."
    )
    earned: Date


class CEURecord(BaseModel):
    """One claimed continuing-education activity."""

    model_config = _INPUT

    id: Text = Field(min_length=1, description="Unique within the member's records.")
    date: Date = Field(description="The day the activity was completed.")
    activity: Activity
    ceus: PositiveDecimal | None = Field(
        default=None, description="CEUs claimed; not for post_secondary (give hours)."
    )
    provider: Text | None = None
    title: Text | None = None
    index_number: Text | None = Field(default=None, description="AAPC index number of the event.")
    approved: bool = Field(default=False, description="Pre-approved although no index number.")
    approved_for: tuple[Text, ...] = Field(
        default=(), description="Credential codes the event was pre-approved for."
    )
    quiz_passed: bool | None = Field(default=None, description="Webinars and workshops.")
    teaches: Text | None = Field(
        default=None, description="Instructor: the core credential taught."
    )
    clock_hours: PositiveDecimal | None = None
    credit_hours: PositiveDecimal | None = None
    field: Text | None = Field(default=None, description="Post-secondary: the field of study.")
    applied_to_previous_period: bool = False
    topics: tuple[Text, ...] = Field(
        default=(),
        description="Subject areas of the event, for bodies whose rules ask a share of the "
        "total from some (a rule pack's floors, e.g. AHIMA's health information domains).",
    )


class Member(BaseModel):
    """One member's credentials and CEU records for a renewal period.

    Construct it from JSON with :func:`ceu_compliance.parse_member`, which also
    runs the checks that need the rule pack and lists every problem found.
    """

    model_config = _INPUT

    member_id: Text = Field(min_length=1)
    renewal_due: Date = Field(description="End of the period: the renewal due date.")
    period_start: Date | None = Field(default=None, description="Overrides the default start.")
    required_total_override: PositiveDecimal | None = None
    extension_until: Date | None = None
    credentials: tuple[HeldCredential, ...] = Field(min_length=1)
    records: tuple[CEURecord, ...] = ()


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


class NotApplied(BaseModel):
    """A credential minimum a record is approved for but cannot serve, and why."""

    model_config = _OUTPUT

    requirement: str = Field(description="The credential minimum named in approved_for.")
    code: NotAppliedCode
    rule: str
    message: str


class RecordOutcome(BaseModel):
    """What became of one record: ``counted + rollover + rejected = claimed``."""

    model_config = _OUTPUT

    id: str
    date: dt.date = Field(description="The record's date, as given.")
    activity: Activity = Field(description="The record's activity, as given.")
    title: str | None = Field(default=None, description="The record's title, as given.")
    provider: str | None = Field(default=None, description="The record's provider, as given.")
    claimed: CEUs
    counted: CEUs
    rollover: CEUs
    applied_to: tuple[Application, ...]
    not_applied: tuple[NotApplied, ...] = Field(
        default=(),
        description="For a record not rejected whole: each credential minimum its approved_for "
        "names that it cannot serve (another record filling the minimum is no reason).",
    )
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


SCHEMA_VERSION_DESCRIPTION = (
    "The version of the JSON format this output follows (docs/format.md): the minor "
    "number rises when optional fields are added, the major one when a field is renamed "
    "or removed."
)


class Rendered(BaseModel):
    """What every output shares: its JSON, and its text, Markdown and HTML forms.

    Each kind of output names its own functions of the ``_render`` package; each
    runs in the engine's own decimal context, whatever the caller's (``_arithmetic``).
    """

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name in ("to_text", "to_markdown", "to_html", "_repr_html_"):
            if name in cls.__dict__:
                setattr(cls, name, own_arithmetic(cls.__dict__[name]))

    @computed_field(description=SCHEMA_VERSION_DESCRIPTION)  # type: ignore[prop-decorator]
    @property
    def schema_version(self) -> str:
        """The version of the JSON format this output follows (:data:`SCHEMA_VERSION`)."""
        return SCHEMA_VERSION

    @model_validator(mode="before")
    @classmethod
    def _written_not_read(cls, data: Any) -> Any:
        # Every output writes its schema_version and none stores it: reading an
        # output's JSON back (model_validate_json) passes over it.
        if isinstance(data, dict) and "schema_version" in data:
            return {k: v for k, v in data.items() if k != "schema_version"}
        return data

    @own_arithmetic
    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON of docs/format.md."""
        return self.model_dump_json(indent=indent)

    @abstractmethod
    def to_text(self) -> str:
        """A plain-text rendering for terminals and logs."""

    @abstractmethod
    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown for tickets and emails."""

    @abstractmethod
    def to_html(self) -> str:
        """A standalone HTML page: inline CSS, no JavaScript, no external resources."""

    @abstractmethod
    def _repr_html_(self) -> str:
        """The compact view Jupyter shows: tables with a progress bar per requirement."""

    def __str__(self) -> str:
        return self.to_text()


# ------------------------------------------------------------------ report


class ComplianceReport(Rendered):
    """The verdict for one member and period, with every figure behind it.

    ``str(report)`` is the terminal rendering; ``report.to_json()`` the JSON of
    docs/format.md.
    """

    model_config = _OUTPUT

    member_id: str
    as_of: dt.date
    rules: str = Field(description="ID of the rule pack used.")
    rules_version: dt.date = Field(
        description="The day from which the version of the rule pack used is in force."
    )
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

    def to_text(self) -> str:
        return text.report(self)

    def to_markdown(self) -> str:
        return markdown.report(self)

    def to_html(self) -> str:
        return html.report(self)

    def _repr_html_(self) -> str:
        return html.report_fragment(self)

    @own_arithmetic
    def explain(self, *, rules: RulePack | str | Path | None = None) -> Explanation:
        """Which records fill each requirement, and why the rest did not count.

        Citations come from the pack that made the report: ``rules`` (a pack, a
        TOML path or a bundled name), by default the bundled pack ``self.rules``.

        Raises:
            RulePackError: that pack does not load or is not the one ``self.rules`` names.
        """
        pack = pack_that_made(self.rules, rules)
        version = pack.at(self.rules_version)
        citations = version.citations
        requirements = []
        for requirement in self.requirements:
            if requirement.id == "total":
                filled = [(o.id, o.counted) for o in self.records if o.counted > 0]
            else:
                filled = [
                    (o.id, a.ceus)
                    for o in self.records
                    for a in o.applied_to
                    if a.requirement == requirement.id
                ]
            requirements.append(
                RequirementExplanation(
                    **requirement.model_dump(),
                    filled_by=tuple(Contribution(record=r, ceus=c) for r, c in filled),
                    citation=citations.get(requirement.rule),
                )
            )
        not_counted = list(uncounted(self))
        used = {r.rule for r in self.requirements}
        used |= {part.rule for part in not_counted}
        used |= {n.rule for o in self.records for n in o.not_applied}
        return Explanation(
            member_id=self.member_id,
            as_of=self.as_of,
            period=self.period,
            status=self.status,
            compliant=self.compliant,
            rules=pack.id,
            rules_version=self.rules_version,
            source=pack.pack.source,
            requirements=tuple(requirements),
            not_counted=tuple(
                NotCounted(
                    record=part.record,
                    ceus=part.ceus,
                    code=part.code,
                    rule=part.rule,
                    reason=part.message,
                    citation=citations.get(part.rule),
                )
                for part in not_counted
            ),
            not_applied=tuple(
                NotAppliedExplanation(
                    **refused.model_dump(), record=o.id, citation=citations.get(refused.rule)
                )
                for o in self.records
                for refused in o.not_applied
            ),
            parameters=tuple(version.traces_of(used, {r.id for r in self.requirements})),
        )


# ------------------------------------------------------------------ plan


class Need(BaseModel):
    """The CEUs still needed for one requirement (``total`` or a credential minimum)."""

    model_config = _OUTPUT

    requirement: str
    ceus: CEUs
    vendors: tuple[str, ...] = Field(
        default=(), description="The vendors new CEUs for this minimum must come from (Q-CIRCC)."
    )
    cannot_fill: CannotFill | None = Field(
        default=None, description="Why no CEU that can still count would fill this need."
    )

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.vendors:
            data.pop("vendors", None)
        if self.cannot_fill is None:
            data.pop("cannot_fill", None)
        return data


class Shareable(BaseModel):
    """CEUs that can serve a core and a specialty need at once, if approved for both."""

    model_config = _OUTPUT

    requirements: tuple[str, str] = Field(description="The core minimum, then the specialty one.")
    ceus: CEUs


class Plan(Rendered):
    """A completion plan (PL-MIN): how many more CEUs, of which kinds, by when.

    ``str(plan)`` is a plain-text rendering; ``plan.to_json()`` the JSON of
    docs/format.md.
    """

    model_config = _OUTPUT

    member_id: str
    as_of: dt.date
    compliant: bool
    minimum_additional: CEUs = Field(description="PL-MIN's N: the fewest additional CEUs.")
    needs: tuple[Need, ...] = Field(
        description="Positive shortfalls under an assignment achieving N: total first."
    )
    shareable: tuple[Shareable, ...]
    deadline: dt.date = Field(
        description="The due date; inside an open extension, its last day. When "
        "extension_needed, the date already passed."
    )
    days_left: int = Field(description="Days from as_of to deadline; 0 once it has passed.")
    pace_per_month: CEUs = Field(description="N per whole month left (at least 1), rounded up.")
    status: Status = Field(description="The evaluation's status on as_of.")
    route: PlanRoute = Field(
        description="What the plan asks: nothing (compliant), earn the needs by the deadline, "
        "buy an extension and then earn them, or nothing more can make the member compliant "
        "for this period (cannot_fill, extension_ended, revoked). Every sentence of the plan "
        "follows from it."
    )
    new_ceus_from: Source = Field(
        description="Which programs new CEUs may come from on as_of: any pre-approved program, "
        "or after the due date the body's own education only (P-EXTENSION)."
    )
    extension_needed: bool = Field(
        description="Past the due date, not compliant and no open extension: new CEUs could "
        "count only inside an extension (P-EXTENSION); route says whether one can be bought."
    )
    deadlines: Deadlines
    days_to_revocation: int = Field(description="Days from as_of to deadlines.revocation; 0 after.")
    notes: tuple[str, ...]
    warnings: tuple[InputWarning, ...] = Field(description=WARNINGS_DESCRIPTION)
    body: str = Field(description="The certifying body whose rules the plan follows, e.g. AAPC.")

    def to_text(self) -> str:
        return text.plan(self)

    def to_markdown(self) -> str:
        return markdown.plan(self)

    def to_html(self) -> str:
        return html.plan(self)

    def _repr_html_(self) -> str:
        return html.plan_fragment(self)


# ------------------------------------------------------------------ history


class SplitDecision(BaseModel):
    """How one renewal-month record's CEUs are divided between the two periods it borders."""

    model_config = _OUTPUT

    record: str
    date: dt.date
    earlier_period_end: dt.date
    later_period_end: dt.date
    to_earlier: CEUs
    to_later: CEUs


class History(Rendered):
    """Reports for consecutive periods, oldest first, and the renewal-month splits between them.

    ``str(history)`` is the terminal rendering; ``history.to_json()`` the JSON
    of docs/format.md.
    """

    model_config = _OUTPUT

    member_id: str
    periods: tuple[ComplianceReport, ...]
    splits: tuple[SplitDecision, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[InputWarning, ...] = Field(
        description=WARNINGS_DESCRIPTION + " The same list as each period's report."
    )

    def to_text(self) -> str:
        return text.history(self)

    def to_markdown(self) -> str:
        return markdown.history(self)

    def to_html(self) -> str:
        return html.history(self)

    def _repr_html_(self) -> str:
        return html.history_fragment(self)


# ------------------------------------------------------------------ explanation


class Contribution(BaseModel):
    """CEUs of one record that count toward a requirement."""

    model_config = _OUTPUT

    record: str
    ceus: CEUs


class RequirementExplanation(Requirement):
    """A requirement of the report, the records that fill it, and the source of its rule."""

    filled_by: tuple[Contribution, ...]
    citation: str | None


class NotCounted(BaseModel):
    """CEUs of one record that did not count: why, under which rule, from which sentence.

    ``code`` is a rejection code, or ``rollover`` for renewal-month CEUs left for the
    next period (P-RENEWAL-MONTH).
    """

    model_config = _OUTPUT

    record: str
    ceus: CEUs
    code: RejectionCode | Literal["rollover"]
    rule: str
    reason: str
    citation: str | None


class NotAppliedExplanation(NotApplied):
    """A credential minimum a record is approved for but cannot serve: why, under which
    rule, from which sentence."""

    record: str
    citation: str | None


class Explanation(Rendered):
    """Why a report says what it says: ``report.explain()``.

    ``str()`` reads it, ``to_json()`` serialises it. A citation that starts
    "Not on the source page" is the project's reading of a rule, never a quote.
    """

    model_config = _OUTPUT

    member_id: str
    as_of: dt.date
    period: Period
    status: Status
    compliant: bool
    rules: str
    rules_version: dt.date = Field(description="The first day of the version of the rules used.")
    source: str
    requirements: tuple[RequirementExplanation, ...]
    not_counted: tuple[NotCounted, ...]
    not_applied: tuple[NotAppliedExplanation, ...] = Field(
        default=(),
        description="Every credential minimum a record is approved for but cannot serve, "
        "in record order.",
    )
    parameters: tuple[ParameterUse, ...] = Field(
        default=(),
        description="The rule pack's values behind the rules this report used, with their "
        "sources (the trace).",
    )

    def to_text(self) -> str:
        return text.explanation(self)

    def to_markdown(self) -> str:
        return markdown.explanation(self)

    def to_html(self) -> str:
        return html.explanation(self)

    def _repr_html_(self) -> str:
        return html.explanation_fragment(self)
