"""A cache of loaded packs on disk, so that one `certeval evaluate` does not re-read, re-parse
and re-validate ten YAML files (~40 ms of a ~0.2 s start) to get the same `Pack` as last time.

Where: `$CERTEVAL_CACHE_DIR`, else `$XDG_CACHE_HOME/certeval`, else `~/.cache/certeval`; one
file per pack directory under `packs/`.  `CERTEVAL_NO_CACHE=1` turns it off.

A cache file is trusted only as far as it is checked; anything wrong is a miss (the pack is
loaded from its files and the cache file rewritten), never an error and never a wrong pack:

- its header must carry the key of the pack as it is now: the sha256 of every file of the pack
  and of its ancestors (the `Pack.sha256` formula, over what the directories hold now, so an
  added, removed or changed file misses), where its parents resolve, which fixture directories
  exist, how its paths display from here, and a fingerprint of the code that builds packs (the
  source of `packs/` and `base/`: an edited checkout keeps its version number but not its
  fingerprint) with the Python version;
- the payload must match the sha256 the header gives for it (a torn or corrupted file misses);
- the file must belong to this user and be writable by no one else, or it is not read;
- the payload is a pickle read by an unpickler that can build only the pack's own record
  classes (dataclasses of `packs.model` and `packs.ir`, `Text`, `SourceInt`) and `Fraction`,
  `date` and paths: it cannot call anything else, so even a forged file cannot run code.  Pickle
  rather than JSON because it restores the exact objects (tuples, Fractions, SourceInt with its
  text) that the loader built, without a second, hand-written encoding to keep in step.

Files are written atomically (a temporary file in the same directory, then `os.replace`); an
unwritable cache directory only means no cache.  Only packs that loaded without a problem are
stored: a broken pack is re-read, and fails, every time.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .model import Pack

Display = Callable[[Path], str]  # how the loader shows a path (relative to here when it can)
ParentDir = Callable[[Path, str], "Path | None"]  # where a pack's `extends` resolves

FORMAT = 1
_SUFFIXES = (".yaml", ".yml")


def cache_dir() -> Path | None:
    """The cache directory, or None when the cache is off."""
    if os.environ.get("CERTEVAL_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("CERTEVAL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "certeval"


# --------------------------------------------------------------------------------- the pack key
def pack_files(directory: Path) -> list[tuple[str, bytes]]:
    """(name within the pack, content) of what makes a pack: pack.yaml and rules/*.yaml|yml.

    For a pack that loads, these are exactly the files the loader reads (every rule file must be
    declared, and every declared one present), so `files_digest` over them is its `sha256`."""
    files = [("pack.yaml", (directory / "pack.yaml").read_bytes())]
    rules = directory / "rules"
    if rules.is_dir():
        for path in sorted(p for p in rules.iterdir() if p.suffix in _SUFFIXES):
            files.append((f"rules/{path.name}", path.read_bytes()))
    return files


def files_digest(chain: list[list[tuple[str, bytes]]]) -> str:
    """The sha256 of a pack's files, root ancestor first (`Pack.sha256`)."""
    import hashlib  # only here: ~5 ms of start-up

    digest = hashlib.sha256()
    for depth, files in enumerate(chain):
        for name, content in files:
            digest.update(f"{depth}/{name}".encode())
            digest.update(b"\0")
            digest.update(content)
            digest.update(b"\0")
    return digest.hexdigest()


def code_fingerprint() -> str:
    """What built the cached objects: the source of packs/ and base/, and the Python."""
    import hashlib

    digest = hashlib.sha256(f"{FORMAT} {sys.implementation.cache_tag} {sys.version}".encode())
    here = Path(__file__).resolve().parent
    for folder in (here, here.parent / "base"):
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Lineage:
    """How a pack directory's chain of ancestors resolves now (root first)."""

    directories: tuple[str, ...]
    parents: tuple[str | None, ...]  # each one's `extends`, as the header records it


def current_key(lineage: Lineage, display: Display, parent_dir: ParentDir) -> str | None:
    """The key of the pack as its files are now, for the lineage a header claims; None when that
    lineage no longer resolves the same way."""
    directories = [Path(d) for d in lineage.directories]
    for child, parent_id, parent in zip(directories[1:], lineage.parents[1:], directories, strict=False):
        if parent_id is None or parent_dir(child, parent_id) != parent:
            return None
    state = {
        "files": files_digest([pack_files(d) for d in directories]),
        "shown": [display(d / "pack.yaml") for d in directories],
        "fixtures": [(d / "fixtures").is_dir() for d in directories],
        "code": code_fingerprint(),
    }
    return json.dumps(state, sort_keys=True)


# ------------------------------------------------------------------------------ reading, writing
def _file_for(directory: Path) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    import hashlib

    name = hashlib.sha256(str(directory).encode()).hexdigest()[:32]
    return root / "packs" / f"{name}.pack"


def read(directory: Path, display: Display, parent_dir: ParentDir) -> Pack | None:
    """The cached pack of `directory` if a valid cache file holds it, else None."""
    target = _file_for(directory)
    if target is None:
        return None
    try:
        with open(target, "rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_uid != os.geteuid() or status.st_mode & 0o022:
                return None  # someone else could have written it
            blob = handle.read()
        return _decode(blob, directory, display, parent_dir)
    except Exception:  # a cache that cannot be read is only a miss
        return None


def _decode(blob: bytes, directory: Path, display: Display, parent_dir: ParentDir) -> Pack | None:
    import hashlib

    header_line, _, payload = blob.partition(b"\n")
    header = json.loads(header_line)
    if header.get("format") != FORMAT or header.get("directory") != str(directory):
        return None
    lineage = Lineage(tuple(header["directories"]), tuple(header["parents"]))
    if not lineage.directories or lineage.directories[-1] != str(directory):
        return None
    key = current_key(lineage, display, parent_dir)
    if key is None or header.get("key") != key:
        return None
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        return None
    pack = _RecordUnpickler(io.BytesIO(payload)).load()
    if not isinstance(pack, Pack) or pack.sha256 != json.loads(key)["files"]:
        return None
    return pack


def write(pack: Pack, lineage: Lineage, display: Display, parent_dir: ParentDir) -> None:
    """Store a freshly loaded pack; any failure (read-only, full disk) only means no cache."""
    target = _file_for(Path(lineage.directories[-1]))
    if target is None:
        return
    try:
        key = current_key(lineage, display, parent_dir)
        if key is None or json.loads(key)["files"] != pack.sha256:
            return  # the files changed while we read them: store nothing
        payload = _dumps(pack)
        import hashlib

        header = {
            "format": FORMAT,
            "directory": lineage.directories[-1],
            "directories": list(lineage.directories),
            "parents": list(lineage.parents),
            "key": key,
            "payload_sha256": hashlib.sha256(payload).hexdigest(),
        }
        _write_atomic(target, json.dumps(header, sort_keys=True).encode() + b"\n" + payload)
    except Exception:  # no cache is never an error
        pass


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------------------- pickle
def _dumps(pack: Pack) -> bytes:
    import copyreg

    from ..base.yamlsafe import SourceInt

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # an int that keeps how it was written (`0123`): rebuilt from both
    pickler.dispatch_table = {**copyreg.dispatch_table, SourceInt: lambda o: (SourceInt, (int(o), o.text))}
    pickler.dump(pack)
    return buffer.getvalue()


def _allowed(module: str, name: str) -> Any:
    """The only globals a cached pack may name: its record classes and a few plain values."""
    import datetime
    import fractions
    import pathlib

    from ..base import i18n, yamlsafe
    from ..base.records import is_record
    from . import ir, model

    plain = {
        ("fractions", "Fraction"): fractions.Fraction,
        ("datetime", "date"): datetime.date,
        ("pathlib", "PosixPath"): pathlib.PosixPath,
        ("pathlib", "WindowsPath"): pathlib.WindowsPath,
        ("evaluator.base.i18n", "Text"): i18n.Text,
        ("evaluator.base.yamlsafe", "SourceInt"): yamlsafe.SourceInt,
    }
    if (module, name) in plain:
        return plain[module, name]
    records = {"evaluator.packs.model": model, "evaluator.packs.ir": ir}.get(module)
    value = getattr(records, name, None) if records is not None else None
    if isinstance(value, type) and (is_record(value) or dataclasses.is_dataclass(value)):
        return value
    return None


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        value = _allowed(module, name)
        if value is None:
            raise pickle.UnpicklingError(f"a pack cache may not name {module}.{name}")
        return value
