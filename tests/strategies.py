"""Hypothesis strategies for valid members of the default rule pack (INTERCHANGE.md).

Shared by the property tests. Every member drawn here is accepted by
``parse_member``: credential codes are known and distinct, records have unique
ids, post-secondary records give hours (not CEUs) and instructor records teach
a core credential. The dates are spread to hit the interesting places: the
previous and the current renewal month, the days around the due date and the
evaluation date, and dates outside the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

DAY = dt.timedelta(days=1)

# A mix of core (with and without a minimum), apprentice and specialty codes.
HELD_CODES = (
    "CPC",
    "CPC-A",
    "COC",
    "CIC",
    "CRC",
    "CPB",
    "CPMA",
    "CPCO",
    "CPPM",
    "CDEO",
    "CIRCC",
    "CEMC",
    "CCC",
    "CANPC",
    "CGSC",
)
# Codes an event may be approved for although the member may not hold them.
OTHER_APPROVALS = ("CPC", "CPMA", "CPCO", "CIRCC", "CEMC", "CCC", "CUC")
TEACHABLE = ("CPC", "CPC-A", "COC", "CIC", "CPB", "CPMA", "CPCO", "CIRCC")
PROVIDERS = (
    "AAPC",
    "American Academy of Professional Coders",
    "CMS",
    "ZHealth Publishing",
    "ZHealth Publishing, Inc.",
    "MedLearn Publishing",
    "Medical Asset Management LLC",
    "State College",
    "Acme Coding Seminars",
    None,
)
PLAIN_ACTIVITIES = (
    "course",
    "conference",
    "self_study",
    "publication",
    "in_service",
    "other",
)
FIELDS = (
    "health_care",
    "health_care_business",
    "health_care_finance",
    "health_care_management",
    "basket_weaving",
    None,
)


@dataclass(frozen=True)
class Case:
    """A member in INTERCHANGE.md form and the date to evaluate it on."""

    member: dict[str, Any]
    as_of: dt.date

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.member["renewal_due"])

    @property
    def start(self) -> dt.date:
        return self.end - relativedelta(months=24) + DAY

    @property
    def renewal_month_start(self) -> dt.date:
        return self.end.replace(day=1)

    @property
    def held(self) -> tuple[str, ...]:
        return tuple(c["code"] for c in self.member["credentials"])


def days_between(first: dt.date, last: dt.date) -> st.SearchStrategy[dt.date]:
    """A date in ``[first, last]``."""
    return st.integers(0, (last - first).days).map(lambda n: first + dt.timedelta(days=n))


def ceu_amounts(low: int = 5, high: int = 200) -> st.SearchStrategy[str]:
    """A CEU amount as a decimal string with at most one decimal place (0.5 to 20)."""

    def text(tenths: int) -> str:
        whole, tenth = divmod(tenths, 10)
        return f"{whole}.{tenth}" if tenth else str(whole)

    return st.integers(low, high).map(text)


@st.composite
def renewal_dues(draw: st.DrawFn) -> dt.date:
    """A due date around 2027: a month's end (the usual case) or any day."""
    year = draw(st.integers(2026, 2028))
    month = draw(st.integers(1, 12))
    first = dt.date(year, month, 1)
    last = first + relativedelta(months=1) - DAY
    return draw(st.sampled_from([last, last, first, first + dt.timedelta(days=14)]))


@st.composite
def record_dates(draw: st.DrawFn, end: dt.date, as_of: dt.date) -> dt.date:
    start = end - relativedelta(months=24) + DAY
    previous_month = (start - DAY).replace(day=1)
    choice = draw(
        st.sampled_from(["past", "past", "period", "renewal", "previous", "as_of", "around"])
    )
    if choice == "past" and as_of >= start:
        return draw(days_between(start, min(as_of, end)))
    if choice == "renewal":
        return draw(days_between(end.replace(day=1), end))
    if choice == "previous":
        return draw(days_between(previous_month, start - DAY))
    if choice == "as_of":
        return draw(days_between(as_of - dt.timedelta(days=5), as_of + dt.timedelta(days=5)))
    if choice == "around":
        return draw(days_between(end - dt.timedelta(days=20), end + dt.timedelta(days=60)))
    return draw(days_between(previous_month - dt.timedelta(days=45), end + dt.timedelta(days=20)))


@st.composite
def records(
    draw: st.DrawFn,
    record_id: str,
    index_number: str | None,
    end: dt.date,
    as_of: dt.date,
    held: tuple[str, ...],
) -> dict[str, Any]:
    """One valid CEU record of any activity."""
    activity = draw(
        st.sampled_from(
            [*PLAIN_ACTIVITIES, "course", "webinar", "workshop", "instructor", "post_secondary"]
        )
    )
    record: dict[str, Any] = {
        "id": record_id,
        "date": draw(record_dates(end, as_of)).isoformat(),
        "activity": activity,
    }
    provider = draw(st.sampled_from(PROVIDERS))
    if provider is not None:
        record["provider"] = provider
    if index_number is not None:
        record["index_number"] = index_number
    if draw(st.booleans()):
        record["approved"] = True
    approvals = draw(st.lists(st.sampled_from(sorted({*held, *OTHER_APPROVALS})), max_size=3))
    if approvals:
        record["approved_for"] = list(dict.fromkeys(approvals))
    if activity == "post_secondary":
        if draw(st.booleans()):
            record["clock_hours"] = draw(st.integers(40, 160))
        else:
            record["credit_hours"] = draw(st.sampled_from(["1", "1.5", "2", "3", "4"]))
        field = draw(st.sampled_from(FIELDS))
        if field is not None:
            record["field"] = field
    else:
        record["ceus"] = draw(ceu_amounts())
    if activity in ("webinar", "workshop"):
        quiz = draw(st.sampled_from([True, True, False, None]))
        if quiz is not None:
            record["quiz_passed"] = quiz
    if activity == "instructor":
        record["teaches"] = draw(st.sampled_from(TEACHABLE))
    if draw(st.integers(0, 3)) == 0:
        record["applied_to_previous_period"] = True
    return record


@st.composite
def cases(
    draw: st.DrawFn,
    min_records: int = 0,
    max_records: int = 12,
    duplicates: bool = False,
) -> Case:
    """A valid member and an evaluation date between the period's start and after its end.

    Index numbers are distinct unless ``duplicates`` is true.
    """
    end = draw(renewal_dues())
    start = end - relativedelta(months=24) + DAY
    as_of = draw(
        st.one_of(
            days_between(start, end + dt.timedelta(days=120)),
            days_between(end - dt.timedelta(days=20), end + dt.timedelta(days=120)),
            st.just(end),
        )
    )
    codes = draw(st.lists(st.sampled_from(HELD_CODES), min_size=1, max_size=4, unique=True))
    earned = days_between(dt.date(2008, 1, 1), dt.date(2022, 12, 31))
    member: dict[str, Any] = {
        "member_id": f"M-{draw(st.integers(1000, 9999))}",
        "renewal_due": end.isoformat(),
        "credentials": [{"code": code, "earned": draw(earned).isoformat()} for code in codes],
    }
    if draw(st.integers(0, 5)) == 0:
        member["extension_until"] = (end + dt.timedelta(days=draw(st.integers(30, 90)))).isoformat()
    count = draw(st.integers(min_records, max_records))
    pool = st.sampled_from(["AAPC-1", "aapc-1 ", "AAPC-2", "AAPC-3"])
    rows = []
    for n in range(count):
        index_number: str | None = draw(pool) if duplicates else f"AAPC-{10000 + n}"
        if not duplicates and draw(st.integers(0, 3)) == 0:
            index_number = None
        rows.append(draw(records(f"r{n + 1}", index_number, end, as_of, tuple(codes))))
    member["records"] = rows
    return Case(member, as_of)


@st.composite
def eligible_records(draw: st.DrawFn, case: Case, record_id: str) -> dict[str, Any]:
    """A record that surely counts: approved, in the period, on or before ``as_of``.

    Not in the current renewal month (so it cannot roll over), a ``course`` (no
    activity or period cap), with positive CEUs, maybe approved for some of the
    member's credentials.
    """
    last = min(case.as_of, case.renewal_month_start - DAY)
    record: dict[str, Any] = {
        "id": record_id,
        "date": draw(days_between(case.start, last)).isoformat(),
        "activity": "course",
        "ceus": draw(ceu_amounts()),
        "provider": draw(st.sampled_from(["AAPC", "ZHealth Publishing", "Acme Coding Seminars"])),
        "index_number": f"NEW-{record_id}",
    }
    approvals = draw(st.lists(st.sampled_from(case.held), max_size=2, unique=True))
    if approvals:
        record["approved_for"] = approvals
    return record


def any_cases() -> st.SearchStrategy[Case]:
    """Members of every size, with a share of full ones (8+ records) that often comply."""
    return st.one_of(cases(), cases(min_records=8))
