"""Evidence files in the register (issue 17): each kept once by its sha256, with its size, media
type (read from its bytes), sanitised original name, when it was added and by whom.

Append-only like the versions that cite them (schema 3's triggers).  A case document names a
file in a response's `evidence` list, a list of strings (SPEC §6.1), as `evidence_entry` writes
it; `cited_files` reads such entries back."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import dataclass

from ..base.filetypes import clean_file_name, evidence_media_type
from ..base.limits import MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_NAME_CHARS

# how an evidence string names a stored file: "培训签到表.pdf (sha256:<64 hex>, 1234 bytes, application/pdf)"
CITATION = re.compile(
    r"^(?P<name>.*) \(sha256:(?P<sha256>[0-9a-f]{64}), (?P<size>\d+) bytes, (?P<type>[^)]+)\)$"
)


class RefusedFile(ValueError):
    """An upload that is not kept: too large or of a type evidence may not be."""


@dataclass(frozen=True)
class EvidenceFile:
    sha256: str
    size: int
    media_type: str
    name: str
    content: bytes

    def entry(self) -> str:
        """The evidence string a case document keeps for this file."""
        return f"{self.name} (sha256:{self.sha256}, {self.size} bytes, {self.media_type})"


def evidence_file(content: bytes, client_name: str) -> EvidenceFile:
    """An upload checked and described, not yet stored; RefusedFile with the reason."""
    name = clean_file_name(client_name, MAX_EVIDENCE_NAME_CHARS)
    if len(content) > MAX_EVIDENCE_FILE_BYTES:
        raise RefusedFile(f"{name}: over the limit of {MAX_EVIDENCE_FILE_BYTES // (1024 * 1024)} MB per file")
    if not content:
        raise RefusedFile(f"{name}: the file is empty")
    try:
        media = evidence_media_type(content, name)
    except ValueError as error:
        raise RefusedFile(f"{name}: {error}") from None
    return EvidenceFile(hashlib.sha256(content).hexdigest(), len(content), media, name, content)


def store_files(conn: sqlite3.Connection, files: list[EvidenceFile], by: str) -> None:
    """Keep the files, inside the caller's transaction; a file kept already stays as it was."""
    added = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    conn.executemany(
        "INSERT OR IGNORE INTO evidence_files (sha256, size, media_type, name, content, added_at, by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(f.sha256, f.size, f.media_type, f.name, f.content, added, by) for f in files],
    )


def stored_file(conn: sqlite3.Connection, case_id: str, sha256: str) -> EvidenceFile | None:
    """A stored file that a version of `case_id` cites (None otherwise: a case's page serves its
    own evidence, not any file of the register)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    cited = conn.execute(
        "SELECT 1 FROM case_versions WHERE case_id = ? AND instr(content, ?) > 0 LIMIT 1",
        (case_id, f"sha256:{sha256}"),
    ).fetchone()
    if cited is None:
        return None
    row = conn.execute(
        "SELECT sha256, size, media_type, name, content FROM evidence_files WHERE sha256 = ?", (sha256,)
    ).fetchone()
    if row is None:
        return None
    return EvidenceFile(row[0], int(row[1]), row[2], row[3], bytes(row[4]))


def cited_file(entry: str) -> dict[str, str] | None:
    """The file an evidence string names (name, sha256, size, type), None for a plain description."""
    found = CITATION.match(entry)
    return None if found is None else found.groupdict()
