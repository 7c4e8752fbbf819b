"""What a comparison finds: differences, per-request outcomes and the report.

These are the only types the reporters (terminal, JSON, JUnit, HTML) and the shadow mode's
`/compare` page read; `Report.as_dict()` is the JSON report's schema.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

# Difference kinds
VALUE = "value"      # both sides have the field, with different values
MISSING = "missing"  # the primary has it, the candidate does not
EXTRA = "extra"      # the candidate has it, the primary does not
ORDER = "order"      # the same repeated elements, in another order
ELEMENT = "element"  # a different answer element (a Fault against a CallQueryResult)

# Outcome statuses, worst last
SAME, EXPECTED, SKIPPED, DIFFERENT, ERROR = "same", "expected", "skipped", "different", "error"


@dataclass(frozen=True)
class Explanation:
    """Why a difference is expected: a mapping row (with its id on the /mappings page) or a compare rule."""

    source: str  # e.g. "mappings/entities.yaml" or "mappings/compare.yaml"
    row: str  # e.g. "Call.FromNumber", "CallResult SD", "ServiceFaultInfo/Message"
    note: str
    entry_id: str | None = None  # the catalog entry (anchor on /mappings), when the row is a mapping row


@dataclass
class Difference:
    path: str  # e.g. "CallQueryResult/Call[@id=9652]/State"
    kind: str
    primary: str | None  # the value as the primary wrote it; None: absent
    candidate: str | None
    explanation: Explanation | None = None
    noise: bool = False  # the primary itself answered differently twice (--noise)
    related: tuple[str, ...] = ()  # ids of mapping rows for this field, when none explains it

    @property
    def unexplained(self) -> bool:
        return self.explanation is None and not self.noise


@dataclass
class Answer:
    """One target's answer to one request."""

    status: int | None = None  # HTTP status; None: no answer (connection error)
    body: str = ""
    elapsed_ms: float = 0.0
    error: str | None = None  # why there is no usable answer


@dataclass
class Outcome:
    name: str  # the scenario request's name
    operation: str
    request: str = ""  # the envelope sent (to the primary)
    primary: Answer | None = None
    candidate: Answer | None = None
    differences: list[Difference] = field(default_factory=list)
    skipped: str | None = None  # why it was not sent (a write without --allow-writes)
    error: str | None = None  # why it could not be compared
    v2_view: list[dict[str, Any]] = field(default_factory=list)  # the v1.1 <-> v2 rows (--v2)

    @property
    def status(self) -> str:
        if self.error:
            return ERROR
        if self.skipped:
            return SKIPPED
        if any(d.unexplained for d in self.differences) or any(r.get("agrees") is False for r in self.v2_view):
            return DIFFERENT
        return EXPECTED if self.differences else SAME


@dataclass
class Report:
    primary: str
    candidate: str
    soap: str
    started: str  # ISO instant
    outcomes: list[Outcome] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    noise: bool = False

    def by_operation(self) -> dict[str, Counter]:
        """Per operation, how many requests ended in each status (the summary table, pass rates)."""
        table: dict[str, Counter] = {}
        for outcome in self.outcomes:
            table.setdefault(outcome.operation, Counter())[outcome.status] += 1
        return table

    def totals(self) -> Counter:
        return Counter(outcome.status for outcome in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0: no unexplained difference; 1: differences (or requests that could not be compared)."""
        return 1 if any(o.status in (DIFFERENT, ERROR) for o in self.outcomes) else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "primary": self.primary, "candidate": self.candidate, "soap": self.soap, "started": self.started,
            "ignore": self.ignore, "noise": self.noise, "exit_code": self.exit_code,
            "totals": dict(self.totals()),
            "operations": {name: dict(counts) for name, counts in self.by_operation().items()},
            "outcomes": [{**asdict(o), "status": o.status,
                          "differences": [{**asdict(d), "unexplained": d.unexplained} for d in o.differences]}
                         for o in self.outcomes],
        }
