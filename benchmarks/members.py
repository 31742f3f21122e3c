"""Seeded member generators for the benchmarks (and for any test that wants realistic members).

Every generator takes a seed (and an index, for families of members of one kind)
and returns the member as INTERCHANGE.md data: a plain ``dict`` that
``json.dumps`` turns into the text a service would post. The same arguments give
the same member on every machine and Python version (``random.Random`` seeded
with a string hashes it with SHA-512, independent of ``PYTHONHASHSEED``).

All members renew on 2027-03-31 (period 2025-04-01 to 2027-03-31) and hold their
credentials since 2015, so a three-period history (from 2021-04-01) sees every
credential in every period. Which credentials carry a minimum, and which are core
or specialty, is read from the bundled rule pack, never repeated here.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ceu_compliance import default_rule_pack

DUE = dt.date(2027, 3, 31)
START = dt.date(2025, 4, 1)
AS_OF = DUE
EARNED = "2015-06-01"
PREVIOUS_MONTH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
RENEWAL_MONTH = (dt.date(2027, 3, 1), DUE)

_CATALOG = default_rule_pack().at(DUE).credentials
CORE_MINIMUMS = tuple(c.code for c in _CATALOG if c.minimum > 0 and c.kind == "core")
SPECIALTIES = tuple(c.code for c in _CATALOG if c.minimum > 0 and c.kind == "specialty")
MINIMUMS = CORE_MINIMUMS + SPECIALTIES

PROVIDERS = ("AAPC", "AAPC", "ZHealth Publishing", "CMS", "State College", "Acme Seminars")
# Courses of every kind; instructor and post-secondary records are drawn separately.
ACTIVITIES = ("webinar",) * 5 + ("course",) * 3 + ("workshop", "conference", "self_study")
TAUGHT = ("CPC", "CPC", "COC", "CPMA", "CPCO")


def _rng(seed: int, kind: str, n: int) -> random.Random:
    return random.Random(f"{seed}:{kind}:{n}")


def _day(rng: random.Random, first: dt.date, last: dt.date) -> str:
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def _ceus(rng: random.Random, low: int, high: int) -> str:
    """A decimal string of tenths between ``low`` and ``high`` tenths of a CEU."""
    whole, tenth = divmod(rng.randint(low, high), 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


def record(
    rng: random.Random,
    n: int,
    approved_for: list[str],
    *,
    renewal: float = 0.1,
    capped: float = 0.0,
    providers: tuple[str, ...] = PROVIDERS,
) -> dict[str, Any]:
    """Record ``r<n>``: approved for ``approved_for``; ``renewal`` of them in a renewal month
    (half the current one, half the previous one), ``capped`` instructor or post-secondary.

    Most records are pre-approved courses with a unique index number; a few lack one
    (then 70 % are marked approved), a few webinars and workshops fail their quiz.
    """
    roll = rng.random()
    if roll < renewal / 2:
        date = _day(rng, *RENEWAL_MONTH)
    elif roll < renewal:
        date = _day(rng, *PREVIOUS_MONTH)
    else:
        date = _day(rng, START, DUE)
    activity = rng.choice(("instructor", "post_secondary") if rng.random() < capped else ACTIVITIES)
    out: dict[str, Any] = {
        "id": f"r{n}",
        "date": date,
        "activity": activity,
        "provider": rng.choice(providers),
    }
    if rng.random() < 0.85:
        out["index_number"] = f"IDX-{n}"
    else:
        out["approved"] = rng.random() < 0.7
    if approved_for:
        out["approved_for"] = approved_for
    if activity == "post_secondary":
        if rng.random() < 0.8:
            out["credit_hours"] = rng.choice(("1", "2", "3"))
        else:
            out["clock_hours"] = str(rng.randint(60, 200))
        out["field"] = rng.choice(("health_care", "health_care", "health_care_business", "history"))
    elif activity == "instructor":
        out["ceus"] = _ceus(rng, 20, 120)
        out["teaches"] = rng.choice(TAUGHT)
    else:
        low, high = {"webinar": (5, 25), "workshop": (40, 70)}.get(activity, (5, 40))
        out["ceus"] = _ceus(rng, low, high)
        if activity in ("webinar", "workshop"):
            out["quiz_passed"] = rng.random() < 0.9
    return out


def _member(name: str, held: list[str], records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "member_id": name,
        "renewal_due": DUE.isoformat(),
        "credentials": [{"code": code, "earned": EARNED} for code in held],
        "records": records,
    }


def simple(seed: int, n: int = 0) -> dict[str, Any]:
    """CPC only, 15 records, a few in the renewal months."""
    rng = _rng(seed, "simple", n)
    rows = [record(rng, i, [], renewal=0.1) for i in range(1, 16)]
    return _member(f"S-{n}", ["CPC"], rows)


def typical(seed: int, n: int = 0) -> dict[str, Any]:
    """CPC + CPMA + CEMC, 30 records: half approved for a minimum, some for both
    (a core and a specialty one), 20 % in the renewal months (current and previous)."""
    rng = _rng(seed, "typical", n)
    rows = []
    for i in range(1, 31):
        roll = rng.random()
        approvals = (
            ["CPMA", "CEMC"] if roll < 0.2 else [rng.choice(("CPMA", "CEMC"))] if roll < 0.5 else []
        )
        rows.append(record(rng, i, approvals, renewal=0.2))
    return _member(f"T-{n}", ["CPC", "CPMA", "CEMC"], rows)


def complex_member(seed: int, n: int = 0) -> dict[str, Any]:
    """Five minimums (three core, two specialty), 60 records: approvals for one to three
    of them, 20 % in the renewal months, 10 % instructor or post-secondary."""
    rng = _rng(seed, "complex", n)
    minimums = ["CPMA", "CPCO", "CIRCC", "CEMC", "CCC"]
    rows = []
    for i in range(1, 61):
        approvals = rng.sample(minimums, rng.randint(1, 3)) if rng.random() < 0.6 else []
        rows.append(record(rng, i, approvals, renewal=0.2, capped=0.1))
    return _member(f"C-{n}", ["CPC", *minimums], rows)


def worst_case(seed: int, records: int) -> dict[str, Any]:
    """CPC plus 4 to 9 credentials with minimums; every record approved for a random subset
    of up to 4 of them (instructor and post-secondary records too, so caps span both
    layers), 30 % in the renewal months, 15 % instructor or post-secondary.

    The credentials depend on the seed only, so the family's sizes share them.
    """
    rng = _rng(seed, "worst-case", 0)
    held = rng.sample(MINIMUMS, rng.randint(4, 9))
    rng = _rng(seed, "worst-case", records)
    providers = ("AAPC", "ZHealth Publishing", "MedLearn Publishing", "CMS", "State College")
    rows = [
        record(
            rng,
            i,
            rng.sample(held, rng.randint(0, 4)),
            renewal=0.3,
            capped=0.15,
            providers=providers,
        )
        for i in range(1, records + 1)
    ]
    return _member(f"W-{records}", ["CPC", *held], rows)


def adversarial(seed: int, records: int = 500) -> dict[str, Any]:
    """The member holds every credential with a minimum in the pack; each record is
    approved for its own set (no two alike) of 2 to 10 of them. Renewal months and
    caps as in :func:`worst_case`."""
    rng = _rng(seed, "adversarial", records)
    seen: set[frozenset[str]] = set()
    rows = []
    providers = ("AAPC", "ZHealth Publishing", "MedLearn Publishing", "CMS", "State College")
    for i in range(1, records + 1):
        approvals = rng.sample(MINIMUMS, rng.randint(2, 10))
        while frozenset(approvals) in seen:
            approvals = rng.sample(MINIMUMS, rng.randint(2, 10))
        seen.add(frozenset(approvals))
        rows.append(record(rng, i, approvals, renewal=0.3, capped=0.15, providers=providers))
    return _member(f"A-{records}", ["CPC", *MINIMUMS], rows)


def mixed(seed: int, n: int = 0) -> dict[str, Any]:
    """One member of a realistic roster: 60 % CPC only (10 to 25 records), 30 % with one
    or two minimums (15 to 35 records), 10 % with four (30 to 60 records)."""
    rng = _rng(seed, "mixed", n)
    roll = rng.random()
    if roll < 0.6:
        minimums: list[str] = []
        count, renewal, capped = rng.randint(10, 25), 0.08, 0.0
    elif roll < 0.9:
        minimums = rng.sample(["CPMA", "CPCO", "CEMC", "CCC"], rng.randint(1, 2))
        count, renewal, capped = rng.randint(15, 35), 0.15, 0.05
    else:
        minimums = rng.sample(CORE_MINIMUMS, 2) + rng.sample(SPECIALTIES, 2)
        count, renewal, capped = rng.randint(30, 60), 0.2, 0.1
    rows = []
    for i in range(1, count + 1):
        approvals: list[str] = []
        if minimums and rng.random() < 0.5:
            approvals = rng.sample(minimums, rng.randint(1, min(2, len(minimums))))
        rows.append(record(rng, i, approvals, renewal=renewal, capped=capped))
    return _member(f"M-{n}", ["CPC", *minimums], rows)
