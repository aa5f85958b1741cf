"""The evaluation register: an SQLite record of every evaluation, certificate lookup, and the
planning view of what falls due."""

from .ncs import nonconformities
from .queries import due, evaluations_of, findings_diff, history, latest_evaluation, lookup, search, worklist
from .record import (
    Recorded,
    StaleVersion,
    command_user,
    content_sha256,
    latest_version,
    record_all,
    register_record,
    write_records,
)
from .store import connect, db_path, open_existing, open_reader
from .versions import (
    UnknownCase,
    case_files,
    document_diff,
    import_cases,
    to_yaml,
    version_document,
    version_findings_diff,
    versions,
    yaml_diff,
)

__all__ = [
    "Recorded",
    "StaleVersion",
    "UnknownCase",
    "case_files",
    "command_user",
    "connect",
    "content_sha256",
    "db_path",
    "document_diff",
    "due",
    "evaluations_of",
    "findings_diff",
    "history",
    "import_cases",
    "latest_evaluation",
    "latest_version",
    "lookup",
    "nonconformities",
    "open_existing",
    "open_reader",
    "record_all",
    "register_record",
    "search",
    "to_yaml",
    "version_document",
    "version_findings_diff",
    "versions",
    "worklist",
    "write_records",
    "yaml_diff",
]
