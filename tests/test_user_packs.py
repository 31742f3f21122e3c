"""Packs written by users: extending a bundled pack, errors at the exact key, round trips.

docs/rule-packs.md is the user's guide; its two example packs live in
examples/packs and are loaded here as a user would load them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import (
    ComplianceReport,
    Problem,
    RulePack,
    RulePackError,
    dump_rule_pack,
    evaluate,
    load_rule_pack,
    parse_rule_pack,
)
from ceu_compliance._pack import bundled_packs
from strategies import Case, any_cases

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "packs"
AMENDED = EXAMPLES / "aapc-amended.toml"
GUILD = EXAMPLES / "guild.toml"

Format = Literal["toml", "json"]
FORMATS: tuple[Format, ...] = ("json", "toml")

# The head of a pack extending AAPC's; each case below adds what it tests.
EXTENDS = """
[pack]
id = "mine-1"
title = "Mine"
extends = "aapc"
"""


def member(*codes: str, due: str = "2027-06-30", ceus: str = "40") -> dict[str, Any]:
    """A member holding ``codes`` with one approved course of ``ceus``, approved for all."""
    return {
        "member_id": "M-1",
        "renewal_due": due,
        "credentials": [{"code": code, "earned": "2015-01-01"} for code in codes],
        "records": [
            {
                "id": "r1",
                "date": "2026-03-02",
                "ceus": ceus,
                "activity": "course",
                "approved": True,
                "index_number": "AAPC-1",
                "approved_for": list(codes),
            }
        ],
    }


def problems(
    text: str, *, format: Format = "toml", tmp_path: Path | None = None
) -> list[tuple[str, str, str]]:
    """The problems of the pack ``text`` (written to a file when ``tmp_path`` is given)."""
    if tmp_path is None:
        found = _refused(lambda: parse_rule_pack(text, format=format))
    else:
        path = tmp_path / f"pack.{format}"
        path.write_text(text, encoding="utf-8")
        found = _refused(lambda: load_rule_pack(path))
    return [(p.type, p.path, p.message) for p in found]


def _refused(load: Callable[[], object]) -> tuple[Problem, ...]:
    with pytest.raises(RulePackError) as refused:
        load()
    return refused.value.problems


def located(text: str, **kwargs: Any) -> set[tuple[str, str]]:
    return {(kind, path) for kind, path, _ in problems(text, **kwargs)}


# ------------------------------------------------------------ a pack that extends


def test_an_extending_pack_changes_one_total_from_a_date_and_adds_a_credential() -> None:
    """Q-TIER, Q-SPECIALTY: the amended pack is AAPC's but for a 2027 total and CTHC."""
    pack = load_rule_pack(AMENDED)
    aapc = load_rule_pack("aapc")
    assert pack.id == "acme-aapc-2027.1"
    assert pack.pack.name == "AAPC" and pack.pack.body == "aapc"  # inherited
    assert pack.changes == [*aapc.changes, dt.date(2027, 1, 1)]
    before, after = pack.at(dt.date(2026, 12, 31)), pack.at(dt.date(2027, 1, 1))
    assert before.tier_totals == aapc.at(dt.date(2026, 12, 31)).tier_totals
    assert after.tier_totals == tuple(Decimal(n) for n in ("36", "42", "44", "48", "52"))
    # What the pack did not write is AAPC's: the parameter's rule and reference, the catalog.
    assert after.trace["tier_totals"].rule == "Q-TIER"
    assert after.trace["tier_totals"].reference.startswith("Acme Health compliance memo")
    assert (
        before.trace["tier_totals"].reference
        == aapc.at(dt.date(2026, 1, 1)).trace["tier_totals"].reference
    )
    assert [c.code for c in pack.credentials] == [*(c.code for c in aapc.credentials), "CTHC"]


def test_evaluate_with_the_extending_pack_by_path() -> None:
    """Q-TIER: two credentials due after 2027-01-01 need 42 under the pack, 40 under AAPC's."""
    as_of = dt.date(2027, 7, 1)
    report = evaluate(member("CPC", "CTHC"), as_of=as_of, rules=AMENDED)
    assert (report.rules, report.rules_version) == ("acme-aapc-2027.1", dt.date(2027, 1, 1))
    required = {q.id: (q.required, q.shortfall) for q in report.requirements}
    assert required == {"total": (Decimal(42), Decimal(2)), "CTHC": (Decimal(8), Decimal(0))}
    # The same path as a string, and a period due before the change.
    earlier = evaluate(member("CPC", "CTHC", due="2026-06-30"), as_of=as_of, rules=str(AMENDED))
    assert earlier.rules_version == dt.date(2016, 1, 1)
    assert earlier.required_total == 40
    # AAPC's own pack knows no CTHC.
    with pytest.raises(ValueError, match='unknown credential code "CTHC"'):
        evaluate(member("CPC", "CTHC"), as_of=as_of)


def test_a_date_the_extended_pack_also_gives_is_overridden_not_refused() -> None:
    """Two values of one parameter on one date after a merge: the extending pack's wins."""
    pack = parse_rule_pack(
        EXTENDS + '[parameters.tier_totals]\nvalues = { "2015-08-31" = ["36", "41"] }\n'
    )
    assert pack.parameters["tier_totals"].values[dt.date(2015, 8, 31)] == ["36", "41"]
    assert pack.parameters["tier_totals"].values[dt.date(2008, 1, 1)][0] == "36"
    assert pack.changes == load_rule_pack("aapc").changes


def test_an_entry_given_again_merges_field_by_field_and_date_by_date() -> None:
    pack = parse_rule_pack(
        EXTENDS + '[[credentials]]\ncode = "CPMA"\nminimum = { "2027-01-01" = "12" }\n'
    )
    cpma = pack.credentials[7]
    assert (cpma.code, cpma.rule, cpma.kind) == ("CPMA", "Q-CPMA", "core")
    assert cpma.minimum == {
        dt.date(2008, 1, 1): Decimal(24),
        dt.date(2015, 8, 31): Decimal(16),
        dt.date(2027, 1, 1): Decimal(12),
    }
    assert cpma.uncertain.keys() == {dt.date(2015, 8, 31)}  # AAPC's notes are kept


def test_a_plain_amount_replaces_the_history_and_its_notes() -> None:
    pack = parse_rule_pack(EXTENDS + '[[credentials]]\ncode = "CPMA"\nminimum = "12"\n')
    cpma = pack.credentials[7]
    assert (cpma.minimum, cpma.sources, cpma.uncertain) == (Decimal(12), {}, {})
    assert pack.at(dt.date(2010, 1, 1)).credentials[7].minimum == 12


def test_extends_a_file_relative_to_the_pack(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "amended.toml").write_text(AMENDED.read_text(encoding="utf-8"))
    (tmp_path / "top.json").write_text(
        json.dumps({"pack": {"id": "top-1", "extends": "base/amended.toml"}}), encoding="utf-8"
    )
    pack = load_rule_pack(tmp_path / "top.json")
    assert pack.id == "top-1"
    assert pack.credential("CTHC") is not None


def test_a_file_name_is_never_taken_for_a_bundled_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mine.toml").write_text(AMENDED.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rule_pack("mine.toml").id == "acme-aapc-2027.1"


# ------------------------------------------------------------ errors at the key


def test_an_unknown_credential_in_supersedes() -> None:
    text = EXTENDS + '[[credentials]]\ncode = "CPB"\nsupersedes = ["CPXX"]\n'
    assert located(text) == {("unknown_credential", "$.credentials[0].supersedes[0]")}


def test_a_new_credentials_problem_is_at_its_index_in_the_users_file() -> None:
    """After the merge the entry is the 31st of the catalog; the user wrote it first."""
    text = (
        EXTENDS
        + '[[credentials]]\ncode = "CNEW"\nname = "New"\nkind = "core"\nminimum = "50"\n'
        + 'rule = "Q-NEW"\n\n[citations]\n"Q-NEW" = "New rule."\n'
    )
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("minimum_above_total", "$.credentials[0].minimum")
    assert "CNEW's minimum 50 is more than the total for one credential" in message
    assert "($.parameters.tier_totals.values[2008-01-01]), 36, in the version of 2008-01-01" in (
        message
    )


def test_a_lower_total_names_the_minimums_of_the_extended_pack() -> None:
    """The minimums are AAPC's, the total the user's: both keys are named, and the file."""
    text = EXTENDS + '[parameters.tier_totals]\nvalues = { "2027-01-01" = ["12"] }\n'
    found = problems(text)
    assert [path for _, path, _ in found] == [
        "$.credentials[6].minimum[2015-08-31]",  # CIRCC
        "$.credentials[7].minimum[2015-08-31]",  # CPMA
        "$.credentials[8].minimum[2015-08-31]",  # CPCO
        "$.credentials[9].minimum[2015-08-31]",  # CPPM
        "$.credentials[9].sole_minimum[2016-01-01]",
        "$.credentials[10].minimum",  # CDEO, a plain amount
    ]
    kind, _, message = found[0]
    assert kind == "minimum_above_total"
    assert "CIRCC's minimum 16 is more than the total for one credential " in message
    assert "($.parameters.tier_totals.values[2027-01-01]), 12" in message
    assert message.endswith("(in aapc, which this pack extends)")


def test_a_minimum_above_the_total_in_a_pack_of_ones_own() -> None:
    text = GUILD.read_text(encoding="utf-8").replace('minimum = "6"', 'minimum = "25"')
    assert located(text) == {("minimum_above_total", "$.credentials[1].minimum")}


def test_a_date_given_twice_in_a_json_object(tmp_path: Path) -> None:
    text = (
        '{"pack": {"id": "mine-1", "extends": "aapc"}, "parameters": {"tier_totals": '
        '{"values": {"2027-01-01": ["36"], "2027-01-01": ["38"]}}}}'
    )
    [(kind, path, message)] = problems(text, format="json", tmp_path=tmp_path)
    assert (kind, path) == ("duplicate_key", "$.parameters.tier_totals.values[2027-01-01]")
    assert "one version per date" in message


def test_a_date_given_twice_in_toml_is_a_syntax_error_with_its_line() -> None:
    text = (
        EXTENDS
        + '[parameters.tier_totals]\nvalues = { "2027-01-01" = ["36"], "2027-01-01" = ["38"] }\n'
    )
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("toml_syntax", "$")
    assert "line 7" in message


@pytest.mark.parametrize("key", ["2027-1-1", "2027-01-01T00:00:00", "1798761600", "soon"])
def test_a_date_key_is_written_yyyy_mm_dd(key: str) -> None:
    """Else two spellings of one day could both be given, and one would silently win."""
    text = EXTENDS + f'[parameters.tier_totals]\nvalues = {{ "{key}" = ["36"] }}\n'
    [(kind, path, message)] = problems(text)
    # The path stops at the table: a refusal never quotes the file (issue 9).
    assert (kind, path) == ("date_key", "$.parameters.tier_totals.values")
    assert "YYYY-MM-DD" in message and key not in message


@pytest.mark.parametrize(
    ("shapes", "where", "kind"),
    [
        ('total = "tierd"', "$.shapes.total", "literal_error"),
        ('cycle = "yearly"', "$.shapes.cycle", "literal_error"),
        ('stages = ["duplicates", "webinr"]', "$.shapes.stages[1]", "unknown_stage"),
        ('caps = ["instructer"]', "$.shapes.caps[0]", "unknown_cap"),
        ('totl = "tiered"', "$.shapes", "extra_forbidden"),
    ],
)
def test_an_unknown_shape_stage_or_cap(shapes: str, where: str, kind: str) -> None:
    [(found, path, message)] = problems(EXTENDS + f"[shapes]\n{shapes}\n")
    assert (found, path) == (kind, where)
    if kind == "unknown_stage":
        assert message.startswith(
            "not a stage this engine has; did you mean webinar? expected one of duplicates, "
        )
    if kind == "extra_forbidden":
        assert message.startswith(
            "holds a key that is not part of a rule pack; did you mean total? "
            "expected one of total, "
        )


def test_an_unknown_parameter_or_key_suggests_the_name() -> None:
    text = EXTENDS + '[parameters.tier_totals]\ndescriptoin = "x"\n'
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("extra_forbidden", "$.parameters.tier_totals")
    assert message.startswith(
        "holds a key that is not part of a rule pack; did you mean description? "
        "expected one of rule, "
    )
    text = EXTENDS + '[parameters.tier_total]\nrule = "Q-TIER"\ndescription = "x"\n'
    text += 'reference = "x"\nvalues = { "2008-01-01" = ["36"] }\n'
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("unknown_parameter", "$.parameters")
    assert "did you mean tier_totals?" in message


def test_a_rule_id_without_a_citation() -> None:
    text = (
        EXTENDS
        + '[[credentials]]\ncode = "CNEW"\nname = "New"\nkind = "core"\nminimum = "8"\n'
        + 'rule = "Q-NEW"\n'
    )
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("missing_citation", "$.credentials[0].rule")
    assert message == "rule Q-NEW has no entry in [citations]"


def test_a_citation_must_be_in_force_whenever_its_rule_is_used() -> None:
    text = EXTENDS + '[citations]\n"Q-TIER" = { "2020-01-01" = "From 2020." }\n'
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("not_in_force", "$.citations.Q-TIER")
    assert message.startswith("no citation of Q-TIER is in force on 2008-01-01, when ")


def test_a_parameter_the_shapes_need() -> None:
    text = GUILD.read_text(encoding="utf-8").replace('"already_applied"]', '"webinar"]')
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("missing", "$.parameters.webinar_max_ceus")
    assert message == "required by stage 'webinar'"


def test_a_parameter_the_shapes_need_is_in_force_from_the_first_version() -> None:
    text = GUILD.read_text(encoding="utf-8").replace('"already_applied"]', '"webinar"]')
    text += (
        '\n[parameters.webinar_max_ceus]\nrule = "G-TOTAL"\ndescription = "x"\nreference = "x"\n'
        'values = { "2024-01-01" = "2" }\n'
    )
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("not_in_force", "$.parameters.webinar_max_ceus.values")
    assert "its first value is dated 2024-01-01, but the pack's rules start on 2020-01-01" in (
        message
    )


def test_a_source_or_doubt_dated_where_no_value_is() -> None:
    text = EXTENDS + '[parameters.tier_totals]\nsources = { "2015-08-30" = "A memo." }\n'
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("unknown_date", "$.parameters.tier_totals.sources[2015-08-30]")
    assert "dates given: 2008-01-01, 2015-08-31" in message
    text = EXTENDS + '[[credentials]]\ncode = "CDEO"\nuncertain = { "2015-08-31" = "x" }\n'
    assert located(text) == {("unknown_date", "$.credentials[0].uncertain[2015-08-31]")}


@pytest.mark.parametrize(
    ("pack_line", "rest", "where"),
    [
        ("", '[[credentials]]\ncode = "CPMA"\nminimum = 16.5\n', "$.credentials[0].minimum"),
        (
            "",
            '[[credentials]]\ncode = "CPMA"\nminimum = { "2027-01-01" = 12.5 }\n',
            "$.credentials[0].minimum[2027-01-01]",
        ),
        ("versions_by = 1.0\n", "", "$.pack.versions_by"),
        (
            "",
            '[parameters.period_months]\nvalues = { "2027-01-01" = 24.0 }\n',
            "$.parameters.period_months.values[2027-01-01]",
        ),
    ],
)
def test_a_float_is_refused_at_its_key(pack_line: str, rest: str, where: str) -> None:
    text = EXTENDS.replace("[pack]\n", f"[pack]\n{pack_line}") + rest
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("pack_float", where)
    assert "write decimals as strings" in message


def test_a_float_in_a_json_pack(tmp_path: Path) -> None:
    text = '{"pack": {"id": "mine-1", "extends": "aapc"}, "credentials": [{"code": "CPMA", '
    text += '"minimum": 16.5}]}'
    assert located(text, format="json", tmp_path=tmp_path) == {
        ("pack_float", "$.credentials[0].minimum")
    }


def test_a_null_parameter_value_in_a_json_pack(tmp_path: Path) -> None:
    data = {
        "pack": {"id": "mine-1", "extends": "aapc"},
        "parameters": {"instructor_cap": {"values": {"2027-01-01": None}}},
    }
    assert located(json.dumps(data), format="json", tmp_path=tmp_path) == {
        ("null_value", "$.parameters.instructor_cap.values[2027-01-01]")
    }


def test_an_extending_pack_needs_its_own_id() -> None:
    """Else its reports would name AAPC's pack, and explain() would quote that one."""
    text = EXTENDS.replace('id = "mine-1"', 'id = "aapc-2026.1"')
    assert located(text) == {("same_id", "$.pack.id")}
    assert located(EXTENDS.replace('id = "mine-1"\n', "")) == {("missing", "$.pack.id")}


def test_an_extending_pack_gives_each_code_once() -> None:
    text = EXTENDS + '[[credentials]]\ncode = "CPMA"\n\n[[credentials]]\ncode = "CPMA"\n'
    [(kind, path, message)] = problems(text)
    assert (kind, path) == ("duplicate_key", "$.credentials[1].code")
    assert message == "CPMA is given twice (also $.credentials[0])"


def test_a_floor_needs_a_category() -> None:
    text = EXTENDS + '[[floors]]\nid = "HIIM"\nrule = "Q-TIER"\nname = "x"\nlayer = "core"\n'
    assert located(text + 'share = "0.5"\n') == {("empty_floor", "$.floors[0]")}


def test_problems_of_an_extended_file_name_it(tmp_path: Path) -> None:
    guild = GUILD.read_text(encoding="utf-8")
    (tmp_path / "base.toml").write_text(
        guild.replace('kind = "topic"\nminimum', 'kind = "x"\nminimum'), encoding="utf-8"
    )
    (tmp_path / "top.toml").write_text('[pack]\nid = "top-1"\nextends = "base.toml"\n')
    [problem] = _refused(lambda: load_rule_pack(tmp_path / "top.toml"))
    assert (problem.type, problem.path) == ("unknown_layer", "$.credentials[1].kind")
    assert problem.message.endswith("(in base.toml, which this pack extends)")


def test_an_extends_that_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[pack]\nid = "a-1"\nextends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('[pack]\nid = "b-1"\nextends = "a.toml"\n')
    [cycle] = _refused(lambda: load_rule_pack(tmp_path / "a.toml"))
    assert (cycle.type, cycle.path) == ("extends_cycle", "$.pack.extends")
    (tmp_path / "c.toml").write_text('[pack]\nid = "c-1"\nextends = "nowhere.toml"\n')
    [missing] = _refused(lambda: load_rule_pack(tmp_path / "c.toml"))
    assert (missing.type, missing.path) == ("pack_not_found", "$.pack.extends")
    assert "no rule pack file at" in missing.message


# ------------------------------------------------------------ dumped and loaded back

ROUND_TRIP_PACKS = {"aapc": load_rule_pack("aapc"), "amended": load_rule_pack(AMENDED)}


def again(pack: RulePack, format: Format) -> RulePack:
    return parse_rule_pack(dump_rule_pack(pack, format=format), format=format)


# Every bundled body (a new one is covered as soon as it is bundled) and the examples.
EVERY_PACK = [
    *(load_rule_pack(name) for name in sorted({f: n for n, f in bundled_packs().items()}.values())),
    load_rule_pack(AMENDED),
    load_rule_pack(GUILD),
]


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("pack", EVERY_PACK, ids=lambda pack: pack.id)
def test_a_dumped_pack_loads_back_equal(pack: RulePack, format: Format) -> None:
    """Equal packs judge every member the same: the engine reads nothing else."""
    assert again(pack, format) == pack


@pytest.mark.parametrize("name", sorted(ROUND_TRIP_PACKS))
@given(case=any_cases(), on=st.sampled_from([None, *ROUND_TRIP_PACKS["amended"].changes]))
def test_a_pack_dumped_to_json_and_loaded_back_gives_identical_reports(
    name: str, case: Case, on: dt.date | None
) -> None:
    """The property of issue 10, for every version (rules_on) and both file formats."""
    pack = ROUND_TRIP_PACKS[name]
    original = report_of(case, pack, on)
    for format in FORMATS:
        assert report_of(case, again(pack, format), on).to_json() == original.to_json()


def report_of(case: Case, pack: RulePack, on: dt.date | None) -> ComplianceReport:
    return evaluate(case.member, as_of=case.as_of, rules=pack, rules_on=on)


@given(text=st.text())
def test_any_text_survives_the_round_trip(text: str) -> None:
    """Titles, notes and citations are written as TOML and JSON strings, escapes and all."""
    base = ROUND_TRIP_PACKS["aapc"]
    pack = base.model_copy(
        update={
            "pack": base.pack.model_copy(update={"title": text}),
            "citations": {**base.citations, "Q-TIER": text},
        }
    )
    for format in FORMATS:
        assert again(pack, format) == pack


# ------------------------------------------------------------ never a traceback

AAPC_DATA = json.loads(dump_rule_pack(ROUND_TRIP_PACKS["aapc"], format="json"))
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100)
    | st.text(max_size=5)
    | st.sampled_from(["2008-01-01", "CPC", "core", "16", "0.5", "tiered", "aapc"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=4) | st.sampled_from(["values", "code", "2020-01-01", "id", "rule"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


def key_paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        found += [p for key, value in node.items() for p in key_paths(value, (*at, key))]
    elif isinstance(node, list):
        found += [p for n, value in enumerate(node) for p in key_paths(value, (*at, n))]
    return found


@given(
    changes=st.lists(st.tuples(st.sampled_from(key_paths(AAPC_DATA)[1:]), JUNK), max_size=3),
    extends=st.booleans(),
)
def test_a_damaged_pack_is_refused_with_problems_never_a_traceback(
    changes: list[tuple[tuple[Any, ...], Any]], extends: bool
) -> None:
    """AAPC's pack with any values replaced by any JSON: it loads, or RulePackError says why."""
    data = json.loads(json.dumps(AAPC_DATA))
    for (*parents, last), value in changes:
        node = data
        for key in parents:
            node = node[key] if isinstance(node, dict | list) and _has(node, key) else None
        if isinstance(node, dict | list) and _has(node, last):
            node[last] = value
    if extends and isinstance(data.get("pack"), dict):
        data["pack"] |= {"id": "damaged-1", "extends": "aapc"}
    try:
        parse_rule_pack(json.dumps(data), format="json")
    except RulePackError as refused:
        assert refused.problems
        assert all(p.path.startswith("$") and p.message for p in refused.problems)


def _has(node: dict[Any, Any] | list[Any], key: Any) -> bool:
    if isinstance(node, list):
        return isinstance(key, int) and key < len(node)
    return key in node
