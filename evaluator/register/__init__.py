"""The evaluation register: an SQLite record of every evaluation, certificate lookup, and the
planning view of what falls due."""

from .queries import due, findings_diff, history, lookup
from .record import content_sha256, register_record, write_records
from .store import connect, db_path, open_existing

__all__ = [
    "connect",
    "content_sha256",
    "db_path",
    "due",
    "findings_diff",
    "history",
    "lookup",
    "open_existing",
    "register_record",
    "write_records",
]
