"""The register's database: an SQLite file, WAL, foreign keys, schema versioned with
`PRAGMA user_version` and forward migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ..base.errors import UsageError

DEFAULT_DB = "certeval.db"
ENV_DB = "CERTEVAL_DB"
BUSY_TIMEOUT_S = 60

# Each migration takes the schema from version N to N+1; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE organizations (
        id INTEGER PRIMARY KEY,
        credit_code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL
    );
    CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        organization_id INTEGER NOT NULL REFERENCES organizations(id),
        org_name TEXT NOT NULL,
        as_of TEXT NOT NULL,
        stage TEXT NOT NULL,
        pack_id TEXT NOT NULL,
        pack_version TEXT NOT NULL,
        pack_sha256 TEXT NOT NULL,
        case_sha256 TEXT NOT NULL,
        engine TEXT NOT NULL,
        certeval_version TEXT NOT NULL,
        eligible INTEGER,
        grade TEXT,
        score REAL,
        major INTEGER NOT NULL,
        minor INTEGER NOT NULL,
        observation INTEGER NOT NULL,
        info INTEGER NOT NULL,
        certificate_number TEXT,
        recommended_status TEXT,
        result_json TEXT NOT NULL,
        UNIQUE (case_id, pack_sha256, as_of)
    );
    CREATE INDEX evaluations_organization ON evaluations(organization_id, as_of);
    CREATE INDEX evaluations_case ON evaluations(case_id, as_of);
    CREATE TABLE findings (
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        audience TEXT NOT NULL,
        subject TEXT,
        message_zh TEXT NOT NULL,
        message_en TEXT NOT NULL,
        due TEXT,
        PRIMARY KEY (evaluation_id, position)
    );
    CREATE TABLE certificates (
        number TEXT PRIMARY KEY,
        organization_id INTEGER NOT NULL REFERENCES organizations(id),
        org_name TEXT NOT NULL,
        pack_id TEXT NOT NULL,
        grade TEXT NOT NULL,
        issued_on TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        status TEXT NOT NULL,
        recommended_status TEXT NOT NULL,
        last_evaluation TEXT,
        due_by TEXT,
        extended_until TEXT,
        as_of TEXT NOT NULL,
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id)
    );
    CREATE INDEX certificates_due ON certificates(due_by);
    CREATE INDEX certificates_organization ON certificates(org_name);
    """,
)


def db_path(option: str | os.PathLike[str] | None) -> Path:
    """--db, else $CERTEVAL_DB, else ./certeval.db."""
    return Path(option or os.environ.get(ENV_DB) or DEFAULT_DB)


def connect(path: Path) -> sqlite3.Connection:
    """An open, migrated register.  Writers use `BEGIN IMMEDIATE`: two processes recording at
    once wait for each other (busy timeout) instead of failing or interleaving."""
    conn = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.row_factory = sqlite3.Row
        _refuse_foreign(conn, path)
        _use_wal(conn)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        migrate(conn)
    except BaseException as error:
        if conn is not None:
            conn.close()
        if not isinstance(error, (sqlite3.DatabaseError, OSError)):
            raise
        if _busy(error):
            raise UsageError(
                f"{path}: the register is busy: another process has held it for over {BUSY_TIMEOUT_S} s;"
                " try again when it has finished"
            ) from None
        # not a database, a directory, no permission…
        raise UsageError(f"{path}: cannot be used as a register: {error}") from None
    return conn


def _busy(error: BaseException) -> bool:
    """SQLite's SQLITE_BUSY, which Python reports only in the message."""
    return "locked" in str(error) or "busy" in str(error)


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file is left as it is, never switched to WAL or given our tables."""
    # one statement, one snapshot: a certeval migrating the new file at this moment commits its
    # tables and user_version together, and two reads could see one without the other
    version, tables = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master WHERE type = 'table')"
    ).fetchone()
    if version == 0 and tables:
        raise UsageError(f"{path} is an SQLite database but not a certeval register")


def open_existing(path: Path) -> sqlite3.Connection:
    """The register for a query: a mistyped --db must not answer "nothing found" from a new,
    empty file (nor leave that file behind)."""
    if not path.is_file():
        raise UsageError(
            f"no register at {path}: record evaluations into it first (evaluate --record or"
            f" batch --record), or choose another with --db or ${ENV_DB}"
        )
    return connect(path)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new register to WAL.  Changing the journal mode needs the database to itself and
    SQLite answers SQLITE_BUSY at once, without its busy handler, when another process is opening
    the same new file: so wait and retry here.  WAL is persistent: later openings skip this."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def migrate(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            known = len(MIGRATIONS)
            raise UsageError(
                f"the register was written by a newer certeval (schema {version}, this one knows {known})"
            )
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
