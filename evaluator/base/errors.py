"""Problems with input, and the exit statuses they map to (SPEC §3, §5)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


class ExitStatus(enum.IntEnum):
    OK = 0  # evaluated, no major finding
    MAJOR = 1  # evaluated, at least one major finding
    BAD_INPUT = 2  # bad case file or bad usage
    BAD_PACK = 3  # rule pack invalid
    INTERNAL = 4  # a bug in certeval


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file: rendered `FILE:LINE: field: message`, or with a `place`
    instead of the line where the input has no lines (`FILE:评分表!E7: field: message`).

    `code` names the kind of problem and `values` what its message was built from, so a page can
    say it in its own language (the catalogue in evaluator/case/messages.py); `message` stays the
    English the command line prints.  Neither takes part in equality or order."""

    file: str
    line: int | None
    field: str
    message: str
    place: str = ""
    code: str = dataclass_field(default="", compare=False)
    values: Mapping[str, Any] = dataclass_field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = (
            f"{self.file}:{self.place}"
            if self.place
            else f"{self.file}:{self.line}"
            if self.line
            else self.file
        )
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(Exception):
    """Base for errors that carry a list of problems."""

    status = ExitStatus.BAD_INPUT

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _problem_order(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.line or 0, p.field, p.message)


class CaseError(InputError):
    """A case file that is not valid (exit status 2)."""

    status = ExitStatus.BAD_INPUT


class PackError(InputError):
    """A rule pack that is not valid (exit status 3); never half-loaded."""

    status = ExitStatus.BAD_PACK


class UnknownPackError(InputError):
    """A pack id or directory that names no pack: bad usage (exit status 2), not a broken pack."""

    status = ExitStatus.BAD_INPUT


class OutputError(InputError):
    """An output that cannot be written (a full disk, a read-only or missing directory, a file
    size limit): the environment's fault, not certeval's (exit status 2)."""

    status = ExitStatus.BAD_INPUT

    @classmethod
    def from_os_error(cls, path: object, doing: str, error: OSError) -> OutputError:
        import errno  # only when there is a problem to report

        code = errno.errorcode.get(error.errno or 0)
        reason = f"{error.strerror or error} ({code})" if code else str(error.strerror or error)
        return cls([Problem(str(path), None, "", f"{doing}: {reason}")])


class UsageError(Exception):
    """Bad command-line usage that click itself cannot see (exit status 2)."""
