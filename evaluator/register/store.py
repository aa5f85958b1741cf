"""The register's database: an SQLite file, WAL, foreign keys, schema versioned with
`PRAGMA user_version` and forward migrations, marked as ours with `PRAGMA application_id`.

A file is recognised before anything is written to it (no pragma that changes it, not even the
switch to WAL): ours when it carries our application_id, or, written before the mark existed,
when it has user_version 1 and exactly the tables of that release.  Anything else is refused
untouched."""

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
    # 2: the register becomes the system of record (SPEC §10): every version of every case
    # document, append-only; each evaluation names the version it evaluated (null for the
    # evaluations recorded before versions existed).  A corrected case is a new evaluation beside
    # the old one, so the evaluations table is rebuilt without its (case, pack, as_of) key.
    # cases is a projection: each case's latest evaluation (search and the dashboard read it
    # instead of grouping every evaluation); certificates learn their case.
    # on_worklist marks a result with nonconformities or a decision (SPEC §6.4, §7.2): the
    # dashboard reads those results only, not every result's JSON.
    """
    CREATE TABLE case_versions (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        content TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        by TEXT NOT NULL,
        why TEXT NOT NULL
            CHECK (why IN ('import', 'form', 'upload', 'response', 'verification', 'decision', 'record')),
        UNIQUE (case_id, version)
    );
    CREATE TABLE evaluations_v2 (
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
        version_id INTEGER REFERENCES case_versions(id),
        on_worklist INTEGER NOT NULL DEFAULT 0,
        UNIQUE (case_id, pack_sha256, as_of, case_sha256)
    );
    INSERT INTO evaluations_v2 SELECT *, NULL, 0 FROM evaluations;
    DROP TABLE evaluations;
    ALTER TABLE evaluations_v2 RENAME TO evaluations;
    CREATE INDEX evaluations_organization ON evaluations(organization_id, as_of);
    CREATE INDEX evaluations_case ON evaluations(case_id, as_of);
    CREATE INDEX evaluations_version ON evaluations(version_id);
    CREATE INDEX evaluations_worklist ON evaluations(case_id) WHERE on_worklist = 1;
    CREATE INDEX evaluations_certificate ON evaluations(certificate_number);
    ALTER TABLE organizations ADD COLUMN name_en TEXT;
    ALTER TABLE certificates ADD COLUMN case_id TEXT;
    UPDATE certificates
        SET case_id = (SELECT case_id FROM evaluations e WHERE e.id = certificates.evaluation_id);
    CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
        organization_id INTEGER NOT NULL REFERENCES organizations(id),
        org_name TEXT NOT NULL,
        certificate_number TEXT
    );
    INSERT INTO cases
        SELECT case_id, max(id), organization_id, org_name, certificate_number
        FROM evaluations GROUP BY case_id;
    CREATE TRIGGER case_versions_append_only_u BEFORE UPDATE ON case_versions
        BEGIN SELECT RAISE(ABORT, 'case versions are append-only'); END;
    CREATE TRIGGER case_versions_append_only_d BEFORE DELETE ON case_versions
        BEGIN SELECT RAISE(ABORT, 'case versions are append-only'); END;
    CREATE TRIGGER evaluations_append_only_u BEFORE UPDATE ON evaluations
        BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;
    CREATE TRIGGER evaluations_append_only_d BEFORE DELETE ON evaluations
        BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;
    CREATE TRIGGER findings_append_only_u BEFORE UPDATE ON findings
        BEGIN SELECT RAISE(ABORT, 'findings are append-only'); END;
    CREATE TRIGGER findings_append_only_d BEFORE DELETE ON findings
        BEGIN SELECT RAISE(ABORT, 'findings are append-only'); END;
    """,
    # 3: evidence files attached to replies in the workbench (issue 17), kept in the register
    # by their sha256, which case documents name; append-only like the versions that cite them.
    """
    CREATE TABLE evidence_files (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        size INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        name TEXT NOT NULL,
        content BLOB NOT NULL,
        added_at TEXT NOT NULL,
        by TEXT NOT NULL
    );
    CREATE TRIGGER evidence_files_append_only_u BEFORE UPDATE ON evidence_files
        BEGIN SELECT RAISE(ABORT, 'evidence files are append-only'); END;
    CREATE TRIGGER evidence_files_append_only_d BEFORE DELETE ON evidence_files
        BEGIN SELECT RAISE(ABORT, 'evidence files are append-only'); END;
    """,
    # 4: projections of each case's latest evaluation for the dashboard and `register ncs`
    # (projections.py; filled from the log right after this script): the nonconformities' states
    # over periods of days [start, until), and the dashboard's entries by list, in list order.
    """
    CREATE TABLE nc_periods (
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        position INTEGER NOT NULL,
        start TEXT NOT NULL,
        until TEXT,
        id TEXT,
        subject TEXT,
        severity TEXT,
        indicator TEXT,
        state TEXT,
        respond_by TEXT,
        responded_on TEXT,
        verify_by TEXT,
        verified_on TEXT,
        verified_by TEXT,
        overdue INTEGER,
        PRIMARY KEY (case_id, position, start)
    ) WITHOUT ROWID;
    CREATE TABLE worklist (
        list TEXT NOT NULL
            CHECK (list IN ('nc_open', 'nc_overdue', 'verifications_due', 'decisions_waiting')),
        sort_key TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases(case_id),
        position INTEGER NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (list, sort_key, case_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX worklist_case ON worklist(case_id);
    """,
)
# Python run right after a migration, in its transaction: projections filled from the log.
REBUILT_AFTER = frozenset({4})
# "CEVR": the mark of a certeval register in the SQLite header.
APPLICATION_ID = 0x43455652
# The tables of release 1, which wrote no application_id: such a file is ours only with exactly these.
RELEASE_1_TABLES = frozenset({"organizations", "evaluations", "findings", "certificates"})


def db_path(option: str | os.PathLike[str] | None) -> Path:
    """--db, else $CERTEVAL_DB, else ./certeval.db."""
    return Path(option or os.environ.get(ENV_DB) or DEFAULT_DB)


def connect(path: Path) -> sqlite3.Connection:
    """An open, migrated register.  Writers use `BEGIN IMMEDIATE`: two processes recording at
    once wait for each other (busy timeout) instead of failing or interleaving."""
    conn = None
    _refuse_special(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size:
            # read-only first: even closing a read-write connection may write (a WAL checkpoint)
            reader = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                _refuse_foreign(reader, path)
            finally:
                reader.close()
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.row_factory = sqlite3.Row
        _refuse_foreign(conn, path)  # again: the file may have been created since
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        migrate(conn)  # with foreign keys off: rebuilding a table must not cascade to its children
        conn.execute("PRAGMA foreign_keys=ON")
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


def _refuse_special(path: Path) -> None:
    """A device, pipe or directory named as the register: say so (SQLite's own message for
    /dev/null is "cannot rollback - no transaction is active")."""
    if path.exists() and not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file (a device, pipe or socket)"
        raise UsageError(f"{path} cannot be used as a register: it is {kind}; give the path of a file")


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file is left as it is, never switched to WAL or given our tables."""
    # one statement, one snapshot: a certeval migrating the new file at this moment commits its
    # tables, application_id and user_version together, and separate reads could see a mix
    application, version, names = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id),"
        " (SELECT user_version FROM pragma_user_version),"
        " (SELECT group_concat(name, char(31)) FROM sqlite_master"
        "  WHERE type = 'table' AND name NOT LIKE 'sqlite_%')"
    ).fetchone()
    tables = frozenset(names.split("\x1f")) if names else frozenset()
    if application == APPLICATION_ID:
        return
    if application == 0 and version == 0 and not tables:
        return  # a new, empty file
    if application == 0 and version == 1 and tables == RELEASE_1_TABLES:
        return  # written by the release before the mark
    why = (
        f"application_id {application}"
        if application
        else f"user_version {version}, tables {', '.join(sorted(tables)) or 'none'}"
    )
    raise UsageError(
        f"{path} is an SQLite database but not a certeval register ({why}); it was left untouched"
    )


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
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            if number + 1 in REBUILT_AFTER:
                from .projections import rebuild

                rebuild(conn)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise sqlite3.IntegrityError("the migrated register fails its foreign-key check")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """A migration's statements; a trigger's body keeps its own `;` (complete_statement knows)."""
    statements, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    return statements


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to a current register, for the workbench's pages: it never
    creates, migrates or checkpoints (the server migrated the file when it started)."""
    if not path.is_file():
        raise UsageError(f"no register at {path}")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        conn.row_factory = sqlite3.Row
        _refuse_foreign(conn, path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise UsageError(f"{path}: schema {version}, not {len(MIGRATIONS)}: open it with certeval first")
    except BaseException:
        conn.close()
        raise
    return conn
