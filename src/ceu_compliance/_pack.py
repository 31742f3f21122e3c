"""Rule packs: a certifying body's rules as dated, validated data.

A pack (``packs/aapc.toml``, ``packs/ahima.toml``, or a user's TOML or JSON
file) holds everything that makes one body's rules, each part dated the way
OpenFisca dates parameters: a value keyed by the day from which it is in force,
with the source it comes from.

* ``[pack]``: who the rules belong to, and how a period picks its version
  (``versions_by``: the period's due date or its start);
* ``[shapes]``: how the engine composes the rules (the total's shape, the
  cycle's anchor, the two layers of minimums, the eligibility stages and caps in
  use, renewal-month rollover) -- shapes, never a body's own code;
* ``[parameters.NAME]``: numbers and lists, ``values`` keyed by date, with a
  ``reference`` (and per-date ``sources``, ``uncertain`` notes);
* ``[[credentials]]``: the catalog, whose amounts may also be keyed by date;
* ``[[floors]]``: shares of the total that must come from a category of CEUs;
* ``[citations]``: the source sentence of each rule ID, plain or keyed by date.

:meth:`RulePack.at` resolves all of it on one day into a :class:`RuleSet`,
which keeps each parameter's description and reference (its trace) for the
explanation. A pack may ``extends`` another and override only what changes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from ._amounts import decimal_places, parse_amount
from ._errors import Problem, RulePackError, json_path
from ._printable import shown

DEFAULT_PACK = "aapc"

NOT_QUOTED = "Not on the source page"
"""How a pack's citation starts when the rule is the project's reading, not a quote."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")

PACK_FILE_BYTES = 1024 * 1024
"""The largest rule pack file :func:`load_rule_pack` reads (the bundled ones are about 30 KB)."""

MAX_PACK_PLACES = 20


def _pack_decimal(value: Any) -> Any:
    """A pack's decimal: a string or an integer, finite, plainly written (as a member's)."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, not true/false")
    if isinstance(value, str):
        try:
            value = parse_amount(value.strip())
        except ValueError:
            raise ValueError('expected a decimal number such as "16" or "0.5"') from None
        if decimal_places(value) > MAX_PACK_PLACES:
            raise ValueError(f"must have at most {MAX_PACK_PLACES} digits after the decimal point")
    return value  # an int, or a float kept as its text, is judged by the field's type


PackDecimal = Annotated[Decimal, BeforeValidator(_pack_decimal)]
# A pack's amounts: never negative, never absurd (a loaded pack must never fail later).
Amount = Annotated[PackDecimal, Field(ge=0, le=10_000)]
Total = Annotated[PackDecimal, Field(gt=0, le=10_000)]
_PACK_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")
_CODE = r"^[A-Z][A-Z0-9-]*[A-Z0-9]$"

# Eligibility stages and caps a pack may use, each with the parameters it reads
# (``_eligibility`` and ``_items`` hold their logic). A pack lists the ones its
# body has; a parameter is required exactly when something listed reads it.
STAGES: dict[str, tuple[str, ...]] = {
    "duplicates": (),
    "future_date": (),
    "window": ("own_providers",),
    "before_certification": (),
    "already_applied": (),
    "approval": ("own_providers",),
    "post_secondary": ("post_secondary_fields", "min_clock_hours"),
    "webinar": ("webinar_max_ceus",),
    "workshop": ("workshop_max_ceus", "workshop_attendance_ceus"),
}
CAPS: dict[str, tuple[str, ...]] = {
    "instructor": ("instructor_cap",),
    "post_secondary": ("post_secondary_cap_per_year", "post_secondary_year_basis"),
}
TOTALS: dict[str, tuple[str, ...]] = {
    "tiered": ("tier_totals",),
    "per_credential": ("total_increment", "total_maximum"),
}
# Read whatever the shapes: the period, the deadlines, provider names, post-secondary hours.
GENERAL = (
    "period_months",
    "prorate_step",
    "extension_fee_usd",
    "extension_fee_per",
    "submission_opens_months",
    "revocation_days",
    "concurrent_minimums",
    "minimum_per_period_year",
    "company_suffixes",
    "clock_hour_ceus",
    "credit_hour_ceus",
)
OPTIONAL = ("cms_providers",)  # E-CMS applies when the pack names CMS providers


# ------------------------------------------------------------------ resolved rules


class CredentialSpec(BaseModel):
    """One credential of the catalog, as in force on one day (E-PROVIDER-LIST).

    ``kind`` is the layer its minimum belongs to (``shapes.layers``); ``total``
    its own total under a ``per_credential`` total; ``sole_minimum`` replaces
    ``minimum`` when it is the only credential held.
    """

    model_config = _FROZEN

    code: str = Field(pattern=_CODE)
    name: str
    kind: str
    minimum: PackDecimal = Field(default=Decimal(0), ge=0, le=10_000)
    per_year: PackDecimal | None = Field(default=None, gt=0, le=10_000)
    sole_minimum: PackDecimal | None = Field(default=None, gt=0, le=10_000)
    total: PackDecimal | None = Field(default=None, gt=0, le=10_000)
    rule: str | None = None
    vendors: tuple[str, ...] = ()
    apprentice: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    note: str | None = None


class FloorSpec(BaseModel):
    """A share of the total that must come from a category of CEUs, as in force on one day.

    A record is in the category when its ``topics`` include one of ``topics`` or
    its provider is one of ``providers``.
    """

    model_config = _FROZEN

    id: str
    rule: str
    name: str
    layer: str
    share: PackDecimal = Field(gt=0, le=1)
    topics: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()


def _known(what: str, known: Mapping[str, object]) -> AfterValidator:
    """A name that must be one of ``known`` (a stage, a cap), refused at its own index."""

    def check(name: str) -> str:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise PydanticCustomError(
                f"unknown_{what}",
                f"not a {what} this engine has; {hint}expected one of {', '.join(known)}",
            )
        return name

    return AfterValidator(check)


class Shapes(BaseModel):
    """How the engine composes a body's rules (see the module docstring)."""

    model_config = _FROZEN

    total: Literal["tiered", "per_credential"] = "tiered"
    cycle: Literal["due_date", "certification"] = "due_date"
    layers: tuple[str, ...] = Field(default=("core", "specialty"), min_length=1, max_length=2)
    stages: tuple[Annotated[str, _known("stage", STAGES)], ...] = tuple(STAGES)
    caps: tuple[Annotated[str, _known("cap", CAPS)], ...] = tuple(CAPS)
    renewal_month: bool = True


class ParameterUse(BaseModel):
    """A value of the rule pack that a report used: what, how much, since when, from where.

    As OpenFisca's traces: ``name`` is the parameter (or ``credentials.CODE.minimum``
    for a catalog amount), ``since`` the day its value took effect, ``reference`` the
    sentence it comes from, ``uncertain`` what could not be confirmed about it. A
    resolved :class:`RuleSet` keeps one per value (its ``trace``), and an
    explanation lists those it used.
    """

    model_config = _FROZEN

    name: str
    rule: str
    description: str
    value: Any
    since: dt.date
    reference: str
    uncertain: str | None = None


class RuleSet(BaseModel):
    """A pack's rules as in force on one day: what the engine reads.

    Parameters a body does not use (a stage it does not have) are None.
    """

    model_config = _FROZEN

    pack_id: str
    body: str = Field(description="How messages name the certifying body, e.g. AAPC.")
    version: dt.date = Field(description="The day from which this version is in force.")
    shapes: Shapes
    tier_totals: tuple[Total, ...] | None = Field(default=None, min_length=1)
    total_increment: Amount | None = None
    total_maximum: Total | None = None
    period_months: int = Field(gt=0, le=120)
    prorate_step: PackDecimal = Field(gt=0, le=100)
    instructor_cap: Amount | None = None
    post_secondary_cap_per_year: Amount | None = None
    post_secondary_year_basis: Literal["period", "calendar"] | None = None
    clock_hour_ceus: Amount
    min_clock_hours: Amount | None = None
    credit_hour_ceus: Amount
    post_secondary_fields: tuple[str, ...] | None = None
    workshop_attendance_ceus: Amount | None = None
    workshop_max_ceus: Amount | None = None
    webinar_max_ceus: Amount | None = None
    extension_fee_usd: Amount
    extension_fee_per: Literal["member", "credential"]
    submission_opens_months: int = Field(ge=0, le=24)
    revocation_days: int = Field(ge=0, le=3650)
    concurrent_minimums: bool
    minimum_per_period_year: bool
    own_providers: tuple[str, ...] = ()
    cms_providers: tuple[str, ...] = ()
    company_suffixes: tuple[str, ...]
    credentials: tuple[CredentialSpec, ...]
    floors: tuple[FloorSpec, ...] = ()
    citations: Mapping[str, str]
    trace: Mapping[str, ParameterUse] = Field(default_factory=dict)

    @cached_property
    def _catalog(self) -> dict[str, CredentialSpec]:
        # Worked out once per rule set; a cached property takes no part in ==.
        return _catalog_index(self.credentials)

    def credential(self, code: str) -> CredentialSpec | None:
        """The catalog entry for ``code`` (an apprentice code gives its credential)."""
        return self._catalog.get(code.strip().upper())

    def rank(self, code: str) -> int:
        """The catalog position of the credential ``code``: the order of requirements."""
        return self._ranks[code]

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return {spec.code: n for n, spec in enumerate(self.credentials)}

    def tier_total(self, credentials_held: int) -> Decimal:
        """Q-TIER: the total for ``credentials_held`` credentials (the last row is 'or more')."""
        assert self.tier_totals is not None  # the "tiered" shape requires them
        return self.tier_totals[min(credentials_held, len(self.tier_totals)) - 1]

    def layer_slot(self, kind: str) -> Literal["core", "specialty"]:
        """Which of the assignment's two layers the pack's layer ``kind`` is."""
        return "core" if kind == self.shapes.layers[0] else "specialty"

    def is_provider(self, provider: str | None, names: tuple[str, ...]) -> bool:
        """Whether ``provider`` is one of ``names``, compared as Q-CIRCC says (``name_keys``)."""
        if provider is None:
            return False
        known = _keys_of_all(names, self.company_suffixes)
        return not known.isdisjoint(name_keys(provider, self.company_suffixes))

    def traces_of(self, rules: set[str], requirements: set[str]) -> list[ParameterUse]:
        """The values behind ``rules`` (rule IDs): the parameters with those rules, and the
        catalog amounts of the credentials among ``requirements``; in the pack's order."""
        used = []
        for name, trace in self.trace.items():
            if name.startswith("credentials."):
                if name.split(".")[1] in requirements:
                    used.append(trace)
            elif trace.rule in rules:
                used.append(trace)
        return used


def _catalog_index(credentials: tuple[CredentialSpec, ...]) -> dict[str, CredentialSpec]:
    index: dict[str, CredentialSpec] = {}
    for spec in credentials:
        for code in (spec.code, *spec.apprentice, *spec.supersedes):
            index.setdefault(code, spec)
    for spec in credentials:  # a code of its own wins over being superseded
        index[spec.code] = spec
    return index


@lru_cache(maxsize=4096)
def name_keys(name: str, suffixes: tuple[str, ...]) -> frozenset[str]:
    """The readings of a provider name that Q-CIRCC compares; two names match if they share one.

    Case is folded, punctuation deleted rather than made a space ("Z-Health" is
    "zhealth", "L.L.C." is "llc"), and a run of white space counts as one space.
    A name ending in a corporate suffix of ``suffixes`` set off by white space or
    punctuation ("..., Inc.", "... L.L.C.", "...,Co") also reads without it. Both
    readings are kept because punctuation may set a suffix off or just sit inside
    a word: "Medi-Co" is "MediCo", and it is also "Medi" plus "Co".
    """
    folded = name.casefold().rstrip()
    keys = {_squash(folded)}
    known = {_squash(s) for s in suffixes}
    words = folded.split()
    last_word = len(folded) - len(words[-1]) if words else 0
    # Where the suffix may begin: at the last word, or right after punctuation in it.
    cuts = [last_word] + [i + 1 for i in range(last_word, len(folded)) if not folded[i].isalnum()]
    for cut in cuts:
        head = _squash(folded[:cut])
        if head and _squash(folded[cut:]) in known:
            keys.add(head)
            break
    return frozenset(keys)


def _squash(text: str) -> str:
    """``text`` case-folded, without punctuation, its words joined by single spaces."""
    words = ("".join(ch for ch in word if ch.isalnum()) for word in text.casefold().split())
    return " ".join(word for word in words if word)


@cache
def _keys_of_all(names: tuple[str, ...], suffixes: tuple[str, ...]) -> frozenset[str]:
    """Every reading of every name of a pack list, worked out once per list."""
    return frozenset(key for name in names for key in name_keys(name, suffixes))


# ------------------------------------------------------------------ the pack as written

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(key: Any) -> Any:
    """A date key exactly as written, YYYY-MM-DD: pydantic alone would also read a
    timestamp or a datetime, and two spellings of one day would silently collide."""
    if isinstance(key, dt.date) and not isinstance(key, dt.datetime):
        return key
    if isinstance(key, str) and _ISO_DAY.fullmatch(key):
        return key
    raise PydanticCustomError(
        "date_key", "holds a key that is not a date written YYYY-MM-DD, as 2026-01-01"
    )


def _given(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_value", "a value is required (null is not one)")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
# A rule ID as the spec writes them (Q-TIER, P-RENEWAL-MONTH): messages may quote it.
RuleId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=40)]
Dated = dict[Day, Annotated[Any, AfterValidator(_given)]]
# A table of dates with no date in it would be in force never: refused.
DatedAmount = Annotated[dict[Day, PackDecimal], Field(min_length=1)]
DatedText = Annotated[dict[Day, str], Field(min_length=1)]


def _at(values: Dated, day: dt.date) -> tuple[dt.date, Any] | None:
    """The (date, value) in force on ``day``: the latest date on or before it."""
    in_force = [d for d in values if d <= day]
    if not in_force:
        return None
    since = max(in_force)
    return since, values[since]


class Parameter(BaseModel):
    """A parameter's dated values and where each comes from."""

    model_config = _FROZEN

    rule: RuleId
    description: str
    reference: str = Field(description="The source of every value without one in sources.")
    values: Dated = Field(min_length=1)
    sources: dict[Day, str] = Field(default_factory=dict)
    uncertain: dict[Day, str] = Field(default_factory=dict)

    def at(self, day: dt.date) -> Any:
        """The value in force on ``day``, or None before the first."""
        found = _at(self.values, day)
        return None if found is None else found[1]

    def trace(self, name: str, day: dt.date) -> ParameterUse | None:
        found = _at(self.values, day)
        if found is None:
            return None
        since, value = found
        return ParameterUse(
            name=name,
            rule=self.rule,
            description=self.description,
            value=_plain(value),
            since=since,
            reference=self.sources.get(since, self.reference),
            uncertain=self.uncertain.get(since),
        )


def _plain(value: Any) -> Any:
    """A parameter value as JSON writes it (decimals as strings)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Decimal) else value


class CredentialEntry(BaseModel):
    """A catalog entry as written: its amounts plain or keyed by date."""

    model_config = _FROZEN

    code: str = Field(pattern=_CODE)
    name: str
    kind: str
    minimum: PackDecimal | DatedAmount = Decimal(0)
    per_year: PackDecimal | DatedAmount | None = None
    sole_minimum: PackDecimal | DatedAmount | None = None
    total: PackDecimal | DatedAmount | None = None
    rule: RuleId | None = None
    vendors: tuple[str, ...] = ()
    apprentice: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    note: str | None = None
    sources: dict[Day, str] = Field(default_factory=dict)
    uncertain: dict[Day, str] = Field(default_factory=dict)

    def dates(self) -> Iterator[dt.date]:
        for value in (self.minimum, self.per_year, self.sole_minimum, self.total):
            if isinstance(value, dict):
                yield from value

    def at(self, day: dt.date) -> dict[str, Any]:
        """The entry's fields in force on ``day`` (a dated amount not yet in force is absent)."""
        fields = self.model_dump(exclude={"sources", "uncertain"})
        for name in ("minimum", "per_year", "sole_minimum", "total"):
            value = fields[name]
            if isinstance(value, dict):
                found = _at(value, day)
                fields[name] = None if found is None else found[1]
        if fields["minimum"] is None:
            fields["minimum"] = Decimal(0)
        return fields


class FloorEntry(BaseModel):
    """A floor as written (see :class:`FloorSpec`); its share plain or keyed by date."""

    model_config = _FROZEN

    id: str = Field(pattern=_CODE)
    rule: RuleId
    name: str
    layer: str
    share: PackDecimal | DatedAmount
    topics: tuple[str, ...] = ()
    providers: str | None = Field(
        default=None, description="The parameter whose provider names are in the category."
    )


class PackInfo(BaseModel):
    model_config = _FROZEN

    id: str = Field(pattern=rf"^{_PACK_ID.pattern}$")
    body: str = Field(pattern=rf"^{_PACK_ID.pattern}$", description="Registry name: rules=...")
    name: str = Field(description="How messages name the body, e.g. AAPC.")
    title: str
    source: str
    versions_by: Literal["due", "start"] = "due"
    extends: str | None = None


class RulePack(BaseModel):
    """A validated rule pack: dated parameters, catalog, floors and citations, and shapes."""

    model_config = _FROZEN

    pack: PackInfo
    shapes: Shapes = Field(default_factory=Shapes)
    parameters: dict[str, Parameter]
    credentials: tuple[CredentialEntry, ...] = Field(min_length=1)
    floors: tuple[FloorEntry, ...] = ()
    citations: dict[RuleId, str | DatedText]

    @property
    def id(self) -> str:
        return self.pack.id

    # Worked out once per pack (cached properties take no part in ==).

    @cached_property
    def _catalog(self) -> dict[str, CredentialEntry]:
        index: dict[str, CredentialEntry] = {}
        for entry in self.credentials:
            for code in (entry.code, *entry.apprentice, *entry.supersedes):
                index.setdefault(code, entry)
        for entry in self.credentials:
            index[entry.code] = entry
        return index

    @cached_property
    def changes(self) -> list[dt.date]:
        """Every day on which some part of the pack changes: its versions, oldest first."""
        days = {d for p in self.parameters.values() for d in p.values}
        days |= {d for entry in self.credentials for d in entry.dates()}
        days |= {d for floor in self.floors if isinstance(floor.share, dict) for d in floor.share}
        days |= {d for c in self.citations.values() if isinstance(c, dict) for d in c}
        return sorted(days)

    @cached_property
    def _resolved(self) -> dict[dt.date, RuleSet]:
        return {}

    def credential(self, code: str) -> CredentialEntry | None:
        """The catalog entry for ``code`` (an apprentice code gives its credential)."""
        return self._catalog.get(code.strip().upper())

    @cached_property
    def codes_as_written(self) -> frozenset[str]:
        """The codes :meth:`credential` knows that its cleaning leaves as they are."""
        return frozenset(code for code in self._catalog if code == code.strip().upper())

    @cached_property
    def known_codes(self) -> str:
        """The catalog's codes, as a refusal lists them: ``CPC, COC, ...``."""
        return ", ".join(entry.code for entry in self.credentials)

    def requirement_ids(self) -> tuple[str, ...]:
        """Every minimum a report of this pack may list, in its order: the credentials with
        a minimum in some version, then the floors."""

        def has_minimum(entry: CredentialEntry) -> bool:
            amounts = [entry.minimum, entry.sole_minimum]
            return any(
                any(v > 0 for v in a.values()) if isinstance(a, dict) else a is not None and a > 0
                for a in amounts
            )

        codes = [entry.code for entry in self.credentials if has_minimum(entry)]
        return (*codes, *(floor.id for floor in self.floors))

    def version_on(self, day: dt.date) -> dt.date | None:
        """The day from which the version in force on ``day`` applies, or None before any."""
        since = bisect.bisect_right(self.changes, day)
        return self.changes[since - 1] if since else None

    def at(self, day: dt.date) -> RuleSet:
        """Resolve the whole pack as in force on ``day``.

        The rule set only changes on the days some value takes effect, so each
        version is resolved once and shared by every day up to the next change.

        Raises:
            RulePackError: no version is in force on ``day``, naming the day and
                the first version's date.
        """
        version = self.version_on(day)
        if version is None:
            first = self.changes[0] if self.changes else None
            raise RulePackError(
                [
                    Problem(
                        "no_version_in_force",
                        "$",
                        f"rule pack {self.id} has no rules in force on {day.isoformat()}"
                        + (
                            f"; its first version is in force from {first.isoformat()}"
                            if first
                            else ""
                        ),
                    )
                ]
            )
        found = self._resolved.get(version)
        if found is None:
            found = _resolve(self, version)
            self._resolved[version] = found
        return found


def _catalog_traces(
    entry: CredentialEntry, day: dt.date, pack: RulePack
) -> dict[str, ParameterUse]:
    """The traces of a credential's dated amounts in force on ``day`` (its minimum, ...)."""
    traces = {}
    for field in ("minimum", "sole_minimum", "per_year", "total"):
        value = getattr(entry, field)
        if value is None or not entry.rule:
            continue
        since = dt.date.min
        if isinstance(value, dict):
            found = _at(value, day)
            if found is None:
                continue
            since, value = found
        if not value:
            continue
        name = f"credentials.{entry.code}.{field}"
        citation = pack.citations.get(entry.rule)
        default = citation if isinstance(citation, str) else pack.pack.source
        traces[name] = ParameterUse(
            name=name,
            rule=entry.rule,
            description=f"{entry.code} ({entry.name}): {field.replace('_', ' ')}",
            value=str(value),
            since=since if since != dt.date.min else pack.changes[0],
            reference=entry.sources.get(since, default),
            uncertain=entry.uncertain.get(since),
        )
    return traces


def _resolve(pack: RulePack, day: dt.date) -> RuleSet:
    """The rule set of ``pack`` on ``day`` (a version date), or every reason it is not one."""
    values: dict[str, Any] = {}
    trace: dict[str, ParameterUse] = {}
    for name, parameter in pack.parameters.items():
        found = parameter.trace(name, day)
        if found is not None:
            values[name] = parameter.at(day)
            trace[name] = found
    floors = []
    for floor in pack.floors:
        share = floor.share
        if isinstance(share, dict):
            found_share = _at(share, day)
            if found_share is None:
                continue  # not in force yet
            share = found_share[1]
        providers = values.get(floor.providers, ()) if floor.providers else ()
        floors.append(
            {
                **floor.model_dump(exclude={"share", "providers"}),
                "share": share,
                "providers": providers,
            }
        )
    for entry in pack.credentials:
        trace |= _catalog_traces(entry, day, pack)
    citations = {}
    for rule, citation in pack.citations.items():
        if isinstance(citation, dict):
            found_citation = _at(citation, day)
            if found_citation is not None:
                citations[rule] = found_citation[1]
        else:
            citations[rule] = citation
    data = {
        **values,
        "pack_id": pack.id,
        "body": pack.pack.name,
        "version": day,
        "shapes": pack.shapes,
        "credentials": [entry.at(day) for entry in pack.credentials],
        "floors": floors,
        "citations": citations,
        "trace": trace,
    }
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            loc = e["loc"]
            name = str(loc[0])
            dates = (
                [d for d in pack.parameters[name].values if d <= day]
                if name in pack.parameters
                else []
            )
            if dates:
                path = f"$.parameters.{name}.values[{max(dates).isoformat()}]"
                message = f"{e['msg']} (version of {day})"
            elif e["type"] == "missing" and name in pack.parameters:
                path = f"$.parameters.{name}.values"
                message = f"no value in force on {day}, a day on which another value changes"
            else:
                path, message = json_path(loc), f"{e['msg']} (version of {day})"
            problems.append(_problem(e["type"], path, message, e.get("input")))
        raise RulePackError(problems) from None


# ------------------------------------------------------------------ checks on load


def _pack_problems(pack: RulePack) -> list[Problem]:
    """Everything that would make the pack fail later, each at its key in the file."""
    problems: list[Problem] = []
    shapes = pack.shapes
    needed = {*GENERAL, *TOTALS[shapes.total]}
    for stage in shapes.stages:
        needed |= set(STAGES[stage])
    for cap in shapes.caps:
        needed |= set(CAPS[cap])
    needed |= {f.providers for f in pack.floors if f.providers}
    known = {*GENERAL, *OPTIONAL, *(p for t in TOTALS.values() for p in t)}
    known |= {p for s in (*STAGES.values(), *CAPS.values()) for p in s}
    known |= needed
    problems += [
        Problem("missing", f"$.parameters.{name}", f"required by {_needed_by(pack, name)}")
        for name in sorted(needed - set(pack.parameters))
    ]
    unknown = sorted(set(pack.parameters) - known)
    if unknown:
        problems.append(
            Problem("unknown_parameter", "$.parameters", _unknown_parameters(unknown, known))
        )
    problems += _first_version_problems(pack, needed)
    # Without the parameters no version resolves; the other checks still run.
    parameters_missing = bool(problems)
    problems += _note_problems(pack)
    problems += _catalog_problems(pack)
    problems += _citation_problems(pack)
    if parameters_missing:
        return problems
    # Every version must resolve into a valid rule set, with sane amounts.
    for day in pack.changes:
        try:
            rules = _resolve(pack, day)
        except RulePackError as exc:
            # Each key once, in the first version it fails in.
            reported = {(p.type, p.path) for p in problems}
            problems += [p for p in exc.problems if (p.type, p.path) not in reported]
            continue
        found = [*_minimum_problems(pack, rules), *_citations_in_force(pack, rules)]
        # Each key once, in the first version it fails in.
        reported = {(p.type, p.path) for p in problems}
        problems += [p for p in found if (p.type, p.path) not in reported]
    return problems


def _needed_by(pack: RulePack, name: str) -> str:
    """What in the pack reads the parameter ``name``: 'stage 'webinar'', say."""
    shapes = pack.shapes
    users = [f"the total shape {shapes.total!r}"] if name in TOTALS[shapes.total] else []
    users += [f"stage {s!r}" for s in shapes.stages if name in STAGES[s]]
    users += [f"cap {c!r}" for c in shapes.caps if name in CAPS[c]]
    users += [f"floor {f.id}" for f in pack.floors if f.providers == name]
    return " and ".join(users) or "every pack"


def _unknown_parameters(names: list[str], known: set[str]) -> str:
    """The refusal of parameters no shape reads; it names only known ones (no file content)."""
    close = [found[0] for name in names if (found := difflib.get_close_matches(name, known, n=1))]
    hint = f"did you mean {', '.join(dict.fromkeys(close))}? " if close else ""
    count = f"{len(names)} parameters" if len(names) > 1 else "a parameter"
    return (
        f"holds {count} this engine does not read; {hint}expected one of {', '.join(sorted(known))}"
    )


def _first_version_problems(pack: RulePack, needed: set[str]) -> Iterator[Problem]:
    """What the engine reads must be in force from the pack's first version on."""
    first = pack.changes[0]
    for name in sorted(needed & set(pack.parameters)):
        since = min(pack.parameters[name].values)
        if since > first:
            yield Problem(
                "not_in_force",
                f"$.parameters.{name}.values",
                f"its first value is dated {since}, but the pack's rules start on {first} "
                f"and {_needed_by(pack, name)} reads it: date a value {first} or earlier",
            )
    if pack.shapes.total == "per_credential":
        for n, entry in enumerate(pack.credentials):
            if isinstance(entry.total, dict) and min(entry.total) > first:
                yield Problem(
                    "not_in_force",
                    f"$.credentials[{n}].total",
                    f"its first total is dated {min(entry.total)}, but the pack's rules start "
                    f"on {first}: a per_credential total needs every credential's total",
                )


def _note_problems(pack: RulePack) -> Iterator[Problem]:
    """A source or an uncertainty note belongs to a dated value: a date with none is a typo."""
    for name, parameter in pack.parameters.items():
        for field in ("sources", "uncertain"):
            for day in getattr(parameter, field):
                if day not in parameter.values:
                    yield _unknown_date(f"$.parameters.{name}.{field}", day, set(parameter.values))
    for n, entry in enumerate(pack.credentials):
        for field in ("sources", "uncertain"):
            for day in getattr(entry, field):
                if day not in set(entry.dates()):
                    yield _unknown_date(f"$.credentials[{n}].{field}", day, set(entry.dates()))


def _unknown_date(at: str, day: dt.date, dates: set[dt.date]) -> Problem:
    given = ", ".join(d.isoformat() for d in sorted(dates)) or "none: its amounts are plain"
    return Problem(
        "unknown_date",
        f"{at}[{day}]",
        f"no value is dated {day}; a note belongs to a dated value (dates given: {given})",
    )


def _citations_in_force(pack: RulePack, rules: RuleSet) -> Iterator[Problem]:
    """A rule the version uses needs a citation in force on the version's day."""
    named = {t.rule for t in rules.trace.values()}
    named |= {c.rule for c in rules.credentials if c.rule} | {f.rule for f in rules.floors}
    for rule in sorted(named & set(pack.citations) - set(rules.citations)):
        citation = pack.citations[rule]
        first = min(citation) if isinstance(citation, dict) else rules.version
        yield Problem(
            "not_in_force",
            f"$.citations.{rule}",
            f"no citation of {rule} is in force on {rules.version}, when the pack's rules use "
            f"it; its first is dated {first}",
        )


def _catalog_problems(pack: RulePack) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    layers = set(pack.shapes.layers)
    for n, entry in enumerate(pack.credentials):
        at = f"$.credentials[{n}]"
        for code in (entry.code, *entry.apprentice):
            if code in seen:
                problems.append(
                    Problem(
                        "duplicate_credential",
                        f"{at}.code",
                        f"credential code {code} is listed twice",
                    )
                )
            seen[code] = n
        if entry.kind not in layers:
            problems.append(
                Problem(
                    "unknown_layer",
                    f"{at}.kind",
                    f"not one of the pack's layers ({', '.join(layers)})",
                )
            )
        if (entry.minimum or entry.sole_minimum) and entry.rule is None:
            problems.append(
                Problem(
                    "missing", f"{at}.rule", "a credential with a minimum must name its rule ID"
                )
            )
        if pack.shapes.total == "per_credential" and entry.total is None:
            problems.append(
                Problem(
                    "missing",
                    f"{at}.total",
                    "a per_credential total needs every credential's total",
                )
            )
    codes = set(seen)
    for n, entry in enumerate(pack.credentials):
        for j, code in enumerate(entry.supersedes):
            if code not in codes:
                problems.append(
                    Problem(
                        "unknown_credential",
                        f"$.credentials[{n}].supersedes[{j}]",
                        "not a credential of this pack",
                    )
                )
    for n, floor in enumerate(pack.floors):
        if floor.layer not in layers:
            problems.append(
                Problem(
                    "unknown_layer",
                    f"$.floors[{n}].layer",
                    f"not one of the pack's layers ({', '.join(layers)})",
                )
            )
        if not (floor.topics or floor.providers):
            problems.append(
                Problem(
                    "empty_floor",
                    f"$.floors[{n}]",
                    "a floor needs topics or providers: they say which records count toward it",
                )
            )
        if floor.providers and floor.providers not in pack.parameters:
            problems.append(
                Problem(
                    "unknown_parameter",
                    f"$.floors[{n}].providers",
                    "names no parameter of the pack: give the parameter that lists the providers",
                )
            )
    return problems


def _citation_problems(pack: RulePack) -> list[Problem]:
    """Every rule ID the pack names needs a citation: the explanation quotes it."""
    named: dict[str, str] = {}  # each rule at the first key that names it
    for name, parameter in pack.parameters.items():
        named.setdefault(parameter.rule, f"$.parameters.{name}.rule")
    for n, entry in enumerate(pack.credentials):
        if entry.rule:
            named.setdefault(entry.rule, f"$.credentials[{n}].rule")
    for n, floor in enumerate(pack.floors):
        named.setdefault(floor.rule, f"$.floors[{n}].rule")
    return [
        Problem("missing_citation", path, f"rule {rule} has no entry in [citations]")
        for rule, path in sorted(named.items())
        if rule not in pack.citations
    ]


def _minimum_problems(pack: RulePack, rules: RuleSet) -> Iterator[Problem]:
    """A minimum larger than the total it is part of can never be met inside it."""
    for n, spec in enumerate(rules.credentials):
        if rules.shapes.total == "tiered":
            if not rules.tier_totals:
                return  # no total for one credential to compare with
            since = rules.trace["tier_totals"].since
            total = rules.tier_totals[0]
            what = f"the total for one credential ($.parameters.tier_totals.values[{since}])"
        else:
            assert spec.total is not None
            total, what = spec.total, "its own total"
        for field in ("minimum", "sole_minimum"):
            amount = getattr(spec, field)
            if amount is not None and amount > total:
                written = getattr(pack.credentials[n], field)
                dated = _at(written, rules.version) if isinstance(written, dict) else None
                key = f"[{dated[0]}]" if dated else ""
                yield Problem(
                    "minimum_above_total",
                    f"$.credentials[{n}].{field}{key}",
                    f"{spec.code}'s {field.replace('_', ' ')} {amount} is more than {what}, "
                    f"{total}, in the version of {rules.version}: it could never be met",
                )


# ------------------------------------------------------------------ loading


class _PackFloat:
    """A TOML or JSON float, kept as its text so that validation can refuse it by name."""

    def __init__(self, text: str) -> None:
        self.text = text


def _problem(kind: str, path: str, message: str, value: Any) -> Problem:
    if isinstance(value, _PackFloat):
        return Problem(
            "pack_float",
            path,
            'a float is not allowed: write decimals as strings ("0.5") or integers, '
            "so no binary rounding creeps in",
        )
    return Problem(kind, path, message.removeprefix("Value error, "))


def bundled_packs() -> dict[str, str]:
    """The bundled packs: each registry name (body) and pack id -> its file name."""
    return dict(_registry())


@cache
def _registry() -> dict[str, str]:
    folder = resources.files("ceu_compliance") / "packs"
    names: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if item.name.endswith(".toml"):
            info = tomllib.loads(item.read_text(encoding="utf-8")).get("pack", {})
            for key in (info.get("body"), info.get("id")):
                if isinstance(key, str):
                    names.setdefault(key, item.name)
    return names


def bundled_pack_text(name: str) -> str:
    """The TOML text of the bundled pack ``name`` (a body or a pack id), comments and all.

    Raises:
        RulePackError: no bundled pack has that name.
    """
    registry = _registry()
    if name not in registry:
        raise RulePackError(
            [
                Problem(
                    "unknown_pack",
                    "$",
                    f"no bundled rule pack is named {shown(name)}; bundled: "
                    f"{', '.join(sorted(registry))} (or give a .toml or .json file's path)",
                )
            ]
        )
    packs = resources.files("ceu_compliance") / "packs"
    return (packs / registry[name]).read_text(encoding="utf-8")


def _is_name(source: str | os.PathLike[str]) -> bool:
    """Whether ``source`` names a bundled pack rather than a file (``x.toml``, ``x.json``)."""
    return isinstance(source, str) and not source.endswith((".toml", ".json"))


def load_rule_pack(source: str | os.PathLike[str]) -> RulePack:
    """Load and validate a rule pack: a bundled body or pack name, or a TOML or JSON file.

    ``source`` is a name (``"aapc"``, ``"ahima"``, ``"aapc-2026.1"``: letters,
    digits, dots and hyphens, never a path) unless it ends ``.toml`` or ``.json``,
    then it is a path, as a ``pathlib.Path`` always is. A path must name an
    existing file of at most :data:`PACK_FILE_BYTES`, in UTF-8. A pack that
    ``extends`` another is merged onto it first (see docs/rule-packs.md).

    Raises:
        RulePackError: no such pack or file, or the file is not a valid pack;
            every problem is listed with its path in the file. A refusal never
            quotes the file: only the keys a pack defines appear in paths.
        TypeError: ``source`` is neither a ``str`` nor a path.
    """
    if not isinstance(source, str | os.PathLike):
        raise TypeError(
            f"rules must be a RulePack, a pack name or a path, not {type(source).__name__}"
        )
    return _validate(_layers(source if isinstance(source, str) else Path(source), seen=()))


def parse_rule_pack(text: str, *, format: Literal["toml", "json"] = "toml") -> RulePack:
    """Validate a rule pack given as TOML (or JSON) text (see :func:`load_rule_pack`).

    A relative ``extends`` path is read from the current directory. Every number
    is checked here (no negative or absurd amounts, periods and deadlines within
    bounds), so that a pack that loads never fails later.

    Raises:
        RulePackError: the text is not a valid pack.
        TypeError: ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"a rule pack is TOML or JSON text (str), not {type(text).__name__}")
    data = _parse(text, format)
    return _validate([_Layer("this pack", data), *_parents(data, folder=None, seen=())])


@dataclass(frozen=True)
class _Layer:
    """One pack of an ``extends`` chain: what its file says, and how messages name it."""

    name: str
    data: dict[str, Any]


def _layers(source: str | Path, *, seen: tuple[str, ...], name: str | None = None) -> list[_Layer]:
    """The pack ``source`` (``name`` in messages) and every pack it extends, outermost first."""
    text, format, folder, key = _read(source)
    if key in seen:
        raise RulePackError(
            [
                Problem(
                    "extends_cycle",
                    "$.pack.extends",
                    f"packs extend each other: {' -> '.join((*seen, key))}",
                )
            ]
        )
    data = _parse(text, format)
    layer = _Layer(name or str(source), data)
    return [layer, *_parents(data, folder=folder, seen=(*seen, key))]


def _parents(data: dict[str, Any], *, folder: Path | None, seen: tuple[str, ...]) -> list[_Layer]:
    """The packs ``data`` extends (its ``pack.extends``, a name or a path relative to
    ``folder``), outermost first; their problems say which file they are in."""
    info = data.get("pack")
    parent = info.get("extends") if isinstance(info, dict) else None
    if parent is None:
        return []
    if not isinstance(parent, str):
        raise RulePackError(
            [Problem("string_type", "$.pack.extends", "extends names a bundled pack or a file")]
        )
    source: str | Path = parent
    if not _is_name(parent):
        source = Path(parent) if folder is None else folder / parent
    try:
        return _layers(source, seen=seen, name=parent)
    except RulePackError as exc:
        raise RulePackError([_in_parent(p, parent) for p in exc.problems]) from None


def _in_parent(problem: Problem, parent: str) -> Problem:
    """A problem of the pack ``parent``, as the pack that extends it reports it."""
    if problem.type in ("pack_not_found", "unknown_pack") and problem.path == "$":
        return replace(problem, path="$.pack.extends")  # the name itself is wrong
    return replace(problem, message=f"{problem.message} (in {parent}, which this pack extends)")


def _read(source: str | Path) -> tuple[str, Literal["toml", "json"], Path | None, str]:
    """(text, format, folder for relative extends, a key naming the pack)."""
    if _is_name(source):
        assert isinstance(source, str)
        text = bundled_pack_text(source)  # a name, never a path: no traversal through it
        return text, "toml", None, f"bundled:{_registry()[source]}"
    path = Path(source)
    where = shown(str(path), 200)

    def refused(kind: str, message: str) -> RulePackError:
        return RulePackError([Problem(kind, "$", message)])

    if path.suffix not in (".toml", ".json"):
        raise refused("pack_not_found", f"{where} is not a .toml or .json file")
    try:
        if not path.is_file():
            raise refused("pack_not_found", f"no rule pack file at {where}")
        with path.open("rb") as file:
            data = file.read(PACK_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or "not a readable path"
        raise refused("pack_not_found", f"cannot read rule pack {where}: {reason}") from None
    if len(data) > PACK_FILE_BYTES:
        raise refused("pack_too_large", f"the rule pack {where} is over {PACK_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused("pack_not_utf8", f"the rule pack {where} is not UTF-8 text") from None
    format: Literal["toml", "json"] = "json" if path.suffix == ".json" else "toml"
    return text, format, path.parent, str(path.resolve())


def _parse(text: str, format: Literal["toml", "json"]) -> dict[str, Any]:
    try:
        if format == "json":
            data = json.loads(text, parse_float=_PackFloat, object_pairs_hook=_object)
        else:
            data = tomllib.loads(text, parse_float=_PackFloat)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([Problem("toml_syntax", "$", f"not valid TOML: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise RulePackError([Problem("json_syntax", "$", f"not valid JSON: {exc}")]) from None
    except RecursionError:
        raise RulePackError([Problem("pack_syntax", "$", "nested too deeply")]) from None
    if not isinstance(data, dict):
        raise RulePackError([Problem("not_a_pack", "$", "a rule pack is a table (a JSON object)")])
    repeated = list(_repeated_keys(data, ()))
    if repeated:
        raise RulePackError(repeated)
    return data


class _Repeats(dict[str, Any]):
    """A JSON object in which some keys are given more than once (TOML refuses those itself)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, marked when a key repeats (two values for one date, say)."""
    keys = [key for key, _ in pairs]
    if len(set(keys)) == len(keys):
        return dict(pairs)
    marked = _Repeats(pairs)
    marked.repeated = tuple(k for k in dict.fromkeys(keys) if keys.count(k) > 1)
    return marked


def _repeated_keys(node: Any, at: tuple[int | str, ...]) -> Iterator[Problem]:
    """A problem at each key given more than once in one object, at its path."""
    if isinstance(node, _Repeats):
        for key in node.repeated:
            why = "a value has one version per date" if _ISO_DAY.fullmatch(key) else "which one?"
            yield Problem("duplicate_key", _path((*at, key)), f"given twice in one object: {why}")
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _repeated_keys(value, (*at, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _repeated_keys(value, (*at, n))


def _path(parts: Sequence[int | str]) -> str:
    """A key path in a pack file: ``$.parameters.tier_totals.values[2015-08-31]``.

    The path stops before the first key a pack does not define, so that a refusal
    never quotes the file (it may be some other file with secrets in it): indexes,
    dates, the keys of the pack's tables, the parameters and rule IDs only.
    """
    out = "$"
    for n, part in enumerate(parts):
        if isinstance(part, int) or _ISO_DAY.fullmatch(part):
            out += f"[{part}]"
        elif part in _pack_keys() or (n and parts[n - 1] == "citations" and _RULE.fullmatch(part)):
            out += f".{part}"
        else:
            break
    return out


_RULE = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")


@cache
def _pack_keys() -> frozenset[str]:
    """Every key a rule pack may hold, in any table, and every parameter's name."""
    models: tuple[type[BaseModel], ...] = (
        RulePack,
        PackInfo,
        Shapes,
        Parameter,
        CredentialEntry,
        FloorEntry,
    )
    keys = {name for model in models for name in model.model_fields}
    keys |= {*GENERAL, *OPTIONAL, *(p for t in TOTALS.values() for p in t)}
    keys |= {p for s in (*STAGES.values(), *CAPS.values()) for p in s}
    return frozenset(keys)


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` onto ``base``: only what it gives changes (docs/rule-packs.md, "extends").

    Tables merge key by key; a parameter's ``values`` (and its ``sources`` and
    ``uncertain``) merge date by date, so a date given by both is the
    override's; credentials merge by ``code`` and floors by ``id``, field by
    field; anything else given replaces what was there.
    """
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if key == "parameters" and isinstance(old, dict) and isinstance(value, dict):
            out[key] = {**old, **{n: _merge_parameter(old.get(n), v) for n, v in value.items()}}
        elif key in ARRAYS and isinstance(old, list) and isinstance(value, list):
            out[key] = _merge_by(old, value, ARRAYS[key])
        elif (
            key in ("pack", "shapes", "citations")
            and isinstance(old, dict)
            and isinstance(value, dict)
        ):
            out[key] = {**old, **value}
        else:
            out[key] = value
    if isinstance(out.get("pack"), dict):
        out["pack"] = {k: v for k, v in out["pack"].items() if k != "extends"}
    return out


# The arrays of tables of a pack, and the key that matches an entry to the one it overrides.
ARRAYS = {"credentials": "code", "floors": "id"}


def _merge_parameter(old: Any, new: Any) -> Any:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return new
    merged = {**old, **new}
    for dated in ("values", "sources", "uncertain"):
        if isinstance(old.get(dated), dict) and isinstance(new.get(dated), dict):
            merged[dated] = {**old[dated], **new[dated]}
    return merged


def _merge_by(old: list[Any], new: list[Any], key: str) -> list[Any]:
    out = list(old)
    position = {e.get(key): n for n, e in enumerate(out) if isinstance(e, dict)}
    for entry in new:
        n = position.get(entry.get(key)) if isinstance(entry, dict) else None
        if n is None:
            out.append(entry)
        else:
            out[n] = _merge_entry(out[n], entry)
    return out


def _merge_entry(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A credential or floor given again: field by field, a dated amount date by date.

    A plain amount replaces the whole history of its field, and the notes
    (``sources``, ``uncertain``) of the dates it replaced go with them.
    """
    merged = {**old, **new}
    for field in DATED_FIELDS:
        if isinstance(old.get(field), dict) and isinstance(new.get(field), dict):
            merged[field] = {**old[field], **new[field]}
    dates = {d for f in DATED_FIELDS if isinstance(merged.get(f), dict) for d in merged[f]}
    for notes in ("sources", "uncertain"):
        if isinstance(old.get(notes), dict):
            kept = {d: text for d, text in old[notes].items() if d in dates}
            given = new.get(notes)
            merged[notes] = {**kept, **given} if isinstance(given, dict) else given or kept
    return merged


# The fields of credentials and floors that may be keyed by date.
DATED_FIELDS = ("minimum", "per_year", "sole_minimum", "total", "share")


def _merged(layers: list[_Layer]) -> dict[str, Any]:
    """The chain merged onto its innermost pack, refused when an entry cannot be matched."""
    if len(layers) == 1:
        return layers[0].data
    problems = [
        p if depth == 0 else _in_parent(p, layer.name)
        for depth, layer in enumerate(layers)
        for p in _layer_problems(layer.data)
    ]
    own = _pack_id(layers[0].data)
    inherited = [_pack_id(layer.data) for layer in layers[1:]]
    if own is None or own in inherited:
        problems.append(
            Problem(
                "missing" if own is None else "same_id",
                "$.pack.id",
                "a pack that extends another needs an id of its own: reports name the "
                "pack that made them",
            )
        )
    if problems:
        raise RulePackError(problems)
    data = layers[-1].data
    for layer in reversed(layers[:-1]):
        data = merge(data, layer.data)
    return data


def _pack_id(data: dict[str, Any]) -> Any:
    info = data.get("pack")
    return info.get("id") if isinstance(info, dict) else None


def _layer_problems(data: dict[str, Any]) -> Iterator[Problem]:
    """What keeps one pack of a chain from merging: entries with no key or a key twice."""
    for array, key in ARRAYS.items():
        entries = data.get(array)
        if not isinstance(entries, list):
            continue
        first: dict[str, int] = {}
        for n, entry in enumerate(entries):
            value = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(value, str):
                yield Problem("missing", _path((array, n, key)), f"each entry needs a {key}")
            elif value in first:
                yield Problem(
                    "duplicate_key",
                    _path((array, n, key)),
                    f"{value} is given twice (also {_path((array, first[value]))})",
                )
            else:
                first[value] = n


def _located(problem: Problem, layers: list[_Layer], data: dict[str, Any]) -> Problem:
    """``problem`` (of the merged pack) at the entry of the file that gives it.

    After a merge an entry of ``credentials`` or ``floors`` has an index of the
    merged list; it is found by its key in the outermost pack that has it.
    """
    found = re.match(r"\$\.(credentials|floors)\[(\d+)\]", problem.path)
    if len(layers) == 1 or found is None:
        return problem
    array, index = found[1], int(found[2])
    key = ARRAYS[array]
    wanted = _entries(data, array)[index].get(key)
    for depth, layer in enumerate(layers):
        for n, entry in enumerate(_entries(layer.data, array)):
            if entry.get(key) == wanted:
                moved = replace(problem, path=_path((array, n)) + problem.path[found.end() :])
                return moved if depth == 0 else _in_parent(moved, layer.name)
    return problem


def _entries(data: dict[str, Any], array: str) -> list[dict[str, Any]]:
    """The tables of an array of a pack's data (what is not a table matches nothing)."""
    entries = data.get(array)
    if not isinstance(entries, list):
        return []
    return [entry if isinstance(entry, dict) else {} for entry in entries]


def _validate(layers: list[_Layer]) -> RulePack:
    data = _merged(layers)
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as exc:
        problems = _written_problems(exc, data)
    else:
        problems = _pack_problems(pack)
    if problems:
        raise RulePackError([_located(p, layers, data) for p in problems])
    return pack


def _written_problems(exc: ValidationError, data: dict[str, Any]) -> list[Problem]:
    """The validation errors of the pack as written, each at its key in the file."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        parts = _written_parts(data, error["loc"])
        if parts is None:
            continue  # an error of a form (plain or dated) the value is not written in
        path = _path(parts)
        if error["type"] == "extra_forbidden":
            message = _unknown_key(parts)
        elif error["type"] == "missing":
            message = "required, and not given"
        else:
            message = error["msg"]
        problem = _problem(error["type"], path, message, error.get("input"))
        if problem not in problems:
            problems.append(problem)
    return problems


# A pydantic union reports an error for each of its forms, tagged "decimal" or
# "dict[...]" in the error's location; the form the file took is the one kept.
_FORM = re.compile(r"[a-z-]+\[.*\]|decimal|str|int|bool|date|float|none")


def _written_parts(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The keys of ``loc`` in the data as written, or None for an error of another form."""
    node, parts = data, []
    for part in loc:
        if part == "[key]":
            continue  # the key itself is wrong: its path is the key's
        if _has(node, part):
            node = node[part]
        elif isinstance(part, str) and _FORM.fullmatch(part):
            if part.startswith("dict[") != isinstance(node, dict):
                return None
            continue
        else:
            node = None  # a key not given (missing)
        parts.append(part)
    return tuple(parts)


def _has(node: Any, part: int | str) -> bool:
    if isinstance(node, list):
        return isinstance(part, int) and 0 <= part < len(node)
    return isinstance(node, dict) and part in node


def _unknown_key(parts: tuple[int | str, ...]) -> str:
    """'unknown key ...; did you mean ...?', with the keys its table may have."""
    *table, key = parts
    tables: dict[str, type[BaseModel]] = {
        "pack": PackInfo,
        "shapes": Shapes,
        "parameters": Parameter,
        "credentials": CredentialEntry,
        "floors": FloorEntry,
    }
    model = tables.get(str(table[0]), RulePack) if table else RulePack
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"holds a key that is not part of a rule pack; {hint}expected one of {', '.join(known)}"


@cache
def default_rule_pack() -> RulePack:
    """The bundled pack this version of the library evaluates with by default (AAPC)."""
    return load_rule_pack(DEFAULT_PACK)


@cache
def _bundled(name: str) -> RulePack:
    return load_rule_pack(name)


def resolve_pack(rules: RulePack | str | os.PathLike[str] | None) -> RulePack:
    """``None`` for the default pack, a bundled name, a TOML or JSON path, or a pack.

    Raises:
        RulePackError: ``rules`` names no pack, or its file is not a valid pack.
        TypeError: ``rules`` is none of these.
    """
    if rules is None:
        return default_rule_pack()
    if isinstance(rules, RulePack):
        return rules
    if _is_name(rules):
        return _bundled(str(rules))  # a bundled pack is read and checked once
    return load_rule_pack(rules)


def pack_that_made(
    pack_id: str, rules: RulePack | str | os.PathLike[str] | None = None
) -> RulePack:
    """The pack named ``pack_id`` by a report: ``rules``, or else the bundled pack of that id.

    Raises:
        RulePackError: the pack does not load, is not bundled, or is not ``pack_id``.
    """
    if rules is None and pack_id not in bundled_packs():
        raise RulePackError(
            [
                Problem(
                    "unknown_pack",
                    "$.rules",
                    f"the report was made with rule pack {shown(pack_id)}, which is not bundled "
                    "with this library; pass that pack as rules=",
                )
            ]
        )
    pack = resolve_pack(pack_id if rules is None else rules)
    if pack.id != pack_id:
        raise RulePackError(
            [
                Problem(
                    "pack_mismatch",
                    "$.rules",
                    f"the report was made with rule pack {shown(pack_id)}, not {shown(pack.id)}; "
                    "explain it with the pack that made it",
                )
            ]
        )
    return pack
