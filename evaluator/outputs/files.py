"""Writing results and reports: atomic files, names that cannot escape the output directory."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ..base.errors import OutputError, Problem

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give: mkstemp's 0600 is for secrets


def safe_name(case_id: str) -> str:
    """A file name from a case_id: only [A-Za-z0-9._-], never empty, never hidden or '..'."""
    name = _UNSAFE.sub("_", case_id).lstrip(".") or "case"
    return name[:100]


def ensure_directory(directory: Path) -> None:
    """Create `directory` (and its parents); an OS refusal is an `OutputError` naming it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file (or /dev/null) where the directory should be
        raise OutputError(
            [Problem(str(directory), None, "", "cannot write into it: not a directory")]
        ) from None
    except OSError as e:
        raise OutputError.from_os_error(directory, "cannot create the directory", e) from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `path` so that readers see the old file or the whole new one, never a part.

    A full disk, a read-only file system or a file size limit is an `OutputError` (exit 2)
    naming the path and the OS error; the temporary file is removed.
    """
    ensure_directory(path.parent)
    import tempfile  # here: with shutil, random, bz2 and lzma it costs ~10 ms of every start

    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise OutputError.from_os_error(path, "cannot write", e) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise OutputError.from_os_error(path, "cannot write", e) from None
        raise


def to_json(result: Any, *, pretty: bool = True) -> str:
    """The result as JSON: keys sorted, UTF-8 text, the same bytes every time."""
    if pretty:
        return json.dumps(result, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
