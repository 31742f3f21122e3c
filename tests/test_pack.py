"""The rule pack (E-PROVIDER-LIST): the bundled pack carries RULES.md's numbers and
catalog; a broken pack is refused with every problem and its path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from ceu_compliance import (
    CEUComplianceError,
    InvalidMemberError,
    RulePack,
    RulePackError,
    RuleSet,
    default_rule_pack,
    evaluate,
    load_rule_pack,
    parse_rule_pack,
)
from conftest import RULE_IDS

D = Decimal

# RULES.md "Credential catalog".
CORE_WITHOUT_MINIMUM = ["CPC", "COC", "CIC", "CRC", "CPB", "CPC-P"]
CORE_WITH_MINIMUM = {
    "CIRCC": "Q-CIRCC",
    "CPMA": "Q-CPMA",
    "CPCO": "Q-CPCO",
    "CPPM": "Q-CPPM",
    "CDEO": "Q-CDEO",
}
SPECIALTIES = [
    "CANPC",
    "CASCC",
    "CCC",
    "CCVTC",
    "CEDC",
    "CEMC",
    "CENTC",
    "CFPC",
    "CGIC",
    "CGSC",
    "CHONC",
    "CIMC",
    "COBGC",
    "COPC",
    "COSC",
    "CPEDC",
    "CPRC",
    "CRHC",
    "CUC",
]
APPRENTICE = {"CPC-A": "CPC", "COC-A": "COC", "CPC-P-A": "CPC-P"}


def text() -> str:
    return (resources.files("ceu_compliance") / "packs" / "aapc.toml").read_text("utf-8")


def edited(*replacements: tuple[str, str]) -> str:
    out = text()
    for old, new in replacements:
        assert out.count(old) == 1, f"expected exactly one {old!r} in the bundled pack"
        out = out.replace(old, new)
    return out


def refusal(toml_text: str) -> RulePackError:
    with pytest.raises(RulePackError) as info:
        parse_rule_pack(toml_text)
    assert info.value.problems, "a refusal lists its problems"
    for problem in info.value.problems:
        assert problem.path.startswith("$"), problem
        assert problem.message.strip()
    return info.value


def mentions(error: RulePackError, word: str) -> bool:
    return any(word in p.path or word in p.message for p in error.problems)


@pytest.fixture(scope="module")
def pack() -> RulePack:
    return default_rule_pack()


@pytest.fixture(scope="module")
def current(pack: RulePack) -> RuleSet:
    """The version of the bundled pack in force for periods due in 2027: RULES.md's."""
    return pack.at(dt.date(2027, 3, 31))


# ------------------------------------------------------------------ the bundled pack


def test_e_provider_list_bundled_pack_loads_by_name_and_by_path(
    pack: RulePack, tmp_path: Path
) -> None:
    """E-PROVIDER-LIST: the default pack, loaded by name or from a TOML file, is the same data."""
    assert pack.id == "aapc-2026.1"
    assert load_rule_pack("aapc-2026.1") == pack
    path = tmp_path / "copy.toml"
    path.write_text(text(), encoding="utf-8")
    assert load_rule_pack(path) == pack
    assert load_rule_pack(str(path)) == pack


@pytest.mark.parametrize("code", CORE_WITHOUT_MINIMUM)
def test_e_provider_list_core_credentials_without_a_minimum(current: RuleSet, code: str) -> None:
    """E-PROVIDER-LIST, Q-TIER: core credentials that only count toward the tier."""
    spec = current.credential(code)
    assert spec is not None and spec.code == code
    assert spec.kind == "core"
    assert spec.minimum == 0


@pytest.mark.parametrize("code", list(CORE_WITH_MINIMUM))
def test_e_provider_list_core_credentials_with_a_16_ceu_minimum(
    current: RuleSet, code: str
) -> None:
    """E-PROVIDER-LIST: Q-CIRCC, Q-CPMA, Q-CPCO, Q-CPPM, Q-CDEO minimums of 16."""
    spec = current.credential(code)
    assert spec is not None
    assert (spec.kind, spec.minimum, spec.rule) == ("core", D(16), CORE_WITH_MINIMUM[code])


@pytest.mark.parametrize("code", SPECIALTIES)
def test_e_provider_list_specialties_need_8(current: RuleSet, code: str) -> None:
    """E-PROVIDER-LIST, Q-SPECIALTY: every specialty credential has an 8-CEU minimum."""
    spec = current.credential(code)
    assert spec is not None
    assert (spec.kind, spec.minimum, spec.rule) == ("specialty", D(8), "Q-SPECIALTY")


def test_e_provider_list_catalog_is_exactly_the_rules_md_catalog(pack: RulePack) -> None:
    """E-PROVIDER-LIST: nothing more, nothing less than RULES.md's catalog."""
    codes = {spec.code for spec in pack.credentials}
    assert codes == {*CORE_WITHOUT_MINIMUM, *CORE_WITH_MINIMUM, *SPECIALTIES}


@pytest.mark.parametrize(("apprentice", "full"), list(APPRENTICE.items()))
def test_q_tier_apprentice_codes_map_to_their_credential(
    pack: RulePack, apprentice: str, full: str
) -> None:
    """Q-TIER: an apprentice credential counts as its credential."""
    spec = pack.credential(apprentice)
    assert spec is not None and spec.code == full
    assert pack.credential(apprentice.lower()) == spec


def test_q_circc_vendors_and_per_year_figure(current: RuleSet) -> None:
    """Q-CIRCC, E-PROVIDER-LIST: three contracted vendors, 8 a period-year when switched on."""
    spec = current.credential("CIRCC")
    assert spec is not None
    assert set(spec.vendors) == {
        "ZHealth Publishing",
        "MedLearn Publishing",
        "Medical Asset Management",
    }
    assert spec.per_year == 8
    rules = current
    assert rules.minimum_per_period_year is False
    for name in (
        "ZHealth Publishing, Inc.",
        "zhealth publishing",
        "MedLearn Publishing LLC",
        "Medical Asset Management Co",
    ):
        assert rules.is_provider(name, spec.vendors), name
    assert not rules.is_provider("ZHealth Consulting", spec.vendors)
    assert not rules.is_provider(None, spec.vendors)


def test_bundled_numbers_are_the_rules_md_numbers(pack: RulePack) -> None:
    """Q-TIER, P-PERIOD, P-PRORATE, E-INSTRUCTOR, E-POSTSECONDARY, E-WORKSHOP, E-WEBINAR,
    P-EXTENSION, P-REVOKE: the numbers of RULES.md."""
    r = pack.at(dt.date(2027, 3, 31))
    assert r.tier_totals == tuple(D(n) for n in (36, 40, 44, 48, 52))
    assert [r.tier_total(n) for n in (1, 2, 3, 4, 5, 9)] == [36, 40, 44, 48, 52, 52]
    assert (r.period_months, r.prorate_step) == (24, D("0.5"))
    assert r.instructor_cap == 16
    assert r.post_secondary_cap_per_year == 40
    assert r.post_secondary_year_basis == "period"
    assert [r.clock_hour_ceus, r.min_clock_hours, r.credit_hour_ceus] == [1, 80, 10]
    assert set(r.post_secondary_fields or ()) == {
        "health_care",
        "health_care_business",
        "health_care_finance",
        "health_care_management",
    }
    assert [r.workshop_attendance_ceus, r.workshop_max_ceus, r.webinar_max_ceus] == [4, 6, 2]
    assert r.extension_fee_usd == 50
    assert (r.submission_opens_months, r.revocation_days) == (1, 90)
    assert r.is_provider("AAPC", r.own_providers)
    assert r.is_provider("CMS", r.cms_providers)


def test_every_parameter_and_citation_names_a_known_rule(pack: RulePack) -> None:
    """E-PROVIDER-LIST: pack data is traceable to RULES.md rule IDs."""
    assert {p.rule for p in pack.parameters.values()} <= set(RULE_IDS)
    assert set(pack.citations) <= set(RULE_IDS)
    assert all(p.reference.strip() for p in pack.parameters.values())
    assert {s.rule for s in pack.credentials if s.rule} <= set(RULE_IDS)


def test_evaluate_accepts_a_pack_name_or_path(tmp_path: Path) -> None:
    member = {
        "member_id": "M",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2016-01-01"}],
    }
    path = tmp_path / "p.toml"
    path.write_text(text(), encoding="utf-8")
    as_of = dt.date(2026, 6, 1)
    default = evaluate(member, as_of=as_of)
    assert evaluate(member, as_of=as_of, rules="aapc-2026.1") == default
    assert evaluate(member, as_of=as_of, rules=path) == default


# ------------------------------------------------------------------ broken packs


def test_a_missing_parameter_is_named() -> None:
    start = text().index("[parameters.webinar_max_ceus]")
    end = text().index("[parameters.extension_fee_usd]")
    error = refusal(text()[:start] + text()[end:])
    assert mentions(error, "webinar_max_ceus")
    assert isinstance(error, CEUComplianceError)


def test_two_missing_parameters_are_both_named() -> None:
    t = text()
    for name, following in (
        ("webinar_max_ceus", "extension_fee_usd"),
        ("revocation_days", "minimum_per_period_year"),
    ):
        start, end = t.index(f"[parameters.{name}]"), t.index(f"[parameters.{following}]")
        t = t[:start] + t[end:]
    error = refusal(t)
    assert mentions(error, "webinar_max_ceus") and mentions(error, "revocation_days")


def test_an_unknown_parameter_is_named() -> None:
    error = refusal(
        edited(
            (
                "[parameters.webinar_max_ceus]",
                '[parameters.podcast_max_ceus]\nrule = "E-WEBINAR"\n'
                'description = "x"\nreference = "x"\n'
                'values = { "2008-01-01" = "1" }\n\n[parameters.webinar_max_ceus]',
            )
        )
    )
    # Named by the closest parameter it may be a typo of, never quoted (issue 9).
    assert mentions(error, "did you mean workshop_max_ceus?")


def test_a_toml_float_value_is_refused() -> None:
    """The pack's own rule: decimals as strings or integers, never TOML floats."""
    error = refusal(
        edited(('values = { "2008-01-01" = "0.5" }', 'values = { "2008-01-01" = 0.5 }'))
    )
    assert mentions(error, "prorate_step")


def test_a_toml_float_credential_minimum_is_refused() -> None:
    cpma = 'minimum = { "2008-01-01" = "24", "2015-08-31" = "16" }\nrule = "Q-CPMA"'
    error = refusal(edited((cpma, 'minimum = 16.0\nrule = "Q-CPMA"')))
    assert any(p.path.startswith("$.credentials") for p in error.problems)


def test_a_duplicate_credential_code_is_refused() -> None:
    error = refusal(edited(('code = "COC"\n', 'code = "CPC"\n')))
    assert mentions(error, "CPC")


def test_an_apprentice_code_listed_twice_is_refused() -> None:
    error = refusal(edited(('apprentice = ["COC-A"]', 'apprentice = ["CPC-A"]')))
    assert mentions(error, "CPC-A")


def test_bad_toml_is_refused() -> None:
    error = refusal(text() + "\n[[[oops\n")
    assert error.problems[0].path == "$"


def test_bad_parameter_values_are_all_refused_with_their_paths() -> None:
    error = refusal(
        edited(
            ('values = { "2008-01-01" = "16" }', 'values = { "2008-01-01" = "-16" }'),
            ('values = { "2008-01-01" = "period" }', 'values = { "2008-01-01" = "fortnight" }'),
        )
    )
    assert any(p.path.startswith("$.parameters.instructor_cap") for p in error.problems)
    assert any(p.path.startswith("$.parameters.post_secondary_year_basis") for p in error.problems)


def test_a_bad_credential_does_not_hide_bad_parameter_values() -> None:
    """load_rule_pack promises every problem listed: a catalog error and a parameter error."""
    error = refusal(
        edited(
            ('values = { "2008-01-01" = "16" }', 'values = { "2008-01-01" = "-16" }'),
            (
                'code = "CUC"\nname = "Certified Urology Coder"\nkind = "specialty"',
                'code = "CUC"\nname = "Certified Urology Coder"\nkind = "special"',
            ),
        )
    )
    assert any(p.path.startswith("$.credentials[") for p in error.problems)
    assert mentions(error, "instructor_cap")


def test_a_value_not_in_force_from_the_packs_first_date_is_refused() -> None:
    """A parameter that starts later than the others leaves the pack's first date undefined."""
    error = refusal(
        edited(('values = { "2008-01-01" = "50" }', 'values = { "2026-01-01" = "50" }'))
    )
    assert mentions(error, "extension_fee_usd")


def test_no_version_in_force_for_an_early_date() -> None:
    """A pack whose first version is of 2008 has no rules for 2007: one problem says so,
    naming the day and the first version's date."""
    pack = default_rule_pack()
    assert pack.at(dt.date(2008, 1, 1)).instructor_cap == 16
    with pytest.raises(RulePackError) as info:
        pack.at(dt.date(2007, 12, 31))
    (problem,) = info.value.problems
    assert problem.type == "no_version_in_force"
    assert "2007-12-31" in problem.message and "2008-01-01" in problem.message


def test_a_member_due_before_the_pack_starts_is_refused() -> None:
    pack = default_rule_pack()
    member = {
        "member_id": "M",
        "renewal_due": "2007-12-31",
        "credentials": [{"code": "CPC", "earned": "2016-01-01"}],
    }
    with pytest.raises(InvalidMemberError) as info:
        evaluate(member, as_of=dt.date(2007, 6, 1), rules=pack)
    assert [p.path for p in info.value.problems] == ["$.renewal_due"]
