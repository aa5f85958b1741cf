"""What every command shares: output, exit statuses, and the options several commands take."""

from __future__ import annotations

import datetime as dt
import functools
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
ISSUE_HINT = (
    "this is a bug in certeval: please report it with the case file (rerun with --debug for the traceback)"
)


def emit(text: str) -> None:
    """Write UTF-8 to stdout whatever the locale; a full disk behind it is bad output (exit 2)."""
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        from evaluator.base.errors import OutputError

        raise OutputError.from_os_error("<stdout>", "cannot write", e) from None


def warn(text: str) -> None:
    sys.stderr.buffer.write((text.rstrip("\n") + "\n").encode("utf-8"))
    sys.stderr.flush()


def finish(status: int) -> NoReturn:
    sys.exit(int(status))


def guarded(func: F) -> F:
    """Map exceptions to exit statuses: 2 bad input, 3 bad pack, 4 internal error."""

    @functools.wraps(func)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        from evaluator.base.errors import ExitStatus, InputError, UsageError

        try:
            return func(*args, **kwargs)
        except InputError as e:
            for problem in e.problems:
                warn(str(problem))
            finish(e.status)
        except UsageError as e:
            warn(f"certeval: {e}")
            finish(ExitStatus.BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except click.exceptions.Abort as e:  # click's word for Ctrl-C, or the end of input at a prompt
            if isinstance(e.__context__, KeyboardInterrupt):
                warn("certeval: interrupted")
                finish(130)
            warn("certeval: aborted: a question was left unanswered")  # usage (SPEC §5)
            finish(ExitStatus.BAD_INPUT)
        except KeyboardInterrupt:
            warn("certeval: interrupted")
            finish(130)
        except Exception as e:  # a bug: say so briefly, the traceback only on request
            if debug:
                traceback.print_exc()
            warn(f"certeval: internal error: {type(e).__name__}: {e}\n{ISSUE_HINT}")
            finish(ExitStatus.INTERNAL)

    debug_option = click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
    return debug_option(wrapper)  # type: ignore[return-value]


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from evaluator.base.limits import date_in_range, date_range_text

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if not date_in_range(day):
        raise click.BadParameter(f"{value} is outside the meaningful range {date_range_text()}")
    return day


def output_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """--out DIR: an empty string would silently mean the current directory."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("must name a directory (use '.' for the current one)")
    return Path(value)


def pack_argument(value: str | None) -> str | Path | None:
    """--pack: a built-in pack id, or a directory holding pack.yaml."""
    if value is None:
        return None
    path = Path(value)
    return path if path.is_dir() else value


def version_text() -> str:
    from evaluator.base.version import certeval_version

    return certeval_version()


pack_option = click.option("--pack", metavar="ID|DIR", help="Rule pack: a built-in id or a pack directory.")
db_option = click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CERTEVAL_DB",
    default=Path("certeval.db"),
    show_default=True,
    help="The register (SQLite); or set CERTEVAL_DB.",
)
record_option = click.option("--record", is_flag=True, help="Store each evaluation in the register (--db).")
engine_option = click.option(
    "--engine", type=click.Choice(["durable", "python"]), help="Rules engine (default durable)."
)


def as_of_option(
    help_text: str = "Evaluation date (default: the case's as_of, else today).",
) -> Callable[[F], F]:
    return click.option("--as-of", callback=parse_date, metavar="DATE", help=help_text)


class WorstStatus:
    """The exit status of a command over many cases: the worst one seen wins."""

    def __init__(self) -> None:
        self.value = 0

    def note(self, status: int) -> None:
        self.value = max(self.value, int(status))


def evaluated(
    cases: tuple[Path, ...],
    pack: str | None,
    as_of: dt.date | None,
    engine: str | None,
    status: WorstStatus,
) -> Iterator[tuple[Path, Any]]:
    """Each case evaluated; a bad one is reported (one line per problem) and noted in status."""
    from evaluator.api import evaluate_full
    from evaluator.base.errors import InputError

    for path in cases:
        try:
            yield path, evaluate_full(path, pack=pack_argument(pack), as_of=as_of, engine=engine)
        except InputError as e:
            for problem in e.problems:
                warn(str(problem))
            status.note(e.status)


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en", "both"]),
    default="zh",
    show_default=True,
    help="Language of texts.",
)
