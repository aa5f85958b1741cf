"""The public API: evaluate one case (a file, a parsed document or a `Case`) under a pack.

    from evaluator import evaluate
    result = evaluate("examples/xm-initial.yaml", as_of=datetime.date(2026, 11, 23))

`evaluate` returns the result object of SPEC §4 as a dict; `run` returns the richer
`Evaluation` (typed findings, derived facts) that reports and `explain` use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base.case_model import Case
from .base.i18n import SEVERITIES
from .case.loader import build_case, load_case
from .engines import Engine, Firing, durable_available, get_engine
from .facts.derive import DecisionBasis, Derived, Fact, derive
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
        basis = decision_basis(run(known_on(case, case.decision.date), pack, name))
    derived = derive(case, pack, basis)
    firings = get_engine(name, pack, case.stage).run(derived.facts)
    return judged(case, pack, name, derived, firings)


def run_many(cases: Sequence[tuple[Case, Pack]], engine: str | None = None) -> list[Evaluation | Exception]:
    """Evaluate validated cases together: the same evaluations as `run` on each, but the facts
    of cases that share an engine go through it at once (one durable_rules session for up to
    SESSION_CASES cases).  Each case gets its evaluation or the exception that `run` would
    have raised for it; one case's failure never touches another's result."""
    name = choose_engine(engine)
    outcomes: list[Evaluation | Exception | None] = [None] * len(cases)
    bases = _decision_bases(cases, name, outcomes)
    derived: dict[int, Derived] = {}
    groups: dict[Engine, list[int]] = {}
    for i, (case, pack) in enumerate(cases):
        if outcomes[i] is not None:
            continue
        try:
            derived[i] = derive(case, pack, bases.get(i))
            groups.setdefault(get_engine(name, pack, case.stage), []).append(i)
        except Exception as e:
            outcomes[i] = e
    for shared, members in groups.items():
        for start in range(0, len(members), SESSION_CASES):
            session = members[start : start + SESSION_CASES]
            fired = _fire_together(shared, [derived[i].facts for i in session])
            for i, firings in zip(session, fired, strict=True):
                case, pack = cases[i]
                try:
                    outcomes[i] = (
                        firings
                        if isinstance(firings, Exception)
                        else judged(case, pack, name, derived[i], firings)
                    )
                except Exception as e:
                    outcomes[i] = e
    return [outcome if outcome is not None else RuntimeError("not evaluated") for outcome in outcomes]


SESSION_CASES = 1000  # cases per shared engine session at most


def _decision_bases(
    cases: Sequence[tuple[Case, Pack]], name: str, outcomes: list[Evaluation | Exception | None]
) -> dict[int, DecisionBasis]:
    """Each decided case's recommendation as of its decision date, those cases evaluated
    together too; a case whose earlier evaluation fails takes that failure as its outcome."""
    earlier: list[tuple[int, tuple[Case, Pack]]] = []
    for i, (case, pack) in enumerate(cases):
        if case.decision is not None:
            try:
                earlier.append((i, (known_on(case, case.decision.date), pack)))
            except Exception as e:
                outcomes[i] = e
    bases: dict[int, DecisionBasis] = {}
    if earlier:
        for (i, _), before in zip(earlier, run_many([c for _, c in earlier], name), strict=True):
            if isinstance(before, Exception):
                outcomes[i] = before
            else:
                bases[i] = decision_basis(before)
    return bases


def _fire_together(engine: Engine, facts: list[list[Fact]]) -> Sequence[list[Firing] | Exception]:
    """The firings of each case's facts in one go; if that fails, case by case, so that only
    the case that made it fail carries the error."""
    try:
        return engine.run_many(facts)
    except Exception:
        pass
    alone: list[list[Firing] | Exception] = []
    for one in facts:
        try:
            alone.append(engine.run(one))
        except Exception as e:
            alone.append(e)
    return alone


def decision_basis(before: Evaluation) -> DecisionBasis:
    """What a recorded decision is compared with: the recommendation of `before`, the case
    evaluated as of the decision's date (SPEC 7.2)."""
    recommended = before.result["decision"]["recommended"]
    blocking = tuple(item.id for item in before.derived.items if item.status.blocking)
    return DecisionBasis(recommended["outcome"], recommended["grade"], blocking)


def judged(case: Case, pack: Pack, name: str, derived: Derived, firings: Sequence[Firing]) -> Evaluation:
    """Findings and decisions from a case's firings: the evaluation and its §4 result."""
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
