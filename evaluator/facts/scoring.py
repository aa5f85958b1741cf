"""Score sheet arithmetic and the grade, exactly (SPEC 1.4).

Everything is a Fraction until it is printed: the grade is decided on the exact final score,
and the printed score is truncated (never rounded up), so 94.996 prints 94.99 beside four_star.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from ..base.case_model import Evaluation, IndicatorScore
from ..packs.model import Pack


@dataclass(frozen=True)
class CategoryScore:
    awarded: Fraction
    available: Fraction


@dataclass(frozen=True)
class ScoreOutcome:
    base: Fraction
    final: Fraction
    graded: bool  # special deductions below the limit
    grade: str | None
    below_pass: bool  # final below the lowest grade threshold, whatever the deductions
    by_category: dict[str, CategoryScore]
    applicable: dict[str, bool]
    special_deductions: int
    special_bonus: int


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """Σ of fractions over one common denominator, normalised once at the end, where adding
    them one by one normalises at every step (score sheets hold a few dozen numbers with
    denominators 1, 2, 10…, so the common denominator rarely changes)."""
    total, common = 0, 1
    for value in values:
        numerator, denominator = value.numerator, value.denominator
        if denominator == common:
            total += numerator
        elif common % denominator == 0:
            total += numerator * (common // denominator)
        else:
            wider = common * denominator // math.gcd(common, denominator)
            total = total * (wider // common) + numerator * (wider // denominator)
            common = wider
    return Fraction(total, common)


@functools.lru_cache(maxsize=16)
def category_members(pack: Pack) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each category of the pack with its indicators' keys, in the pack's order (once per pack)."""
    return tuple(
        (category, tuple(k for k, ind in pack.indicators.items() if ind.category == category))
        for category in pack.categories
    )


def valid_exclusions(evaluation: Evaluation, pack: Pack) -> set[str]:
    """Excluded indicators that may be excluded; any other exclusion is void."""
    return {e.indicator for e in evaluation.excluded if pack.indicators[e.indicator].excludable}


def score(evaluation: Evaluation, pack: Pack, rejected: frozenset[str] = frozenset()) -> ScoreOutcome | None:
    """The evaluation's score; `rejected` exclusions are scored as applicable with awarded 0
    (the score sensitivity of SPEC 7.2)."""
    if evaluation.scores is None:
        return None
    excluded = valid_exclusions(evaluation, pack) - rejected
    applicable = {key: key not in excluded for key in pack.indicators}
    sheet = evaluation.scores
    if rejected:
        sheet = {
            key: IndicatorScore(Fraction(0), s.available) if key in rejected else s
            for key, s in sheet.items()
        }
    by_category = {}
    for category, members in category_members(pack):
        keys = [k for k in members if applicable[k]]
        by_category[category] = CategoryScore(
            exact_sum(sheet[k].awarded for k in keys),
            exact_sum(sheet[k].available for k in keys),
        )
    awarded = exact_sum(c.awarded for c in by_category.values())
    available = exact_sum(c.available for c in by_category.values())
    scale = pack.number("scale")
    base = awarded / available * scale
    deductions = len(evaluation.special_deductions)
    bonus = 1 if evaluation.special_bonus is not None else 0
    final = (
        base
        - deductions * pack.number("special_deduction_points")
        + bonus * pack.number("special_bonus_points")
    )
    final = min(max(final, Fraction(0)), scale)
    graded = deductions < pack.integer("max_special_deductions")
    grade = next((g.id for g in pack.grades if final >= g.min), None) if graded else None
    return ScoreOutcome(
        base=base,
        final=final,
        graded=graded,
        grade=grade,
        below_pass=final < min(g.min for g in pack.grades),
        by_category=by_category,
        applicable=applicable,
        special_deductions=deductions,
        special_bonus=bonus,
    )


def if_exclusions_rejected(
    evaluation: Evaluation, pack: Pack, unjustified: frozenset[str]
) -> ScoreOutcome | None:
    """The score with every unjustified (allowed) exclusion rejected; None when there is none."""
    return score(evaluation, pack, unjustified) if unjustified else None


def truncate2(value: Fraction) -> Decimal:
    """`value` cut (not rounded) to 2 decimals: 84.615… -> 84.61, 94.996 -> 94.99."""
    cents = (
        value.numerator * 100 // value.denominator
        if value >= 0
        else -((-value.numerator * 100) // value.denominator)
    )
    return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def json_number(value: Fraction | Decimal) -> int | float:
    """A JSON number: an int when whole, else the shortest float."""
    if value == int(value):
        return int(value)
    return float(value)
