"""Batch evaluation: thousands of cases, in parallel, resumable, in flat memory, never losing
or doubling one.  `run.py` orchestrates; `units` streams the inputs, `work` evaluates one,
`workers` spreads chunks over processes, `journal` keeps what is done (checksummed), `merge`
builds the sorted outputs from it; `many` and `dask_bag` serve other executors."""

from .many import evaluate_many
from .options import Options
from .run import BatchInterrupted, Totals, run_batch
from .summary import CSV_COLUMNS, summary_row
from .units import BatchError, Unit, iter_units

__all__ = [
    "CSV_COLUMNS",
    "BatchError",
    "BatchInterrupted",
    "Options",
    "Totals",
    "Unit",
    "evaluate_many",
    "iter_units",
    "run_batch",
    "summary_row",
]
