"""The fast path gives byte-identical output to the exact path (SPEC §11, issue 18).

The fast path parses YAML with yaml-rs (`evaluator.base.yamlfast`) and JSON with `json.loads`,
validates the document without lines, and re-reads with the line-keeping loader only for the
messages.  The exact path (`fast=False`, or `CERTEVAL_EXACT_PARSE=1` for a whole command) is
the line-keeping loader and validator alone.  Compared here, each way: the problems (as printed),
the result JSON bytes, the exit status, and the case document a register would store, over the
examples, the public conformance cases (good and bad), every rule fixture, and a seeded
mutation fuzz that includes the YAML quirks where parsers part ways.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import os
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import CONFORMANCE, EXAMPLES, REPO, run_cli

from cli import main
from evaluator.api import run
from evaluator.base.errors import ExitStatus, InputError
from evaluator.base.yamlfast import parse_yaml_fast
from evaluator.base.yamlsafe import BadDate, LoadError, decode, parse_yaml
from evaluator.case.loader import EXACT_PARSE_VARIABLE, load_case
from evaluator.maintain.fixtures import load_fixtures
from evaluator.outputs.files import to_json
from evaluator.packs import builtin_pack_ids, load_pack
from evaluator.register.record import canonical_content

SHARED = next((p for p in (CONFORMANCE, Path("/work/shared/conformance")) if p.is_dir()), CONFORMANCE)
AS_OF = dt.date(2026, 11, 23)  # `today` for cases without as_of, the same on both paths
FUZZ_MUTANTS = 5_000
FUZZ_SEED = 20261202


def conformance_files() -> list[Path]:
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the conformance suite is not at {CONFORMANCE}")
        pytest.skip("the shared conformance suite is not next to this checkout")
    found = [
        p
        for sub in ("cases", "bad", "part2/cases", "part2/bad")
        for p in sorted((SHARED / sub).glob("*"))
        if p.suffix in (".yaml", ".yml", ".json")
    ]
    assert found, f"no conformance cases under {SHARED}"
    return found


def load_fuzz() -> Any:  # benchmarks/ is not a package: load the script by its path
    spec = importlib.util.spec_from_file_location("mutation_fuzz", REPO / "benchmarks" / "mutation_fuzz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- the comparison
def outcome(path: Path, fast: bool, engine: str = "python") -> tuple[Any, ...]:
    """What a user sees of one case on one path: the problems as printed and the exit status, or
    the result JSON, the exit status and the content the register would store."""
    try:
        case, pack = load_case(path, fast=fast, today=AS_OF)
    except InputError as e:
        return ("bad", [str(p) for p in e.problems], int(e.status))
    evaluation = run(case, pack, engine)
    major = any(f.severity == "major" for f in evaluation.findings)
    status = int(ExitStatus.MAJOR if major else ExitStatus.OK)
    return ("ok", to_json(evaluation.result), status, canonical_content(case.document), case)


def assert_same(path: Path) -> tuple[Any, ...]:
    exact, fast = outcome(path, fast=False), outcome(path, fast=True)
    assert fast == exact, path
    return exact


def same_document(fast: Any, exact: Any) -> bool:
    """Equal values of the same types in the same order (an int where the exact loader keeps a
    SourceInt is the same number; a BadDate is never matched)."""
    if isinstance(exact, dict):
        return (
            type(fast) is dict
            and list(fast) == list(exact)
            and all(same_document(fast[k], exact[k]) for k in exact)
        )
    if isinstance(exact, list):
        return type(fast) is list and len(fast) == len(exact) and all(map(same_document, fast, exact))
    if isinstance(exact, BadDate):
        return False
    if isinstance(exact, (bool, float, str, dt.date)) or exact is None:
        if isinstance(exact, float) and math.isnan(exact):
            return type(fast) is float and math.isnan(fast)
        return type(fast) is type(exact) and fast == exact
    return type(fast) is int and isinstance(exact, int) and fast == exact


def exact_document(text: str) -> Any:
    try:
        return parse_yaml(text, "x.yaml")
    except LoadError as e:
        return e


def assert_vouched(text: str) -> bool:
    """parse_yaml_fast either declines or gives what the exact loader gives; True if it gave."""
    quick = parse_yaml_fast(text)
    if quick is None:
        return False
    exact = exact_document(text)
    assert not isinstance(exact, LoadError), (text, exact)
    assert same_document(quick, exact), text
    return True


# ------------------------------------------------------------------------------- the corpora
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_take_the_fast_path_with_identical_output(path: Path):
    assert (
        parse_yaml_fast(decode(path.read_bytes(), str(path))) is not None
    )  # realistic cases are vouched for
    assert assert_same(path)[0] == "ok"


def test_conformance_cases_good_and_bad_are_identical():
    kinds = {assert_same(path)[0] for path in conformance_files()}
    assert kinds == {"ok", "bad"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else value


def test_every_rule_fixture_is_identical_written_as_block_and_as_flow_yaml(tmp_path: Path):
    count = 0
    for pack_id in builtin_pack_ids():
        for n, fixture in enumerate(load_fixtures(load_pack(pack_id))):
            doc = _plain(fixture.doc)
            for style in (False, None):
                path = tmp_path / f"{pack_id}-{n}-{style}.yaml"
                path.write_text(
                    yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=style),
                    "utf-8",
                )
                assert_same(path)
                count += 1
    assert count > 100


def test_json_cases_are_identical_on_both_paths(tmp_path: Path):
    """The JSON fast path (json.loads) against the YAML reading of the same text with lines."""
    for n, path in enumerate(sorted(EXAMPLES.glob("*.yaml")) + conformance_files()):
        if path.suffix == ".json":
            assert_same(path)
            continue
        try:
            doc = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError:
            continue
        target = tmp_path / f"{n}.json"
        target.write_text(yaml.safe_dump(doc) if doc is None else _json(doc), "utf-8")
        assert_same(target)


def _json(doc: Any) -> str:
    import json

    return json.dumps(doc, default=str, ensure_ascii=False)


# --------------------------------------------------------------------------------- the quirks
QUIRKS = load_fuzz().QUIRK_YAML
FIELDS = (  # one field of each kind in a realistic case: text, code, whole number, number, date, flag, choice
    "  name",
    "  credit_code",
    "  trained_managers",
    "    organization: {awarded",
    "  operating_since",
    "  legal_entity",
    "  business_type",
)
BASE = (EXAMPLES / "hz-initial-three-star.yaml").read_text("utf-8")


@pytest.mark.parametrize("quirk", QUIRKS, ids=repr)
def test_each_quirk_in_each_kind_of_field_is_identical(quirk: str, tmp_path: Path):
    for n, field in enumerate(FIELDS):
        lines = BASE.split("\n")
        k = next(i for i, line in enumerate(lines) if line.startswith(field))
        head = lines[k].split(": ", 1)[0]
        lines[k] = f"{head}: {quirk}" + ("}" if "{" in head else "")
        text = "\n".join(lines)
        assert_vouched(text)
        path = tmp_path / f"{n}.yaml"
        path.write_text(text, "utf-8", errors="surrogatepass")
        assert_same(path)


def test_what_yaml_rs_reads_otherwise_is_refused():
    """The quirks of yaml-rs 0.1.6 (benchmarks/README.md): each would change a value."""
    for text in (
        "k: 1_000",  # yaml-rs 1000, here the string "1_000"
        "k: _1",
        "k: 0b101",  # 5, here a string
        "k: 0X1F",
        "k: 0O7",
        "k: +0x1",
        "k: .Nan",  # nan, here a string
        "k: 2026-02-30",  # a string, here a BadDate
        "k: 0000-01-01",
        "k: 2026-02-28T10:00:00",  # a datetime, here a string
        "k: !foo x",  # 'x', here refused
        "k: " + "9" * 41,  # a number, here over the number limit
        "k: 1\n---\nk: 2",  # several documents
        "k: \u2028x",
        "k: x\n2026-01-01: y",  # a date as a key
    ):
        assert parse_yaml_fast(text) is None, text


def test_plain_scalars_are_vouched_for_or_declined():
    """Random plain scalars over the characters numbers, dates and keywords are made of."""
    rng = random.Random(FUZZ_SEED)
    alphabet = list("0123456789") * 3 + list("+-._eExXoObBaAfF:tTzZ ") + ["inf", "nan", "Inf", "NaN", ".inf"]
    alphabet += ["true", "null", "NULL", "~", "2026-02-28", "2026-02-30", "0000-01-01", "yes", "Off"]
    vouched = 0
    for _ in range(4_000):
        scalar = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))).strip()
        if scalar and scalar[0] not in "-:?,#" and ": " not in scalar and " #" not in scalar:
            vouched += assert_vouched(f"k: {scalar}\nlist: [{scalar}]\n{scalar}: v\n")
    assert vouched > 1_000


# --------------------------------------------------------------------------- the mutation fuzz
def test_mutation_fuzz_fast_and_exact_agree(tmp_path: Path):
    """FUZZ_MUTANTS mutants (seed FUZZ_SEED) of the examples, the conformance cases and the
    fixtures, by the benchmark's mutators: the generic one and the YAML-quirk one."""
    fuzz = load_fuzz()
    seeds = [p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
    seeds += [p.read_text("utf-8") for p in conformance_files() if p.suffix == ".yaml"]
    rng = random.Random(FUZZ_SEED)
    counts = {"fast": 0, "fast ok": 0, "ok": 0, "bad": 0}
    for n in range(FUZZ_MUTANTS):
        text = rng.choice(seeds)
        for _ in range(rng.choice((1, 1, 1, 2))):
            text = (fuzz.mutate_yaml_quirk if rng.random() < 0.6 else fuzz.mutate_yaml)(text, rng)
        path = tmp_path / f"m{n}.yaml"
        path.write_text(text, "utf-8", errors="surrogatepass")
        decoded = _decoded(path)
        took_fast = decoded is not None and assert_vouched(decoded)
        kind = assert_same(path)[0]
        counts[kind] += 1
        counts["fast"] += took_fast
        counts["fast ok"] += took_fast and kind == "ok"
        path.unlink()
    print(f"fast-path fuzz: {FUZZ_MUTANTS} mutants, seed {FUZZ_SEED}: {counts}")
    # the sample exercises both paths, and both outcomes on the fast one
    assert counts["fast ok"] > FUZZ_MUTANTS // 10, counts
    assert counts["fast"] - counts["fast ok"] > FUZZ_MUTANTS // 10, counts
    assert counts["bad"] > FUZZ_MUTANTS // 10, counts


def _decoded(path: Path) -> str | None:
    try:
        return decode(path.read_bytes(), str(path))
    except LoadError:
        return None


# ------------------------------------------------------------------------ through the commands
def _cli(args: list[str], exact: bool) -> tuple[int, str, str]:
    env = {EXACT_PARSE_VARIABLE: "1" if exact else "0"}
    result = CliRunner().invoke(main, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_report_and_explain_commands_are_identical(tmp_path: Path):
    cases = sorted(EXAMPLES.glob("*.yaml")) + conformance_files()
    for path in cases:
        args = ["evaluate", str(path), "--format", "json", "--as-of", "2026-11-23"]
        assert _cli(args, exact=False) == _cli(args, exact=True), path
    for kind in ("ncr", "summary"):
        args = [
            "report",
            str(cases[0]),
            "--kind",
            kind,
            "--format",
            "markdown",
            "--out",
            str(tmp_path / kind),
        ]
        assert _cli(args, exact=False) == _cli(args, exact=True)
    args = ["explain", str(EXAMPLES / "hz-initial-three-star.yaml"), "AUDIT-NC"]
    assert _cli(args, exact=False) == _cli(args, exact=True)


def test_batch_outputs_are_identical(tmp_path: Path):
    """`certeval batch` (worker processes, YAML files and a JSON Lines file) both ways."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for n, path in enumerate(sorted(EXAMPLES.glob("*.yaml")) + conformance_files()):
        (cases / f"{n:03d}-{path.name}").write_bytes(path.read_bytes())
    outputs = []
    for exact in ("1", "0"):
        out = tmp_path / f"out-{exact}"
        done = run_cli(
            "batch",
            cases,
            "--out",
            out,
            "--jobs",
            "2",
            "--as-of",
            "2026-11-23",
            env={EXACT_PARSE_VARIABLE: exact},
        )
        files = {name: (out / name).read_bytes() for name in ("results.jsonl", "summary.csv", "errors.jsonl")}
        said = re.sub(r"[0-9.,]+ cases/s", "N cases/s", done.stdout + done.stderr).replace(str(out), "OUT")
        outputs.append((done.returncode, said, files))
    assert outputs[0] == outputs[1]
    assert outputs[0][2]["results.jsonl"] and outputs[0][2]["errors.jsonl"]  # good and bad cases both
