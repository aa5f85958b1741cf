"""Every rule's fixtures, on both engines: one generic test, so a new rule needs no new Python."""

from __future__ import annotations

import pytest

from evaluator.engines import durable_available
from evaluator.maintain.fixtures import coverage, default_engines, load_fixtures, run_case
from evaluator.packs import builtin_pack_ids, load_pack

CASES = [(pack_id, case) for pack_id in builtin_pack_ids() for case in load_fixtures(load_pack(pack_id))]


def test_durable_engine_is_installed():
    # Otherwise the fixtures would silently run on the python engine only.
    assert durable_available()
    assert default_engines() == ("durable", "python")


@pytest.mark.parametrize(("pack_id", "case"), CASES, ids=[f"{p}:{c.rule}:{c.name}" for p, c in CASES])
def test_fixture(pack_id, case):
    outcome = run_case(case, load_pack(pack_id), default_engines())
    assert outcome.passed, "\n".join(outcome.problems)


@pytest.mark.parametrize("pack_id", builtin_pack_ids())
def test_every_rule_has_a_firing_and_a_quiet_fixture(pack_id):
    pack = load_pack(pack_id)
    lacking = {rule: counts for rule, counts in coverage(pack, load_fixtures(pack)).items() if 0 in counts}
    assert not lacking, f"rules without both a firing and a quiet fixture: {lacking}"
