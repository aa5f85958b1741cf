"""`certeval serve`: the officers' workbench over the register (SPEC §10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import as_of_option, db_option, guarded

LOCAL = "127.0.0.1"


@click.command()
@db_option
@click.option(
    "--body",
    type=click.Path(path_type=Path, exists=True),
    help="The certification body's profile on every document served (default: $CERTEVAL_BODY).",
)
@click.option(
    "--host", default=LOCAL, show_default=True, help="Address to bind (without users: 127.0.0.1 only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@as_of_option("Serve the register as of this date, for planning (default: today).")
@guarded
def serve(db: Path, body: Path | None, host: str, port: int, as_of: dt.date | None) -> None:
    """Start the workbench: dashboard, search, case pages and the JSON API, on http://HOST:PORT/."""
    from evaluator.register import connect
    from evaluator.web.identity import check_bind_host

    check_bind_host(host, db)  # without users: 127.0.0.1 only
    connect(db).close()  # refuses a foreign file, migrates ours, before any request
    import uvicorn

    from evaluator.web import create_app

    click.echo(f"certeval workbench: http://{host}:{port}/  (register {db}; Ctrl-C stops)", err=True)
    uvicorn.run(create_app(db, body, as_of), host=host, port=port, log_level="warning")
