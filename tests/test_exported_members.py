"""The public surface is exactly what is documented (httpx's test of the same name)."""

import ceu_compliance

DOCUMENTED = {
    "BatchError",
    "RosterError",
    "evaluate_frame",
    "evaluate_many",
    "plan_many",
    "to_frame",
    "History",
    "SplitDecision",
    "evaluate_history",
    "Need",
    "Plan",
    "Shareable",
    "plan",
    "Contribution",
    "Explanation",
    "ParameterUse",
    "NotCounted",
    "NotApplied",
    "NotAppliedCode",
    "NotAppliedExplanation",
    "RequirementExplanation",
    "Activity",
    "Application",
    "CEURecord",
    "CEUComplianceError",
    "ComplianceReport",
    "CredentialSpec",
    "Deadlines",
    "ExtensionOffer",
    "HeldCredential",
    "InputWarning",
    "InvalidMemberError",
    "Limits",
    "Member",
    "Period",
    "Problem",
    "ProblemsError",
    "RecordOutcome",
    "Rejection",
    "RejectionCode",
    "Requirement",
    "RulePack",
    "RulePackError",
    "RuleSet",
    "Status",
    "YearCount",
    "bundled_packs",
    "default_rule_pack",
    "dump_rule_pack",
    "evaluate",
    "json_schema",
    "load_rule_pack",
    "parse_member",
    "parse_rule_pack",
}


def test_all_is_exactly_the_documented_surface() -> None:
    assert set(ceu_compliance.__all__) == DOCUMENTED


def test_all_is_sorted_and_importable() -> None:
    assert ceu_compliance.__all__ == sorted(ceu_compliance.__all__)
    for name in ceu_compliance.__all__:
        assert getattr(ceu_compliance, name) is not None


def test_public_objects_live_in_private_modules() -> None:
    for name in ceu_compliance.__all__:
        module = getattr(getattr(ceu_compliance, name), "__module__", "ceu_compliance._")
        assert module.startswith("ceu_compliance._"), name
