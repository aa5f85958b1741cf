"""Calendar arithmetic at its edges (SPEC 1.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluator.base.dates import add_months, period_end

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 2, 29), -12, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 8, 17), -12, D(2025, 8, 17)),
        (D(2026, 8, 17), 0, D(2026, 8, 17)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 1, 15), 36, D(2027, 1, 14)),
        (D(2024, 2, 29), 36, D(2027, 2, 28)),  # SPEC: the last day of that month
        (D(2024, 3, 1), 36, D(2027, 2, 28)),
        (D(2024, 1, 31), 36, D(2027, 1, 30)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # the 31st does not exist a month later
        (D(2024, 12, 1), 12, D(2025, 11, 30)),
    ],
)
def test_period_end(start, months, expected):
    assert period_end(start, months) == expected
