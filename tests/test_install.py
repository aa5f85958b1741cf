"""The installed command works from any directory: packs and templates travel with it."""

from __future__ import annotations

import json

from helpers import EXAMPLES, run_cli

from evaluator.packs import builtin_pack_ids, builtin_root


def test_built_in_packs_are_found():
    assert builtin_root().is_dir()
    assert builtin_pack_ids() == ["gbt27922-1000", "gbt27922-2011"]


def test_evaluate_from_another_directory(tmp_path):
    result = run_cli("evaluate", EXAMPLES / "hz-initial-three-star.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["grade"] == "three_star"
    assert list(tmp_path.iterdir()) == []
