"""Where the data that ships with certeval lives: the packs and the report templates."""

from __future__ import annotations

from pathlib import Path

# evaluator/base/resources.py -> evaluator/
_PACKAGE = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """`rules` or `templates`: inside the installed package (the wheel puts them there), or at
    the top of a checkout (the design card keeps them beside `evaluator/`)."""
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name
