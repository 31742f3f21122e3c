"""Claims as the assignment sees them: what each may serve, under which cap, whether it may wait.

A stage of the pipeline (period -> requirements -> eligibility -> items ->
assignment -> report). For every claim with CEUs left after eligibility it
works out, once: the minimums it can serve (Q-*, E-CMS, P-BEFORE-CERT) and why
it cannot serve the others its approvals name (``not_applied``); the cap its
CEUs share (E-INSTRUCTOR, E-POSTSECONDARY); and whether it is in the current
renewal month, so that its CEUs may roll over (P-RENEWAL-MONTH). A history's
renewal-month decision (H-SPLIT) arrives as a :class:`Split`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from ._amounts import format_decimal
from ._assign import Item, Sink
from ._codes import NotAppliedCode, RejectionCode
from ._eligibility import Claim
from ._messages import not_applied_message, split_message
from ._models import Activity, CEURecord, NotApplied, construct
from ._pack import CredentialSpec, RuleSet, name_keys
from ._period import PeriodWindow
from ._requirements import Minimum, Requirements

_ZERO = Decimal(0)
_NEAR = 0.85  # how alike two normalised provider names must be to call one a near miss


@dataclass(frozen=True)
class Split:
    """A history's decision on one period's renewal-month records (H-SPLIT), by record id.

    ``served_before``: the CEUs of previous-renewal-month records that served the
    previous period (here they are ``already_applied``). ``counted_here``: the CEUs
    of current-renewal-month records that serve this period, which then count
    whole (within their cap) while the rest is rollover; None when the period is
    the latest and its renewal month is left to the assignment.
    """

    served_before: Mapping[str, Decimal] = field(default_factory=dict)
    counted_here: Mapping[str, Decimal] | None = None

    def apply(self, claims: Sequence[Claim], window: PeriodWindow) -> tuple[Claim, ...]:
        """The claims with what served the previous period rejected as ``already_applied``."""
        if not self.served_before:
            return tuple(claims)
        out = []
        for claim in claims:
            served = self.served_before.get(claim.record.id, _ZERO)
            amount = min(served, claim.available)
            if amount > 0 and window.in_previous_renewal_month(claim.record.date):
                message = split_message(claim.record, amount)
                claim = claim.reject(RejectionCode.ALREADY_APPLIED, amount, message=message)
            out.append(claim)
        return tuple(out)


NO_SPLIT = Split()


@dataclass(frozen=True)
class Cap:
    """E-INSTRUCTOR, E-POSTSECONDARY: a limit that some records' CEUs share in a period."""

    key: str
    limit: Decimal
    code: RejectionCode
    detail: str


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
    total_rule: str
    minimums: tuple[Minimum, ...]
    sinks: tuple[Sink, ...]
    claims: tuple[Claim, ...]
    live: tuple[Claim, ...]
    items: tuple[Item, ...]
    not_applied: Mapping[int, tuple[NotApplied, ...]]
    caps: Mapping[str, Decimal]
    notes: tuple[str, ...]
    held: int  # credentials in force (an extension fee may be per credential)

    @property
    def requirements(self) -> Requirements:
        """What the period requires, as the requirements stage gave it."""
        return Requirements(
            self.required_total, self.total_rule, self.minimums, self.sinks, self.notes, self.held
        )


def items(
    claims: Sequence[Claim],
    required: Requirements,
    rules: RuleSet,
    window: PeriodWindow,
    split: Split = NO_SPLIT,
) -> Prepared:
    """Every claim with CEUs left, as the assignment sees it, with the period's requirements."""
    minimum_of = {m.code: m for m in required.minimums if m.floor is None}
    floors = [m for m in required.minimums if m.floor is not None]
    limits: dict[str, Decimal] = {}
    pinned: dict[str, Decimal] = {}
    live = tuple(c for c in claims if c.available > 0)
    out = []
    not_applied = {}
    counted_here = split.counted_here
    for claim in live:
        record = claim.record
        cap = cap_of(record, rules, window)
        group = cap.key if cap else None
        if cap:
            limits[cap.key] = cap.limit
        amount, flexible = claim.available, window.in_renewal_month(record.date)
        if flexible and counted_here is not None:
            amount, flexible = min(amount, counted_here.get(record.id, _ZERO)), False
            if cap:  # a pinned share takes its part of the cap first
                pinned[cap.key] = pinned.get(cap.key, _ZERO) + amount
                group = None
        served, refused = approvals(record, required.sinks, minimum_of, floors, rules, window)
        if refused:
            not_applied[claim.position] = refused
        out.append(Item(amount, served, group, flexible, order=(record.date, record.id)))
    caps = {key: limit - pinned.get(key, _ZERO) for key, limit in limits.items()}
    return Prepared(
        window=window,
        years=window.years(),
        required_total=required.total,
        total_rule=required.total_rule,
        minimums=required.minimums,
        sinks=required.sinks,
        claims=tuple(claims),
        live=live,
        items=tuple(out),
        not_applied=not_applied,
        caps=caps,
        notes=required.notes,
        held=required.held,
    )


def approvals(
    record: CEURecord,
    sinks: Sequence[Sink],
    minimum_of: Mapping[str, Minimum],
    floors: Sequence[Minimum],
    rules: RuleSet,
    window: PeriodWindow,
) -> tuple[tuple[str, ...], tuple[NotApplied, ...]]:
    """Q-*, E-CMS, P-BEFORE-CERT: the sinks this record's CEUs may go to, and why it cannot
    serve the other credential minimums its ``approved_for`` names; and the floors
    whose category it is in (its topics or its provider).

    Worked out once per record, each approval once: the assignment then only looks
    up the sinks.
    """
    if not record.approved_for and not floors:
        return (), ()  # the common record approved for no minimum: nothing to look up
    serves = {m.code for m in floors if _in_category(record, m, rules)}
    approved = {
        spec.code: spec
        for code in record.approved_for
        if (spec := rules.credential(code)) is not None and code_has_minimum(spec)
    }
    if not approved and not serves:
        return (), ()
    refused = []
    for code, spec in approved.items():
        m = minimum_of.get(code)
        if m is None:
            why, rule = NotAppliedCode.NOT_HELD, spec.rule or ""
            message = not_applied_message(why, record, code, start=window.start.isoformat())
        elif m.earned is not None and record.date < m.earned:
            why, rule = NotAppliedCode.BEFORE_CREDENTIAL, "P-BEFORE-CERT"
            message = not_applied_message(why, record, code, earned=m.earned.isoformat())
        elif m.vendors and not rules.is_provider(record.provider, m.vendors):
            why, rule = NotAppliedCode.VENDOR_NOT_CONTRACTED, spec.rule or ""
            near = near_vendor(record.provider, m.vendors, rules)
            message = not_applied_message(
                why, record, code, vendors=m.vendors, near=near, body=rules.body
            )
        elif _second_layer(m, rules) and rules.is_provider(record.provider, rules.cms_providers):
            why, rule = NotAppliedCode.CMS_CORE_ONLY, "E-CMS"
            message = not_applied_message(why, record, code)
        else:
            serves.add(code)
            continue
        refused.append(
            construct(NotApplied, requirement=code, code=why, rule=rule, message=message)
        )
    year = window.year_of(record.date)
    served = tuple(s.key for s in sinks if s.requirement in serves and s.year in (None, year))
    return served, tuple(refused)


def code_has_minimum(spec: CredentialSpec) -> bool:
    """Whether the credential has a minimum of its own (in some circumstance)."""
    return spec.minimum > 0 or spec.sole_minimum is not None


def _second_layer(m: Minimum, rules: RuleSet) -> bool:
    """E-CMS: CMS trainings never serve a minimum of the pack's second layer (specialties)."""
    layers = rules.shapes.layers
    return len(layers) == 2 and m.kind == layers[1]


def _in_category(record: CEURecord, floor: Minimum, rules: RuleSet) -> bool:
    """Whether ``record`` is in a floor's category: one of its topics, or its provider."""
    spec = floor.floor
    assert spec is not None
    if spec.topics and not set(spec.topics).isdisjoint(record.topics):
        return True
    return bool(spec.providers) and rules.is_provider(record.provider, spec.providers)


def near_vendor(provider: str | None, vendors: Sequence[str], rules: RuleSet) -> str | None:
    """The vendor whose name ``provider`` comes close to without matching, if any.

    Close: the same letters but for spaces ("Z Health Publishing"), or a name
    that differs by a few letters ("MedLearn Publshing").
    """
    if not provider:
        return None
    return _near_vendor(provider, tuple(vendors), rules.company_suffixes)


@lru_cache(maxsize=1024)  # a roster's members name the same few providers
def _near_vendor(provider: str, vendors: tuple[str, ...], suffixes: tuple[str, ...]) -> str | None:
    keys = name_keys(provider, suffixes)
    for vendor in vendors:
        for key in keys:
            for other in name_keys(vendor, suffixes):
                same_letters = key.replace(" ", "") == other.replace(" ", "")
                if same_letters or _close(key, other):
                    return vendor
    return None


def _close(a: str, b: str) -> bool:
    """``ratio() >= _NEAR``, trying its cheap upper bounds first (as difflib's own
    get_close_matches does): a 1,000-letter provider is ruled out by its length."""
    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= _NEAR
        and matcher.quick_ratio() >= _NEAR
        and matcher.ratio() >= _NEAR
    )


def cap_of(record: CEURecord, rules: RuleSet, window: PeriodWindow) -> Cap | None:
    """E-INSTRUCTOR, E-POSTSECONDARY: the cap a record's CEUs share, if any."""
    caps = rules.shapes.caps
    if record.activity is Activity.INSTRUCTOR and record.teaches and "instructor" in caps:
        spec = rules.credential(record.teaches)
        taught = spec.code if spec else record.teaches
        limit = rules.instructor_cap
        assert limit is not None  # required by the cap (checked when the pack loads)
        detail = f"{taught}: {format_decimal(limit)} CEUs per core credential"
        return Cap(f"instructor:{taught}", limit, RejectionCode.INSTRUCTOR_CAP, detail)
    if record.activity is Activity.POST_SECONDARY and "post_secondary" in caps:
        if rules.post_secondary_year_basis == "calendar":
            year = f"{record.date.year}"
        else:
            year = f"year {window.year_of(record.date)}"
        limit = rules.post_secondary_cap_per_year
        assert limit is not None  # required by the cap
        detail = f"{format_decimal(limit)} CEUs in {year}"
        return Cap(f"post_secondary:{year}", limit, RejectionCode.POST_SECONDARY_CAP, detail)
    return None
