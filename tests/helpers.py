"""Shared helpers, imported by the tests as `helpers`.

The tests run against the installed certeval (pytest's importlib mode keeps the checkout off
sys.path), through its public API and through the `certeval` command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CONFORMANCE = REPO.parent / "shared" / "conformance"
BASES = REPO / "rules" / "gbt27922-2011" / "fixtures" / "bases"
# an initial case with one open major nonconformity and a team of two (issue 17's forms)
LIFECYCLE_CASE = REPO / "tests" / "data" / "lifecycle-one-major.yaml"
LIFECYCLE_ID = "LC-2027-0001"
CERTEVAL = shutil.which("certeval", path=str(Path(sys.executable).parent)) or "certeval"
TRACEBACK = "Traceback (most recent call last)"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
# headless, and quiet: no network of its own, no first-run or update traffic
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed `certeval` command; stdin closed, UTF-8 text out."""
    return subprocess.run(
        [CERTEVAL, *map(str, args)],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def base_text(name: str) -> str:
    """The text of a fixture base case (a valid case to edit)."""
    return (BASES / f"{name}.yaml").read_text(encoding="utf-8")


def synthetic_jsonl_lines(count: int) -> list[str]:
    """`count` generated cases (both packs: every tenth is gbt27922-1000) as JSON Lines."""
    import json

    from evaluator import load_pack
    from evaluator.maintain.synthetic import synthetic_case

    packs = [load_pack("gbt27922-2011"), load_pack("gbt27922-1000")]
    return [
        json.dumps(synthetic_case(seed, packs[seed % 10 == 0]), ensure_ascii=False) for seed in range(count)
    ]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a workbench page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)
