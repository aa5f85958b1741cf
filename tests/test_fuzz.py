"""A small, seeded run of benchmarks/mutation_fuzz.py: no mutant of an example or a conformance
case makes certeval fail with an internal error (exit 4), in either engine."""

from __future__ import annotations

import importlib.util

from helpers import REPO


def load_fuzz():  # benchmarks/ is not a package: load the script by its path
    spec = importlib.util.spec_from_file_location("mutation_fuzz", REPO / "benchmarks" / "mutation_fuzz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_mutant_is_an_internal_error(tmp_path):
    report = load_fuzz().run(300, seed=20261201, tmp=tmp_path, verbose=False)
    assert report["exit_4"] == []
    assert set(report["exit_statuses"]) >= {"0", "2"}  # the sample holds both good and bad cases
