"""Leftovers of the last round's review: each a small fix with the behaviour it restores."""

from __future__ import annotations

import click
from click.testing import CliRunner

from cli_commands.common import guarded


def test_an_abort_at_a_prompt_is_a_usage_error_not_an_internal_one():
    """click raises Abort when a prompt meets Ctrl-C or the end of input."""

    @click.command()
    @guarded
    def asks() -> None:
        click.prompt("Name")

    result = CliRunner().invoke(asks, [], input="")
    assert result.exit_code == 2
    assert "aborted" in result.output and "internal error" not in result.output
