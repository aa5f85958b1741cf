"""certeval: rules-engine evaluator for after-sales service certification cases (GB/T 27922-2011).

The public API:

    evaluate(case, pack=None, as_of=None, engine=None) -> dict   # one result, SPEC §4
    evaluate_full(...) -> Evaluation                               # with typed findings
    load_pack(id_or_dir) -> Pack
    CaseError (exit 2), PackError (exit 3)

The names are loaded on first use (module `__getattr__`): importing any submodule, e.g.
`evaluator.base.limits` for a command's option, must not pull in the whole evaluator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Evaluation, evaluate, evaluate_full
    from .base.errors import CaseError, ExitStatus, PackError, Problem
    from .packs import load_pack

_LAZY = {
    "Evaluation": ".api",
    "evaluate": ".api",
    "evaluate_full": ".api",
    "CaseError": ".base.errors",
    "ExitStatus": ".base.errors",
    "PackError": ".base.errors",
    "Problem": ".base.errors",
    "load_pack": ".packs",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata costs ~50 ms at start-up
        from .base.version import certeval_version

        return certeval_version()
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # once: later lookups do not come back here
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY, "__version__"])


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
