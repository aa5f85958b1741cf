"""The evaluation register: an SQLite record of every evaluation, certificate lookup, and the
planning view of what falls due."""

from .queries import due, findings_diff, history, lookup
from .record import Recorded, command_user, content_sha256, record_all, register_record, write_records
from .store import connect, db_path, open_existing
from .versions import (
    UnknownCase,
    case_files,
    document_diff,
    import_cases,
    to_yaml,
    version_document,
    version_findings_diff,
    versions,
)

__all__ = [
    "Recorded",
    "UnknownCase",
    "case_files",
    "command_user",
    "connect",
    "content_sha256",
    "db_path",
    "document_diff",
    "due",
    "findings_diff",
    "history",
    "import_cases",
    "lookup",
    "open_existing",
    "record_all",
    "register_record",
    "to_yaml",
    "version_document",
    "version_findings_diff",
    "versions",
    "write_records",
]
