"""certeval: rules-engine evaluator for after-sales service certification cases (GB/T 27922-2011).

The public API:

    evaluate(case, pack=None, as_of=None, engine=None) -> dict   # one result, SPEC §4
    evaluate_full(...) -> Evaluation                               # with typed findings
    load_pack(id_or_dir) -> Pack
    CaseError (exit 2), PackError (exit 3)
"""

from typing import Any

from .api import Evaluation, evaluate, evaluate_full
from .base.errors import CaseError, ExitStatus, PackError, Problem
from .packs import load_pack


def __getattr__(name: str) -> Any:
    # importlib.metadata costs ~50 ms at start-up: only `--version` and reports need it
    if name == "__version__":
        from .base.version import certeval_version

        return certeval_version()
    raise AttributeError(name)


__all__ = [
    "CaseError",
    "Evaluation",
    "ExitStatus",
    "PackError",
    "Problem",
    "__version__",
    "evaluate",
    "evaluate_full",
    "load_pack",
]
