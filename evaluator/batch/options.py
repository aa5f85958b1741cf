"""The options that shape a batch's results, fixed in `.batch/options.json` by its first run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..outputs.files import write_atomic
from .units import BatchError


@dataclass(frozen=True)
class Options:
    pack: str | None  # id or directory; None: each case's own
    as_of: str | None  # ISO; None: each case's own, else the day the batch started
    today: str  # the day the batch started
    engine: str | None
    reports: tuple[str, ...] = ()  # report kinds written per case, as HTML
    lang: str = "zh"
    reports_dir: str = ""
    record: bool = False  # also build the register's record of each evaluation

    def as_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Options:
        """Options read back; ValueError says what is wrong with a file that is not ours."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"a JSON object was expected, not {type(data).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        if set(data) != fields:
            odd = sorted(set(data) ^ fields)
            raise ValueError(f"fields {', '.join(odd)} missing or unexpected")
        for name in ("pack", "as_of", "engine"):
            if data[name] is not None and not isinstance(data[name], str):
                raise ValueError(f"{name} must be a string or null")
        if not (isinstance(data["reports"], list) and all(isinstance(r, str) for r in data["reports"])):
            raise ValueError("reports must be a list of strings")
        if not (isinstance(data["lang"], str) and isinstance(data["reports_dir"], str)):
            raise ValueError("lang and reports_dir must be strings")
        if not isinstance(data["record"], bool):
            raise ValueError("record must be true or false")
        if not isinstance(data["today"], str):
            raise ValueError("today must be a date")
        for name in ("as_of", "today"):
            if data[name] is not None:
                dt.date.fromisoformat(data[name])  # ValueError names the bad date
        return cls(**{**data, "reports": tuple(data["reports"])})

    def replace(self, **changes: Any) -> Options:
        return Options(**{**self.__dict__, **changes})


def fixed_options(directory: Path, options: Options, *, has_journal: bool) -> Options:
    """The options of the batch in `directory`: fixed by its first run."""
    path = directory / "options.json"
    start_again = f"delete {directory} to start the batch again"
    if path.is_dir() or (path.exists() and not path.is_file()):
        raise BatchError(f"{path} is not a file: {start_again}")
    if not path.exists():
        if has_journal:  # results of unknown options: never mixed with new ones
            raise BatchError(f"{directory} holds a journal but no options.json: {start_again}")
        write_atomic(path, options.as_json())
        return options
    try:
        previous = Options.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BatchError(f"{path}: not the options of a certeval batch ({e}): {start_again}") from None
    # the day of the first run stays the default as_of; --as-of may be left out on resume
    wanted = options.replace(today=previous.today, as_of=options.as_of or previous.as_of)
    if wanted.replace(record=previous.record) != previous:
        raise BatchError(
            f"{directory.parent} holds a batch run with other options ({previous.as_json()});"
            " use another --out, or delete it to start again"
        )
    return previous.replace(record=options.record)  # recording is a side effect, not a result
