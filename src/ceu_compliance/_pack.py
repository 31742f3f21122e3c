"""Rule packs: the numbers of the rules, as versioned and validated data.

A pack is a TOML file (``packs/aapc-2026.1.toml`` is the default). Each
parameter keys its value by the date from which it is in force and carries the
rule ID and source sentence it comes from, so a rule change is a new dated
value, not a code change. :meth:`RulePack.at` resolves the parameters in force
on one date into a flat, typed :class:`RuleSet` that the engine reads.
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from ._amounts import decimal_places, format_decimal, parse_amount
from ._errors import Problem, RulePackError, json_path
from ._printable import shown

DEFAULT_PACK = "aapc-2026.1"

NOT_QUOTED = "Not on the source page"
"""How a pack's citation starts when the rule is the project's reading, not a quote."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_PACK_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")

PACK_FILE_BYTES = 1024 * 1024
"""The largest rule pack file :func:`load_rule_pack` reads (the bundled one is about 20 KB)."""

# A pack's numbers are checked when it loads, so that a loaded pack can never make
# the engine fail later: amounts as an input's (Limits' defaults), counts of
# months and days small enough for date arithmetic to stay within years 1-9999.
MAX_PACK_AMOUNT = Decimal(1_000_000)
MAX_PACK_PLACES = 20


def _pack_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, not true/false")
    if isinstance(value, str):
        try:
            value = parse_amount(value.strip())
        except ValueError:
            raise ValueError('expected a decimal number such as "16" or "0.5"') from None
    elif isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise ValueError("expected a decimal number, written as a string or an integer")
    if not value.is_finite() or abs(value) > MAX_PACK_AMOUNT:
        raise ValueError(f"must be at most {format_decimal(MAX_PACK_AMOUNT)}")
    if decimal_places(value) > MAX_PACK_PLACES:
        raise ValueError(f"must have at most {MAX_PACK_PLACES} digits after the decimal point")
    return value


PackDecimal = Annotated[Decimal, BeforeValidator(_pack_decimal)]
Amount = Annotated[PackDecimal, Field(ge=0)]


class CredentialSpec(BaseModel):
    """One credential of the catalog (E-PROVIDER-LIST)."""

    model_config = _FROZEN

    code: str = Field(pattern=r"^[A-Z][A-Z-]*[A-Z]$")
    name: str
    kind: Literal["core", "specialty"]
    minimum: Amount = Decimal(0)
    per_year: Annotated[PackDecimal, Field(gt=0)] | None = None
    rule: str | None = None
    vendors: tuple[str, ...] = ()
    apprentice: tuple[str, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _minimum_has_rule(self) -> CredentialSpec:
        if self.minimum > 0 and self.rule is None:
            raise ValueError("a credential with a minimum must name its rule ID")
        return self


class RuleSet(BaseModel):
    """Every parameter of a pack, as in force on one date."""

    model_config = _FROZEN

    pack_id: str
    tier_totals: tuple[Amount, ...] = Field(min_length=1, max_length=100)
    period_months: int = Field(gt=0, le=120)
    prorate_step: Annotated[PackDecimal, Field(gt=0)]
    instructor_cap: Amount
    post_secondary_cap_per_year: Amount
    post_secondary_year_basis: Literal["period", "calendar"]
    clock_hour_ceus: Amount
    min_clock_hours: Amount
    credit_hour_ceus: Amount
    post_secondary_fields: tuple[str, ...]
    workshop_attendance_ceus: Amount
    workshop_max_ceus: Amount
    webinar_max_ceus: Amount
    extension_fee_usd: Amount
    submission_opens_months: int = Field(ge=0, le=120)
    revocation_days: int = Field(ge=0, le=3660)
    minimum_per_period_year: bool
    aapc_providers: tuple[str, ...]
    cms_providers: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    credentials: tuple[CredentialSpec, ...]
    citations: Mapping[str, str]

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
        return self.tier_totals[min(credentials_held, len(self.tier_totals)) - 1]

    def is_provider(self, provider: str | None, names: tuple[str, ...]) -> bool:
        """Whether ``provider`` is one of ``names``, compared as Q-CIRCC says (``name_keys``)."""
        if provider is None:
            return False
        known = _keys_of_all(names, self.company_suffixes)
        return not known.isdisjoint(name_keys(provider, self.company_suffixes))


def _catalog_index(credentials: tuple[CredentialSpec, ...]) -> dict[str, CredentialSpec]:
    index: dict[str, CredentialSpec] = {}
    for spec in credentials:
        for code in (spec.code, *spec.apprentice):
            index[code] = spec
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


class Parameter(BaseModel):
    """A parameter's dated values and where they come from."""

    model_config = _FROZEN

    rule: str
    description: str
    reference: str
    values: dict[dt.date, Any] = Field(min_length=1)

    def at(self, day: dt.date) -> Any:
        """The value in force on ``day``: the one with the latest date on or before it."""
        in_force = [d for d in self.values if d <= day]
        return self.values[max(in_force)] if in_force else None


class PackInfo(BaseModel):
    model_config = _FROZEN

    id: str = Field(pattern=rf"^{_PACK_ID.pattern}$")
    title: str
    source: str


class RulePack(BaseModel):
    """A validated rule pack: dated parameters, the credential catalog, citations."""

    model_config = _FROZEN

    pack: PackInfo
    parameters: dict[str, Parameter]
    credentials: tuple[CredentialSpec, ...] = Field(min_length=1)
    citations: dict[str, str]

    # Worked out once per pack (cached properties take no part in ==): the catalog
    # by code, the days on which some value changes, and the rule set in force from
    # each of those days, resolved on first use (from any thread: equal sets).

    @cached_property
    def _catalog(self) -> dict[str, CredentialSpec]:
        return _catalog_index(self.credentials)

    @cached_property
    def _changes(self) -> list[dt.date]:
        return sorted({d for p in self.parameters.values() for d in p.values})

    @cached_property
    def _resolved(self) -> dict[dt.date, RuleSet]:
        return {}

    @property
    def id(self) -> str:
        return self.pack.id

    def credential(self, code: str) -> CredentialSpec | None:
        """The catalog entry for ``code`` (an apprentice code gives its credential)."""
        return self._catalog.get(code.strip().upper())

    @cached_property
    def known_codes(self) -> str:
        """The catalog's codes, as a refusal lists them: ``CPC, COC, ...``."""
        return ", ".join(spec.code for spec in self.credentials)

    def at(self, day: dt.date) -> RuleSet:
        """Resolve every parameter as in force on ``day``.

        The rule set only changes on the days some value takes effect, so each
        is resolved once and shared by every day up to the next change.

        Raises:
            RulePackError: some parameter has no value on or before ``day``.
        """
        since = bisect.bisect_right(self._changes, day)
        if not since:
            return _resolve(self.id, self.parameters, self.credentials, self.citations, day)
        change = self._changes[since - 1]
        found = self._resolved.get(change)
        if found is None:
            found = _resolve(self.id, self.parameters, self.credentials, self.citations, change)
            self._resolved[change] = found
        return found

    @model_validator(mode="after")
    def _check(self) -> RulePack:
        codes = [c for spec in self.credentials for c in (spec.code, *spec.apprentice)]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"credential codes listed twice: {', '.join(repeated)}")
        problems = _parameter_problems(self.id, self.parameters)
        if problems:
            # Not a ValueError: pydantic lets it through with its full problem list.
            raise RulePackError(problems)
        return self


_EXPECTED = frozenset(RuleSet.model_fields) - {"pack_id", "credentials", "citations"}


def _parameter_problems(pack_id: str, parameters: Mapping[str, Parameter]) -> list[Problem]:
    """Missing or unknown parameters, and dated values that make no valid rule set."""
    problems = [
        Problem("missing", f"$.parameters.{name}", "this parameter is required in every pack")
        for name in sorted(_EXPECTED - set(parameters))
    ]
    problems += [
        Problem(
            "unknown_parameter",
            json_path(("parameters", name)),
            f"not a parameter this engine reads; expected one of {', '.join(sorted(_EXPECTED))}",
        )
        for name in sorted(set(parameters) - _EXPECTED)
    ]
    if problems:
        return problems
    # Every dated value must make a valid rule set on the day it takes effect.
    for day in sorted({d for p in parameters.values() for d in p.values}):
        try:
            _resolve(pack_id, parameters, (), {}, day)
        except RulePackError as exc:
            problems += [p for p in exc.problems if p not in problems]
    return problems


def _resolve(
    pack_id: str,
    parameters: Mapping[str, Parameter],
    credentials: tuple[CredentialSpec, ...],
    citations: Mapping[str, str],
    day: dt.date,
) -> RuleSet:
    values = {name: p.at(day) for name, p in parameters.items()}
    missing = sorted(name for name, v in values.items() if v is None)
    if missing:
        raise RulePackError(
            [
                Problem(
                    "no_value_in_force",
                    f"$.parameters.{name}.values",
                    f"pack {pack_id} has no value in force on {day.isoformat()}",
                )
                for name in missing
            ]
        )
    try:
        return RuleSet(pack_id=pack_id, credentials=credentials, citations=citations, **values)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            name = str(e["loc"][0])
            since = max(d for d in parameters[name].values if d <= day)
            path = f"$.parameters.{name}.values[{since.isoformat()}]"
            problems.append(_problem(e["type"], path, e["msg"], e.get("input")))
        raise RulePackError(problems) from None


class _TomlFloat:
    """A TOML float, kept as its text so that validation can refuse it by name."""

    def __init__(self, text: str) -> None:
        self.text = text


def _problem(kind: str, path: str, message: str, value: Any) -> Problem:
    if isinstance(value, _TomlFloat):
        return Problem(
            "toml_float",
            path,
            'a TOML float is not allowed: write decimals as strings ("0.5") or integers, '
            "so no binary rounding creeps in",
        )
    if kind == "extra_forbidden":
        return Problem(kind, path, "holds a key that is not part of a rule pack")
    if kind == "missing":
        return Problem(kind, path, "this field is required")
    return Problem(kind, path, message.removeprefix("Value error, "))


# The keys a pack may hold, by where they may appear: a refusal names only
# these, never a key or value of some other file (docs/reliability.md).
def _pack_keys() -> dict[tuple[str, ...], frozenset[str]]:
    return {
        (): frozenset({"pack", "parameters", "credentials", "citations"}),
        ("pack",): frozenset(PackInfo.model_fields),
        ("parameters",): frozenset(_EXPECTED),
        ("parameters", "*"): frozenset(Parameter.model_fields),
        ("credentials", "*"): frozenset(CredentialSpec.model_fields),
    }


def _pack_path(loc: Sequence[int | str]) -> str:
    """The path of ``loc`` up to its first key that is not part of a rule pack."""
    keys = _pack_keys()
    safe: list[int | str] = []
    for part in loc:
        shape = tuple("*" if i else str(p) for i, p in enumerate(safe))
        if isinstance(part, int):
            safe.append(part)
            continue
        if shape[:1] == ("parameters",) and shape[2:] == ("values",):
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
                break  # only a dated value's date is named
        elif part not in keys.get(shape, frozenset()):
            break
        safe.append(part)
    return json_path(safe)


def load_rule_pack(source: str | os.PathLike[str]) -> RulePack:
    """Load and validate a bundled rule pack by name, or a rule pack TOML file by path.

    A ``str`` is a pack name (``"aapc-2026.1"``: letters, digits, dots and hyphens,
    no path separator) unless it ends in ``.toml``, then it is a path; a
    ``pathlib.Path`` is always a path. A path must name an existing file of at
    most :data:`PACK_FILE_BYTES`, in UTF-8.

    Raises:
        RulePackError: no such pack or file, or the file is not a valid pack;
            every problem is listed with its path in the file. A refusal never
            quotes the file: only the keys a pack defines appear in paths.
        TypeError: ``source`` is neither a ``str`` nor a path.
    """
    if isinstance(source, str) and not source.endswith(".toml"):
        return _bundled(source)
    if not isinstance(source, str | os.PathLike):
        raise TypeError(
            f"rules must be a RulePack, a pack name or a path, not {type(source).__name__}"
        )
    return parse_rule_pack(_read_pack_file(Path(source)))


def _bundled(name: str) -> RulePack:
    bundled = resources.files("ceu_compliance") / "packs" / f"{name}.toml"
    if not (_PACK_ID.fullmatch(name) and bundled.is_file()):
        raise RulePackError(
            [
                Problem(
                    "unknown_pack",
                    "$",
                    f"no bundled rule pack is named {shown(name)}; bundled: {DEFAULT_PACK}. "
                    "A rule pack file is given by its path, ending in .toml",
                )
            ]
        )
    return parse_rule_pack(bundled.read_text(encoding="utf-8"))


def _read_pack_file(path: Path) -> str:
    where = shown(str(path), 200)

    def refused(kind: str, message: str) -> RulePackError:
        return RulePackError([Problem(kind, "$", message)])

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
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused("pack_not_utf8", f"the rule pack {where} is not UTF-8 text") from None


def parse_rule_pack(text: str) -> RulePack:
    """Validate a rule pack given as TOML text (see :func:`load_rule_pack`).

    Every number is checked here (no negative or absurd amounts, periods and
    deadlines within bounds), so that a pack that loads never fails later.

    Raises:
        RulePackError: the text is not a valid pack.
        TypeError: ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"a rule pack is TOML text (str), not {type(text).__name__}")
    try:
        data = tomllib.loads(text, parse_float=_TomlFloat)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([Problem("toml_syntax", "$", str(exc))]) from None
    except RecursionError:
        raise RulePackError([Problem("toml_syntax", "$", "nested too deeply")]) from None
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        problems = [
            _problem(e["type"], _pack_path(e["loc"]), e["msg"], e.get("input"))
            for e in exc.errors(include_url=False)
        ]
    # A broken catalog must not hide broken parameters: check those on their own too.
    try:
        parameters = _PARAMETERS.validate_python(data.get("parameters"))
        pack_id = str(data.get("pack", {}).get("id", "?"))
        if not _PACK_ID.fullmatch(pack_id):
            pack_id = "?"
        problems += [p for p in _parameter_problems(pack_id, parameters) if p not in problems]
    except (ValidationError, AttributeError):
        pass  # already reported above
    raise RulePackError(problems)


_PARAMETERS = TypeAdapter(dict[str, Parameter])


@cache
def default_rule_pack() -> RulePack:
    """The bundled pack this version of the library evaluates with by default."""
    return load_rule_pack(DEFAULT_PACK)


def resolve_pack(rules: RulePack | str | os.PathLike[str] | None) -> RulePack:
    """``None`` for the default pack, a bundled pack name, a TOML path, or a pack.

    Raises:
        RulePackError: ``rules`` names no pack, or its file is not a valid pack.
        TypeError: ``rules`` is none of these.
    """
    if rules is None:
        return default_rule_pack()
    if isinstance(rules, RulePack):
        return rules
    return load_rule_pack(rules)


def pack_that_made(pack_id: str, rules: RulePack | str | Path | None = None) -> RulePack:
    """The pack named ``pack_id`` by a report: ``rules``, or else the bundled pack of that id.

    Raises:
        RulePackError: the pack does not load, is not bundled, or is not ``pack_id``.
    """
    pack = _bundled_pack(pack_id) if rules is None else resolve_pack(rules)
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


def _bundled_pack(pack_id: str) -> RulePack:
    if pack_id == DEFAULT_PACK:
        return default_rule_pack()
    bundled = resources.files("ceu_compliance") / "packs" / f"{pack_id}.toml"
    if not (_PACK_ID.fullmatch(pack_id) and bundled.is_file()):
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
    return _bundled(pack_id)
