"""The Dask recipe of docs/scale.md (issue 18): `evaluate_many` over a Dask bag on a local
cluster of two worker processes gives what `batch` gives.  Skipped only without the extra."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import EXAMPLES, run_cli

pytest.importorskip("dask.bag", reason="the optional extra certeval[dask] is not installed")
distributed = pytest.importorskip("distributed", reason="the optional extra certeval[dask] is not installed")

AS_OF = dt.date(2026, 11, 30)


def test_a_bag_on_two_workers_gives_the_batch_results(tmp_path, case_file):
    import dask.bag as db

    from evaluator.batch.dask_bag import evaluate_bag

    bad = case_file("case_id: X\nstage: nonsense\n", "bad.yaml")
    paths = [*sorted(str(p) for p in EXAMPLES.glob("*.yaml")), str(bad)]
    assert run_cli("batch", *paths, "--out", tmp_path / "out", "--as-of", AS_OF.isoformat()).returncode == 2
    expected = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    # examples dated after AS_OF are bad input there, like the broken file: the same cases both ways
    expected_errors = len((tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines())

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        lines = evaluate_bag(db.from_sequence(paths, npartitions=4), as_of=AS_OF).compute()

    assert len(lines) == len(paths)  # one line per case, in the bag's order
    errors = [line for line in lines if json.loads(line).keys() == {"error"}]
    results = sorted(
        (line for line in lines if line not in errors), key=lambda line: json.loads(line)["case_id"]
    )
    assert results == expected  # the same bytes as results.jsonl
    assert len(errors) == expected_errors >= 1
    assert all(json.loads(error)["error"]["status"] == 2 for error in errors)
