"""The service's limits and rule pack, from environment variables with safe defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ceu_compliance import RulePack, default_rule_pack, load_rule_pack

MIB = 1024 * 1024
PREFIX = "CEU_SERVICE_"


@dataclass(frozen=True)
class Settings:
    """What the service allows; every field is ``CEU_SERVICE_<NAME>`` in the environment.

    ``rules`` is a bundled pack name or a TOML path, chosen by whoever runs the
    service: clients never name a pack (a name from a request would be a path
    into the server's disk).
    """

    max_body_bytes: int = MIB
    """Largest body of /v1/evaluate, /v1/plan and /v1/history, and longest line of a batch."""
    max_batch_bytes: int = 256 * MIB
    """Largest /v1/batch body."""
    max_concurrency: int = 4
    """Evaluations of single members running at once; more requests wait their turn."""
    max_batches: int = 2
    """Batches running at once; more wait their turn."""
    max_periods: int = 10
    """Largest ``periods`` of /v1/history."""
    spool_memory_bytes: int = 8 * MIB
    """Batch output held in memory before it spills to a temporary file."""
    rules: str | None = None
    """Rule pack: a bundled pack name or a TOML path; the library's default when unset."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type == "int" and (isinstance(value, bool) or value < 1):
                raise ValueError(f"{PREFIX}{field.name.upper()} must be at least 1, got {value}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Settings from ``CEU_SERVICE_*`` variables; unset ones keep their defaults.

        Raises:
            ValueError: a variable is not a whole number where one is needed.
        """
        given: dict[str, Any] = {}
        for field in fields(cls):
            name = f"{PREFIX}{field.name.upper()}"
            raw = environ.get(name)
            if raw is None:
                continue
            if field.type == "int":
                try:
                    given[field.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
            else:
                given[field.name] = raw
        return cls(**given)

    def rule_pack(self) -> RulePack:
        """The pack to evaluate with, loaded once when the app is made.

        Raises:
            RulePackError: the configured pack does not load.
        """
        return default_rule_pack() if self.rules is None else load_rule_pack(self.rules)
