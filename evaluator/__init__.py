"""certeval: rules-engine evaluator for after-sales service certification cases (GB/T 27922-2011).

The public API:

    evaluate(case, pack=None, as_of=None, engine=None) -> dict   # one result, SPEC §4
    evaluate_full(...) -> Evaluation                               # with typed findings
    load_pack(id_or_dir) -> Pack
    CaseError (exit 2), PackError (exit 3)
"""

from importlib.metadata import PackageNotFoundError, version

from .api import Evaluation, evaluate, evaluate_full
from .errors import CaseError, ExitStatus, PackError, Problem
from .packs import load_pack

try:
    __version__ = version("certeval")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0+checkout"

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
