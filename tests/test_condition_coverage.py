"""Condition coverage of fixtures (`rules test --coverage`): which comparisons decide a rule."""

from __future__ import annotations

from helpers import run_cli

from evaluator import load_pack
from evaluator.maintain.condition_coverage import _held_with_flip, measure, percent_covered
from evaluator.maintain.explain import Step
from evaluator.maintain.fixtures import load_fixtures, run_case
from evaluator.packs.ir import Compare


def leaf(held: bool) -> Step:
    return Step("x", held, leaf=Compare.__new__(Compare))


def test_a_comparison_decides_only_when_flipping_it_alone_flips_the_rule():
    # all(a, b) with a true and b false: b decides, a does not
    root = Step("all", False, [leaf(True), leaf(False)], conjunctive=True)
    assert _held_with_flip(root, (1,)) is True
    assert _held_with_flip(root, (0,)) is False
    # any(a, all(b, c)) with a false, b and c true: the rule holds; a cannot decide it, b and c can
    inner = Step("all", True, [leaf(True), leaf(True)], conjunctive=True)
    root = Step("any", True, [leaf(False), inner], conjunctive=False)
    assert _held_with_flip(root, (0,)) is True
    assert _held_with_flip(root, (1, 0)) is False and _held_with_flip(root, (1, 1)) is False


def _surv_failed_certified(cases):
    pack = load_pack()
    evaluations = [run_case(case, pack, ("python",)).evaluation for case in cases]
    coverage = {r.rule: r for r in measure(pack, evaluations)}["SURV-FAILED"]
    (entry,) = [c for c in coverage.comparisons.values() if c.text == "certificate.certified = true"]
    return entry


def test_a_fixture_where_only_the_guard_is_false_covers_it():
    cases = [c for c in load_fixtures(load_pack()) if c.rule == "SURV-FAILED"]
    withdrawn = [c for c in cases if "withdrawn" in c.name]
    assert withdrawn, "the pack's SURV-FAILED fixtures should include a withdrawn certificate"
    without = _surv_failed_certified([c for c in cases if c not in withdrawn])
    assert without.decided_true and not without.decided_false and not without.covered
    assert _surv_failed_certified(cases).covered


def test_rules_no_fixture_reaches_still_count_as_uncovered():
    pack = load_pack()
    rules = measure(pack, [])
    assert {r.rule for r in rules} == {r.id for r in pack.rules}
    assert all(r.covered == 0 for r in rules) and percent_covered(rules) == 0
    # AUDIT-NC and SCORE-SPECIAL-DEDUCTION gained a condition (silent once closed, SPEC 6.3)
    assert all(r.comparisons for r in rules)


def test_rules_test_reports_coverage_and_enforces_a_minimum():
    quick = ("rules", "test", "--pack", "gbt27922-2011", "--engine", "python")
    result = run_cli(*quick, "--coverage")
    assert result.returncode == 0, result.stdout
    assert "gbt27922-2011: condition coverage " in result.stdout
    assert "SURV-OVERDUE: certificate.certified = true: never decided the rule while false" in result.stdout
    too_high = run_cli(
        "rules", "test", "--pack", "gbt27922-2011", "--engine", "python", "--min-coverage", "100"
    )
    assert too_high.returncode == 1 and "below the minimum 100 %" in too_high.stdout
    met = run_cli(*quick, "--min-coverage", "50")
    assert met.returncode == 0
