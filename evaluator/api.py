"""The public API: evaluate one case (a file, a parsed document or a `Case`) under a pack.

    from evaluator import evaluate
    result = evaluate("examples/xm-initial.yaml", as_of=datetime.date(2026, 11, 23))

`evaluate` returns the result object of SPEC §4 as a dict; `run` returns the richer
`Evaluation` (typed findings, derived facts) that reports and `explain` use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base.case_model import Case
from .base.i18n import SEVERITIES
from .case.loader import build_case, load_case
from .engines import durable_available, get_engine
from .facts.derive import DecisionBasis, Derived, derive
from .facts.history import known_on
from .facts.lifecycle import item_json
from .facts.scoring import if_exclusions_rejected
from .judge import decide, recommend
from .judge.findings import Finding, build_finding, finding_json, order_key
from .packs import Pack, load_pack

DEFAULT_ENGINE = "durable"


@dataclass(frozen=True)
class Evaluation:
    case: Case
    pack: Pack
    engine: str
    derived: Derived
    findings: tuple[Finding, ...]
    result: dict[str, Any]


def choose_engine(requested: str | None) -> str:
    """The engine to use: the requested one, else durable where it imports, else python."""
    if requested:
        return requested
    return DEFAULT_ENGINE if durable_available() else "python"


def run(case: Case, pack: Pack, engine: str | None = None) -> Evaluation:
    """Evaluate a validated case."""
    name = choose_engine(engine)
    basis = None
    if case.decision is not None:
        # SPEC 7.2: the recorded decision is judged against the recommendation as of its date
        before = run(known_on(case, case.decision.date), pack, name)
        recommended = before.result["decision"]["recommended"]
        blocking = tuple(item.id for item in before.derived.items if item.status.blocking)
        basis = DecisionBasis(recommended["outcome"], recommended["grade"], blocking)
    derived = derive(case, pack, basis)
    firings = get_engine(name, pack, case.stage).run(derived.facts)
    findings = tuple(sorted((build_finding(f, case, pack) for f in firings), key=order_key))
    summary = {severity: sum(1 for f in findings if f.severity == severity) for severity in SEVERITIES}
    eligible = decide.eligible(case, pack, findings)
    certificate = decide.certificate_section(case, pack, findings)
    unjustified = frozenset(str(f.subject) for f in findings if f.rule.id == "EXCL-UNJUSTIFIED")
    sensitivity = if_exclusions_rejected(case.evaluation, pack, unjustified) if case.evaluation else None
    result = {
        "case_id": case.case_id,
        "as_of": case.as_of.isoformat(),
        "stage": case.stage,
        "pack": {"id": pack.id, "version": pack.version, "sha256": pack.sha256},
        "engine": name,
        "eligible": eligible,
        "grade": derived.score.grade if derived.score else None,
        "score": decide.score_section(derived.score, sensitivity),
        "certificate": certificate,
        "surveillance": decide.surveillance_section(derived.timeline),
        "notifications_required": decide.notifications_required(pack, derived),
        "nonconformities": [item_json(item) for item in derived.items],
        "decision": {
            "recommended": recommend.recommended(
                case, findings, derived.items, eligible, derived.score, certificate
            ),
            "recorded": recommend.recorded(case),
        },
        "findings": [finding_json(f) for f in findings],
        "summary": summary,
    }
    return Evaluation(case, pack, name, derived, findings, result)


def evaluate(
    case: str | Path | Mapping[str, Any] | Case,
    *,
    pack: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Evaluate one case and return its result (SPEC §4).

    `case` is a path to a YAML/JSON case file, a parsed case document (a dict as `json.load`
    gives it) or a validated `Case`.  Raises `CaseError` (bad case, exit status 2) or
    `PackError` (bad pack, exit status 3).
    """
    return evaluate_full(case, pack=pack, as_of=as_of, engine=engine, today=today).result


def evaluate_full(
    case: str | Path | Mapping[str, Any] | Case,
    *,
    pack: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
    today: dt.date | None = None,
) -> Evaluation:
    if isinstance(case, Case):
        loaded = (case, pack if isinstance(pack, Pack) else load_pack(pack or case.pack))
    elif isinstance(case, Mapping):
        loaded = build_case(case, "<case>", pack_ref=pack, as_of=as_of, today=today)
    else:
        path = Path(case)
        loaded = load_case(path, pack_ref=pack, as_of=as_of, today=today)
    return run(loaded[0], loaded[1], engine)
