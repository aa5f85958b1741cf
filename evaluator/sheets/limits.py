"""How big a workbook certeval opens (SPEC §9).

These two constants move to `evaluator/base/limits.py` (being created on the `rel` branch) when
the branches merge; until then they live here, in one place.
"""

from __future__ import annotations

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # the parts of the zip, summed as they would unpack
MAX_CELLS = 100_000  # cells with a value, over every sheet
