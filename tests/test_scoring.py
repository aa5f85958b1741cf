"""Exact scoring: truncation, thresholds, clamping (SPEC 1.4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from evaluator import load_pack
from evaluator.base.case_model import Evaluation, IndicatorScore, SpecialBonus, SpecialDeduction
from evaluator.facts.scoring import json_number, score, truncate2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(77, 91) * 100, "84.61"),
        (Fraction(94996, 1000), "94.99"),
        (Fraction(9499999, 100000), "94.99"),
        (Fraction(95), "95.00"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.66"),
        (Fraction(0), "0.00"),
    ],
)
def test_truncate_never_rounds_up(value, expected):
    assert truncate2(value) == Decimal(expected)


def test_json_numbers():
    assert json_number(Decimal("85.00")) == 85 and isinstance(json_number(Decimal("85.00")), int)
    assert json_number(Decimal("84.61")) == 84.61


def sheet(points: dict[str, tuple[float, float]] | None = None):
    pack = load_pack()
    scores = {}
    for key in pack.indicators:
        scores[key] = IndicatorScore(Fraction(0), Fraction(0))
    base = {"organization": 40, "product_information": 35, "customer_relations": 25}
    for key, available in base.items():
        scores[key] = IndicatorScore(Fraction(available), Fraction(available))
    for key, (awarded, available) in (points or {}).items():
        scores[key] = IndicatorScore(Fraction(str(awarded)), Fraction(str(available)))
    return pack, scores


def evaluation(scores, deductions=0, bonus=False):
    return Evaluation(
        date=dt.date(2026, 1, 1),
        type="initial",
        scores=scores,
        special_deductions=tuple(SpecialDeduction(f"d{i}") for i in range(deductions)),
        special_bonus=SpecialBonus("b") if bonus else None,
    )


def test_final_is_clamped_to_the_scale_and_to_zero():
    pack, scores = sheet()
    assert score(evaluation(scores, bonus=True), pack).final == 100
    pack, scores = sheet(
        {"organization": (0, 40), "product_information": (0, 35), "customer_relations": (0.5, 25)}
    )
    outcome = score(evaluation(scores, deductions=3), pack)
    assert outcome.final == 0 and outcome.base == Fraction(1, 2)


def test_grade_on_the_exact_value():
    # 94.999... (not 95) must not be five_star even though a float might print 95.0
    pack, scores = sheet({"customer_relations": (Fraction(24999999999, 1000000000), 25)})
    scores["customer_relations"] = IndicatorScore(Fraction(24999999999, 1000000000) - 5, Fraction(25))
    outcome = score(evaluation(scores), pack)
    assert outcome.final < 95 and outcome.grade == "four_star"
    assert float(outcome.final) > 94.9999999
