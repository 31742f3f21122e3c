"""report.explain(): requirements and their records, CEUs that did not count, citations.

Also the rule pack's citations (verbatim from the source page, or marked as the
project's reading) and the rejection messages (every code names the record and
says what the member can do).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ceu_compliance import (
    CEURecord,
    ComplianceReport,
    Explanation,
    RejectionCode,
    RulePack,
    RulePackError,
    default_rule_pack,
    evaluate,
    parse_rule_pack,
)
from ceu_compliance._messages import REMEDIES, RULE_OF, rejection_message
from ceu_compliance._pack import NOT_QUOTED
from conftest import RULE_IDS, TESTS_DIR

PAGE = Path(__file__).parent / "data" / "aapc_ceu_page.txt"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared/seeds/000_89544244eadc184a.txt"
PACK = default_rule_pack()
# The version of the pack in force for RULES.md's periods: its citations are the page's.
CURRENT = PACK.at(dt.date(2027, 3, 31))

# Rules the source page does not state: their citations must not pretend to quote it.
NOT_ON_PAGE = {"P-REVOKE", "P-AUDIT", "Q-CDEO", "E-DUPLICATE", "E-CMS", "PL-MIN", "H-SPLIT"}


def _normalise(text: str) -> str:
    return " ".join(text.replace("®", "").replace("™", "").split())


def _quoted_passages(citation: str) -> list[str]:
    """The parts of a citation that claim to be verbatim source text."""
    if citation.startswith(NOT_QUOTED):
        return re.findall(r'"([^"]+)"', citation)
    return citation.split(" … ")


def _on_page(passage: str) -> bool:
    return _normalise(passage) in _normalise(PAGE.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ citations


def test_every_rule_has_a_citation() -> None:
    assert set(PACK.citations) == set(RULE_IDS)


@pytest.mark.parametrize("name", sorted(PACK.parameters))
def test_parameter_references_are_verbatim_or_marked_as_a_reading(name: str) -> None:
    reference = PACK.parameters[name].reference
    if reference.startswith(NOT_QUOTED):
        return
    for passage in reference.split(" ... "):
        assert _on_page(passage), f"{name}: not verbatim on the source page: {passage!r}"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_citation_is_verbatim_or_marked_as_a_reading(rule: str) -> None:
    citation = CURRENT.citations[rule]
    assert citation.startswith(NOT_QUOTED) == (rule in NOT_ON_PAGE)
    if rule in NOT_ON_PAGE:
        assert citation.startswith(f"{NOT_QUOTED}; project ") and f"({rule}): " in citation
    for passage in _quoted_passages(citation):
        assert _on_page(passage), f"{rule}: not verbatim on the source page: {passage!r}"


@pytest.mark.parametrize(
    "invented",
    [
        "If CPMA, 16 must be related to auditing.",
        "CEUs are earned once per course, class, workshop or other learning experience.",
        "If CDEO, 16 must be related to documentation",
    ],
)
def test_the_verbatim_check_catches_paraphrases(invented: str) -> None:
    assert not _on_page(invented)


def test_page_copy_matches_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("the shared spec checkout is not available")
    assert PAGE.read_bytes() == SHARED_SEED.read_bytes()


# ------------------------------------------------------------------- messages

RECORD = CEURecord.model_validate(
    {
        "id": "rec-7",
        "date": "2026-02-03",
        "activity": "course",
        "ceus": 3,
        "title": "Coding Update",
        "provider": "Acme",
    }
)


@pytest.mark.parametrize("code", list(RejectionCode))
def test_every_code_has_a_message_that_names_the_record_and_a_remedy(
    code: RejectionCode,
) -> None:
    message = rejection_message(code, RECORD, Decimal(3), "some detail", body="AAPC")
    assert re.search(r"\b[Rr]ecord rec-7 \(Coding Update\)", message)
    assert message.endswith(" " + REMEDIES[code].format(body="AAPC"))
    assert "{" not in message and "}" not in message
    assert code in RULE_OF


def test_docs_explain_md_lists_every_remedy() -> None:
    page = (Path(__file__).parent.parent / "docs" / "explain.md").read_text(encoding="utf-8")
    for code, remedy in REMEDIES.items():
        assert f"| `{code.value}` | {remedy.format(body='AAPC')} |" in page


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        ("compliant", "is compliant"),
        ("in_progress", "is not compliant yet"),
        ("noncompliant", "is not compliant"),
        ("extension", "is in an extension"),
    ],
)
def test_the_heading_says_where_the_member_stands_in_words(status: str, heading: str) -> None:
    explanation = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20)).explain()
    text = explanation.model_copy(update={"status": status, "member_id": "M"}).to_text()
    assert text.startswith(f"Why member M {heading}\n")


def test_remedies_are_distinct_sentences() -> None:
    assert set(REMEDIES) == set(RejectionCode)
    assert len(set(REMEDIES.values())) == len(REMEDIES)
    assert all(r[0].isupper() and r.endswith(".") for r in REMEDIES.values())


def test_a_record_without_title_or_provider_is_named_by_id() -> None:
    bare = RECORD.model_copy(update={"title": None, "provider": None})
    message = rejection_message(RejectionCode.NOT_APPROVED, bare, Decimal(3), body="AAPC")
    assert message.startswith("Record rec-7 is not a pre-approved program")


def test_one_ceu_is_singular() -> None:
    message = rejection_message(
        RejectionCode.ACTIVITY_CAP, RECORD, Decimal(1), "webinar (2)", body="AAPC"
    )
    assert "claims 1 CEU more than one webinar (2) can earn" in message


# ------------------------------------------------- a member with every code

AS_OF = dt.date(2027, 5, 15)


def _record(rid: str, date: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": rid, "date": date, "activity": "course", "provider": "AAPC"}
    return base | fields


EVERYTHING: dict[str, Any] = {
    "member_id": "M-ALL",
    "renewal_due": "2027-03-31",
    "extension_until": "2027-05-31",
    "credentials": [{"code": "CPC", "earned": "2016-05-14"}],
    "records": [
        _record("ok", "2025-05-01", ceus=20, index_number="I-1"),
        _record("dup", "2025-06-01", ceus=2, index_number=" i-1 "),
        _record("future", "2027-05-20", ceus=1, index_number="I-2"),
        _record("old", "2024-06-01", ceus=1, index_number="I-3"),
        _record("late", "2027-04-10", ceus=1, index_number="I-4", provider="Acme"),
        _record("prev", "2025-03-15", ceus=1, index_number="I-5", applied_to_previous_period=True),
        _record("unapproved", "2025-07-01", ceus=1, provider="Acme"),
        _record("web0", "2025-08-01", ceus=1, activity="webinar", index_number="I-6"),
        _record(
            "web3", "2025-08-02", ceus=3, activity="webinar", index_number="I-7", quiz_passed=True
        ),
        *(
            _record(
                f"teach{n}",
                date,
                ceus=10,
                activity="instructor",
                provider="State College",
                approved=True,
                teaches="CPC",
            )
            for n, date in ((1, "2025-09-01"), (2, "2025-10-01"))
        ),
        *(
            _record(rid, date, activity="post_secondary", approved=True, **hours)
            for rid, date, hours in (
                ("ps-cap", "2025-11-01", {"credit_hours": 5, "field": "health_care"}),
                ("ps-hours", "2025-12-01", {"clock_hours": 50, "field": "health_care"}),
                ("ps-field", "2026-01-01", {"credit_hours": 1, "field": "fine_art"}),
            )
        ),
    ],
}
BEFORE_CERT: dict[str, Any] = {
    "member_id": "M-NEW",
    "renewal_due": "2027-03-31",
    "credentials": [{"code": "CPC", "earned": "2025-04-01"}],
    "records": [_record("early", "2025-03-10", ceus=2, index_number="I-9")],
}


@pytest.fixture(scope="module")
def reports() -> list[ComplianceReport]:
    return [evaluate(EVERYTHING, as_of=AS_OF), evaluate(BEFORE_CERT, as_of=AS_OF)]


def test_the_members_trigger_every_rejection_code(reports: list[ComplianceReport]) -> None:
    seen = {j.code for r in reports for o in r.records for j in o.rejections}
    assert seen == set(RejectionCode)


def test_every_engine_message_names_its_record_and_ends_with_the_remedy(
    reports: list[ComplianceReport],
) -> None:
    for report in reports:
        for outcome in report.records:
            for rejection in outcome.rejections:
                assert f"ecord {outcome.id} (" in rejection.message
                assert rejection.message.endswith(
                    " " + REMEDIES[rejection.code].format(body="AAPC")
                )


def test_every_uncounted_part_is_explained_with_its_citation(
    reports: list[ComplianceReport],
) -> None:
    for report in reports:
        explanation = report.explain()
        parts = [(p.record, p.code, p.ceus) for p in explanation.not_counted]
        expected = [(o.id, j.code, j.ceus) for o in report.records for j in o.rejections]
        assert parts == expected
        for part in explanation.not_counted:
            assert part.citation == CURRENT.citations[part.rule]
            assert part.record in part.reason


# ------------------------------------------------------------- explanations


def _example_members() -> list[Path]:
    return sorted((TESTS_DIR.parent / "examples" / "members").glob("*.json"))


@pytest.mark.parametrize("path", _example_members(), ids=lambda p: p.stem)
@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 26), dt.date(2027, 4, 20)])
def test_explanation_accounts_for_every_ceu(path: Path, as_of: dt.date) -> None:
    report = evaluate(json.loads(path.read_text(encoding="utf-8")), as_of=as_of)
    explanation = report.explain()
    for requirement, explained in zip(report.requirements, explanation.requirements, strict=True):
        assert explained.id == requirement.id
        assert sum(c.ceus for c in explained.filled_by) == requirement.counted
        assert all(c.ceus > 0 for c in explained.filled_by)
        assert explained.citation == CURRENT.citations[requirement.rule]
    not_counted = sum(p.ceus for p in explanation.not_counted)
    assert report.counted_total + not_counted == sum(o.claimed for o in report.records)


ROLLOVER: dict[str, Any] = {
    "member_id": "M-ROLL",
    "renewal_due": "2027-03-31",
    "credentials": [{"code": "CPC", "earned": "2016-05-14"}],
    "records": [
        _record("a1", "2025-06-10", ceus=30, index_number="X1"),
        _record("a2", "2027-03-10", ceus=10, index_number="X2"),
    ],
}


def test_rollover_is_explained_as_not_counted_here() -> None:
    report = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20))
    explanation = report.explain()
    (part,) = explanation.not_counted
    assert (part.record, part.code, part.rule, part.ceus) == (
        "a2",
        "rollover",
        "P-RENEWAL-MONTH",
        Decimal(4),
    )
    assert "next period" in part.reason
    assert part.citation == CURRENT.citations["P-RENEWAL-MONTH"]
    (total,) = explanation.requirements
    assert [(c.record, c.ceus) for c in total.filled_by] == [
        ("a1", Decimal(30)),
        ("a2", Decimal(6)),
    ]


def test_minimums_list_the_records_applied_to_them() -> None:
    member = {
        "member_id": "M-2",
        "renewal_due": "2027-03-31",
        "credentials": [
            {"code": "CPC", "earned": "2016-05-14"},
            {"code": "CPMA", "earned": "2021-02-01"},
        ],
        "records": [
            _record("r1", "2025-06-10", ceus=10, index_number="C1", approved_for=["CPMA"]),
            _record("r2", "2025-07-10", ceus=4, index_number="C2", approved_for=["CPMA"]),
            _record("r3", "2025-08-10", ceus=20, index_number="C3"),
        ],
    }
    explanation = evaluate(member, as_of=dt.date(2026, 11, 26)).explain()
    total, cpma = explanation.requirements
    assert [(c.record, c.ceus) for c in cpma.filled_by] == [("r1", Decimal(10)), ("r2", Decimal(4))]
    assert [c.record for c in total.filled_by] == ["r1", "r2", "r3"]
    assert (cpma.rule, cpma.shortfall, cpma.met) == ("Q-CPMA", Decimal(2), False)
    assert cpma.citation == "If CPMA®, 16 must be related to auditing"


def test_explanation_is_immutable_and_round_trips_through_json() -> None:
    explanation = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20)).explain()
    with pytest.raises(ValidationError):
        explanation.member_id = "other"
    data = json.loads(explanation.model_dump_json())
    assert data["not_counted"][0]["code"] == "rollover"
    assert data["not_counted"][0]["ceus"] == "4"
    assert Explanation.model_validate_json(explanation.model_dump_json()) == explanation


def test_text_form() -> None:
    report = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20))
    text = str(report.explain())
    assert text == report.explain().to_text()
    assert text.startswith("Why member M-ROLL is compliant\n")
    assert "- total [Q-TIER]: 36 of 36 CEUs counted, met.\n" in text
    assert "    Filled by a1 (30), a2 (6).\n" in text
    assert "- a2: 4 CEUs, rollover [P-RENEWAL-MONTH]\n" in text
    assert '    Citation: "CEUs earned within your renewal month can apply' in text
    assert all(len(line) <= 88 for line in text.splitlines())


def test_text_marks_readings_as_not_quotes(reports: list[ComplianceReport]) -> None:
    text = reports[0].explain().to_text()
    assert "Citation: Not on the source page; project reading (E-DUPLICATE)" in text
    assert 'Citation: "Not on' not in text


# ------------------------------------------------------------------ packs

ACME_CITATION = "Acme members earn credit only for programs Acme approved."


@pytest.fixture(scope="module")
def acme_pack() -> RulePack:
    """The bundled pack under another id, with its own citation for E-APPROVED."""
    text = resources.files("ceu_compliance").joinpath("packs", "aapc.toml").read_text()
    text = text.replace('id = "aapc-2026.1"', 'id = "acme-1"', 1)
    return parse_rule_pack(
        re.sub(r'(?m)^"E-APPROVED" = .*$', f'"E-APPROVED" = "{ACME_CITATION}"', text)
    )


@pytest.fixture(scope="module")
def acme_report(acme_pack: RulePack) -> ComplianceReport:
    member = {
        "member_id": "M-ACME",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2016-05-14"}],
        "records": [_record("x", "2025-06-10", ceus=2, provider="Acme")],
    }
    report = evaluate(member, as_of=dt.date(2026, 1, 1), rules=acme_pack)
    assert report.rules == "acme-1"
    return report


def test_a_different_pack_cites_its_own_source(
    acme_pack: RulePack, acme_report: ComplianceReport
) -> None:
    (part,) = acme_report.explain(rules=acme_pack).not_counted
    assert (part.rule, part.citation) == ("E-APPROVED", ACME_CITATION)


def test_an_unbundled_pack_must_be_given(acme_report: ComplianceReport) -> None:
    with pytest.raises(RulePackError) as caught:
        acme_report.explain()
    assert caught.value.problems[0].type == "unknown_pack"


def test_the_pack_must_be_the_one_that_made_the_report(acme_report: ComplianceReport) -> None:
    with pytest.raises(RulePackError) as caught:
        acme_report.explain(rules=default_rule_pack())
    assert caught.value.problems[0].type == "pack_mismatch"


@pytest.mark.parametrize("rules_id", ["../../etc/passwd", "x/../aapc-2026.1", ""])
def test_a_report_cannot_name_a_file_as_its_pack(rules_id: str) -> None:
    report = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20)).model_copy(update={"rules": rules_id})
    with pytest.raises(RulePackError):
        report.explain()


def test_a_bundled_pack_can_be_named() -> None:
    report = evaluate(ROLLOVER, as_of=dt.date(2027, 3, 20))
    assert report.explain(rules="aapc-2026.1") == report.explain()


# ------------------------------------------------- not_applied: why CIRCC stays short


@pytest.fixture(scope="module")
def circc_report() -> ComplianceReport:
    """Bundled example 03: two CIRCC-approved courses from vendors AAPC did not contract."""
    (path,) = [p for p in _example_members() if p.name.startswith("03_")]
    return evaluate(json.loads(path.read_text(encoding="utf-8")), as_of=dt.date(2027, 4, 15))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_explanation_says_why_circc_is_short_and_which_vendors_count(
    circc_report: ComplianceReport,
) -> None:
    explanation = circc_report.explain()
    assert [(n.record, n.requirement, n.code) for n in explanation.not_applied] == [
        ("r3", "CIRCC", "vendor_not_contracted"),
        ("r4", "CIRCC", "vendor_not_contracted"),
    ]
    for part in explanation.not_applied:
        assert (part.rule, part.citation) == ("Q-CIRCC", CURRENT.citations["Q-CIRCC"])
    text = _words(explanation.to_text())
    assert "- CIRCC [Q-CIRCC]: 14 of 16 CEUs counted, 2 short." in text
    assert (
        "Approved for CIRCC but cannot serve it: r3 (vendor_not_contracted), "
        "r4 (vendor_not_contracted)."
    ) in text
    assert "Approvals that do not apply:" in text
    assert (
        'its provider, "Radiology Coding Partners LLC", is not one of the vendors AAPC '
        "contracted for CIRCC CEUs: ZHealth Publishing, MedLearn Publishing and Medical Asset "
        "Management."
    ) in text
    assert text.count('Citation: "If CIRCC') == 3  # the requirement, then r3 and r4


@pytest.mark.parametrize("form", ["to_text", "to_markdown", "to_html", "_repr_html_"])
def test_every_rendering_of_a_report_shows_what_did_not_apply(
    circc_report: ComplianceReport, form: str
) -> None:
    rendered = _words(getattr(circc_report, form)())
    for outcome in circc_report.records:
        for refused in outcome.not_applied:
            assert _words(refused.message) in rendered.replace("&quot;", '"')
            assert "vendor_not_contracted" in rendered
    assert "Approvals that do not apply" in rendered


def test_the_records_table_names_the_minimums_not_applied(circc_report: ComplianceReport) -> None:
    page = circc_report.to_html()
    assert '<th scope="col">Not applied to</th>' in page
    assert "<td>CIRCC (vendor_not_contracted)</td>" in page


def test_explanation_json_lists_not_applied(circc_report: ComplianceReport) -> None:
    data = json.loads(circc_report.explain().to_json())
    assert data["not_applied"][0] | {"message": "", "citation": ""} == {
        "requirement": "CIRCC",
        "code": "vendor_not_contracted",
        "rule": "Q-CIRCC",
        "message": "",
        "record": "r3",
        "citation": "",
    }
