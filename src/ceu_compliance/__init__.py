"""ceu-compliance: AAPC CEU requirements as an exact, explainable rules engine.

>>> from ceu_compliance import evaluate
>>> report = evaluate(member_json, as_of=datetime.date(2026, 11, 26))  # doctest: +SKIP
>>> report.compliant, report.status  # doctest: +SKIP
"""

from ._batch import BatchError, evaluate_many, plan_many
from ._codes import NotAppliedCode, RejectionCode, Status
from ._engine import evaluate
from ._errors import (
    CEUComplianceError,
    InvalidMemberError,
    Problem,
    ProblemsError,
    RulePackError,
)
from ._frame import evaluate_frame, to_frame
from ._history import evaluate_history
from ._limits import Limits
from ._models import (
    Activity,
    Application,
    CEURecord,
    ComplianceReport,
    Contribution,
    Deadlines,
    Explanation,
    ExtensionOffer,
    HeldCredential,
    History,
    InputWarning,
    Member,
    Need,
    NotApplied,
    NotAppliedExplanation,
    NotCounted,
    Period,
    Plan,
    RecordOutcome,
    Rejection,
    Requirement,
    RequirementExplanation,
    Shareable,
    SplitDecision,
    YearCount,
)
from ._pack import (
    CredentialSpec,
    ParameterUse,
    RulePack,
    RuleSet,
    bundled_packs,
    default_rule_pack,
    load_rule_pack,
    parse_rule_pack,
)
from ._pack_dump import dump_rule_pack
from ._plan import plan
from ._roster import RosterError
from ._schema import json_schema
from ._validation import parse_member

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Application",
    "BatchError",
    "CEUComplianceError",
    "CEURecord",
    "ComplianceReport",
    "Contribution",
    "CredentialSpec",
    "Deadlines",
    "Explanation",
    "ExtensionOffer",
    "HeldCredential",
    "History",
    "InputWarning",
    "InvalidMemberError",
    "Limits",
    "Member",
    "Need",
    "NotApplied",
    "NotAppliedCode",
    "NotAppliedExplanation",
    "NotCounted",
    "ParameterUse",
    "Period",
    "Plan",
    "Problem",
    "ProblemsError",
    "RecordOutcome",
    "Rejection",
    "RejectionCode",
    "Requirement",
    "RequirementExplanation",
    "RosterError",
    "RulePack",
    "RulePackError",
    "RuleSet",
    "Shareable",
    "SplitDecision",
    "Status",
    "YearCount",
    "bundled_packs",
    "default_rule_pack",
    "dump_rule_pack",
    "evaluate",
    "evaluate_frame",
    "evaluate_history",
    "evaluate_many",
    "json_schema",
    "load_rule_pack",
    "parse_member",
    "parse_rule_pack",
    "plan",
    "plan_many",
    "to_frame",
]
