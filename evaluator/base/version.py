"""certeval's own version, read from the installed distribution once."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def certeval_version() -> str:
    # importlib.metadata costs ~50 ms at start-up: only `--version`, reports and the register need it
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("certeval")
    except PackageNotFoundError:  # a checkout that is not installed
        return "0.0.0+checkout"
