"""The attacks of issue 12, one command each: print `attack  exit-status  first line of stderr`.

    python benchmarks/hostile_sweep.py [--json FILE]

Run it before and after a change to build the attack -> before -> after table.  It needs root
for the tmpfs attacks (read-only and full output directories); without it those rows say
`skipped`.  Every other row runs anywhere.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
PACK = REPO / "rules" / "gbt27922-2011"
CERTEVAL = shutil.which("certeval", path=str(Path(sys.executable).parent)) or "certeval"
NJ = EXAMPLES / "nj-surveillance-overdue.yaml"
SZ = EXAMPLES / "sz-application-missing-documents.yaml"
HZ = EXAMPLES / "hz-initial-three-star.yaml"


def run(*args: object, cwd: Path | None = None, pre: str | None = None) -> tuple[int, str, str]:
    argv = [CERTEVAL, *map(str, args)]
    if pre:  # a shell prefix such as `ulimit -f 1;`
        argv = ["sh", "-c", pre + " exec " + " ".join(f"'{a}'" for a in argv)]
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=300)
    return p.returncode, p.stdout, p.stderr


def edited(tmp: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    target = tmp / (name or source.name)
    target.write_bytes(text.replace(old, new, 1).encode("utf-8", "surrogatepass"))
    return target


def pack_copy(tmp: Path, name: str = "pack") -> Path:
    target = tmp / name
    shutil.copytree(PACK, target, ignore=shutil.ignore_patterns("fixtures"))
    return target


def pack_edit(tmp: Path, old: str, new: str, file: str = "pack.yaml") -> Path:
    pack = pack_copy(tmp)
    path = pack / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return pack


def json_case(tmp: Path, name: str, mutate: Callable[[dict[str, object]], None], source: Path = NJ) -> Path:
    import yaml

    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc = json.loads(json.dumps(doc, default=str))
    mutate(doc)
    path = tmp / name
    path.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    return path


def tmpfs(tmp: Path, name: str, size: str = "64k") -> Path | None:
    target = tmp / name
    target.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], capture_output=True
    ).returncode:
        return None
    return target


def umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


def attacks(tmp: Path) -> dict[str, Callable[[], tuple[int, str, str] | None]]:
    a: dict[str, Callable[[], tuple[int, str, str] | None]] = {}
    far = "9999-12-31"
    a["evaluate --as-of 9999-12-31"] = lambda: run("evaluate", NJ, "--as-of", far)
    a["explain --as-of 9999-12-31"] = lambda: run("explain", NJ, "SURV-OVERDUE", "--as-of", far)
    a["report --as-of 9999-12-31"] = lambda: run(
        "report", NJ, "--kind", "summary", "--as-of", far, "--out", tmp / "rep-far"
    )
    a["batch --as-of 9999-12-31"] = lambda: run(
        "batch", NJ, "--out", tmp / "batch-far", "--as-of", far, "--jobs", "1"
    )
    a["case as_of: 9999-12-31"] = lambda: run(
        "evaluate", edited(tmp, NJ, "as_of: 2026-05-06", f"as_of: {far}", "far.yaml")
    )
    a["application.date: 0001-01-01"] = lambda: run(
        "evaluate", edited(tmp, SZ, "  date: 2026-09-28", "  date: 0001-01-01", "year1.yaml")
    )

    def due() -> tuple[int, str, str]:
        db = tmp / "due.db"
        run("evaluate", NJ, "--record", "--db", db)
        return run("register", "due", "--within", "99999999", "--db", db, "--as-of", "2026-05-06")

    a["register due --within 99999999"] = due

    def deep_json() -> tuple[int, str, str]:
        path = tmp / "deep.json"
        path.write_text('{"case_id": ' + "[" * 10_000 + "]" * 10_000 + "}", encoding="utf-8")
        return run("evaluate", path)

    a["JSON nested 10,000 deep"] = deep_json

    def deep_yaml() -> tuple[int, str, str]:
        path = tmp / "deep.yaml"
        path.write_text("case_id: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
        return run("evaluate", path)

    a["YAML nested 10,000 deep"] = deep_yaml
    a["trained_managers: 5,001 digits"] = lambda: run(
        "evaluate", edited(tmp, SZ, "trained_managers: 1", "trained_managers: " + "9" * 5001, "digits.yaml")
    )

    def json_digits() -> tuple[int, str, str]:
        path = json_case(tmp, "digits.json", lambda d: None)
        text = path.read_text(encoding="utf-8").replace(
            '{"case_id"', '{"x": ' + "9" * 5001 + ', "case_id"', 1
        )
        path.write_text(text, encoding="utf-8")
        return run("evaluate", path)

    a["JSON integer of 5,001 digits"] = json_digits

    def surrogate(fmt: str) -> Callable[[], tuple[int, str, str]]:
        def go() -> tuple[int, str, str]:
            path = json_case(tmp, "surrogate.json", lambda d: d["organization"].update(name="\ud800bad"))  # type: ignore[union-attr]
            return run("evaluate", path, "--format", fmt)

        return go

    a["JSON lone surrogate, --format json"] = surrogate("json")
    a["JSON lone surrogate, --format html"] = surrogate("html")

    def nc_surrogate() -> tuple[int, str, str]:
        path = json_case(tmp, "nc.json", lambda d: None, HZ)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"statement": "', '"statement": "\\ud800', 1), encoding="utf-8")
        return run("evaluate", path, "--format", "json")

    a["JSON lone surrogate in an NC statement"] = nc_surrogate
    a["ESC in organization.name"] = lambda: run(
        "evaluate",
        edited(tmp, NJ, "  name: 南京玄武智能楼宇设备有限公司", '  name: "\\e[31m南京"', "esc.yaml"),
    )

    def esc_raw() -> tuple[int, str, str]:
        return run("evaluate", edited(tmp, NJ, "  name: 南京", "  name: \x07南京", "bel.yaml"))

    a["raw BEL in organization.name"] = esc_raw

    def nul() -> tuple[int, str, str]:
        return run("evaluate", edited(tmp, NJ, "  name: 南京", "  name: \x00南京", "nul.yaml"))

    a["NUL byte in plain YAML"] = nul

    def crlf() -> tuple[int, str, str]:
        path = tmp / "crlf.yaml"
        path.write_bytes(NJ.read_bytes().replace(b"\n", b"\r\n"))
        return run("evaluate", path, "--format", "json")

    a["CRLF line endings"] = crlf

    def long_list(suffix: str) -> Callable[[], tuple[int, str, str]]:
        def go() -> tuple[int, str, str]:
            path = tmp / f"long{suffix}"
            items = ",".join(["1"] * 1_000_000)
            path.write_text('{"case_id": "X", "incidents": [' + items + "]}", encoding="utf-8")
            return run("evaluate", path)

        return go

    a["list of 10^6 items (YAML)"] = long_list(".yaml")
    a["list of 10^6 items (JSON)"] = long_list(".json")
    a["evaluate --out ''"] = lambda: run("evaluate", NJ, "--out", "", "--format", "json", cwd=tmp)
    a["report --out ''"] = lambda: run("report", NJ, "--kind", "summary", "--out", "", cwd=tmp)

    def notdir(cmd: str, sub: str) -> Callable[[], tuple[int, str, str]]:
        def go() -> tuple[int, str, str]:
            (tmp / "afile").write_text("x")
            out = sub.replace("AFILE", str(tmp / "afile"))
            if cmd == "evaluate":
                return run("evaluate", NJ, "--out", out, "--format", "json")
            return run("report", NJ, "--kind", "summary", "--out", out)

        return go

    a["evaluate --out afile/sub"] = notdir("evaluate", "AFILE/sub")
    a["evaluate --out /dev/null"] = notdir("evaluate", "/dev/null")
    a["report --out afile/sub"] = notdir("report", "AFILE/sub")
    a["report --out /dev/null"] = notdir("report", "/dev/null")

    def on_tmpfs(cmd: str, spoil: list[str]) -> Callable[[], tuple[int, str, str] | None]:
        """`cmd` writing into a small tmpfs spoiled by the command `spoil` (MNT: its path)."""

        def go() -> tuple[int, str, str] | None:
            mnt = tmpfs(tmp, f"fs-{cmd}-{len(spoil)}", "16k")
            if mnt is None:
                return None
            try:
                subprocess.run([part.replace("MNT", str(mnt)) for part in spoil], capture_output=True)
                if cmd == "evaluate":
                    return run("evaluate", NJ, "--out", mnt, "--format", "json")
                return run("report", NJ, "--kind", "summary", "--out", mnt)
            finally:
                umount(mnt)

        return go

    read_only = ["mount", "-o", "remount,ro", "MNT"]
    fill = ["dd", "if=/dev/zero", "of=MNT/filler", "bs=4k", "count=100"]
    a["evaluate --out read-only fs (EROFS)"] = on_tmpfs("evaluate", read_only)
    a["report --out read-only fs (EROFS)"] = on_tmpfs("report", read_only)
    a["evaluate --out full fs (ENOSPC)"] = on_tmpfs("evaluate", fill)
    a["report --out full fs (ENOSPC)"] = on_tmpfs("report", fill)
    a["evaluate --out, ulimit -f 1 (EFBIG)"] = lambda: run(
        "evaluate", HZ, "--out", tmp / "efbig", "--format", "html", pre="ulimit -f 1;"
    )

    # ---- packs
    def pack_run(pack: Path) -> tuple[int, str, str]:
        return run("evaluate", NJ, "--pack", pack, "--format", "json")

    def empty_file() -> tuple[int, str, str]:
        pack = pack_copy(tmp, "p-empty")
        (pack / "rules" / "eligibility.yaml").write_text("")
        return pack_run(pack)

    def renamed() -> tuple[int, str, str]:
        pack = pack_copy(tmp, "p-yml")
        (pack / "rules" / "certificate.yaml").rename(pack / "rules" / "certificate.yml")
        return pack_run(pack)

    def no_rules() -> tuple[int, str, str]:
        pack = pack_copy(tmp, "p-norules")
        shutil.rmtree(pack / "rules")
        return pack_run(pack)

    def dir_named_yaml() -> tuple[int, str, str]:
        pack = pack_copy(tmp, "p-dir")
        (pack / "rules" / "zz.yaml").mkdir()
        return pack_run(pack)

    a["pack: empty rules/eligibility.yaml"] = empty_file
    a["pack: certificate.yaml renamed .yml"] = renamed
    a["pack: rules/ deleted"] = no_rules
    a["pack: a directory rules/zz.yaml"] = dir_named_yaml

    def fresh(name: str, old: str, new: str, file: str = "pack.yaml") -> Callable[[], tuple[int, str, str]]:
        def go() -> tuple[int, str, str]:
            d = tmp / name
            d.mkdir()
            return pack_run(pack_edit(d, old, new, file))

        return go

    a["pack: predicate refers to itself"] = fresh(
        "p-self",
        "    for_each: change\n    when:\n      any:\n",
        "    for_each: change\n    when:\n      any:\n        - {ref: triggering_change}\n",
    )
    a["pack: 5,000-digit parameter"] = fresh(
        "p-digits", "major_days:\n    value: 30", "major_days:\n    value: " + "9" * 5000
    )
    nested = "{all: [" * 480 + "{fact: change.notified, op: eq, value: false}" + "]}" * 480
    a["pack: all: nested 480 deep"] = fresh(
        "p-nest", "      - {fact: change.notified, op: eq, value: false}", "      - " + nested
    )
    a["pack: major_days 3000000"] = fresh(
        "p-major", "major_days:\n    value: 30", "major_days:\n    value: 3000000"
    )
    a["pack: validity_months 100000000"] = fresh(
        "p-valid", "validity_months:\n    value: 36", "validity_months:\n    value: 100000000"
    )
    a["pack: validity_months -36"] = fresh(
        "p-neg", "validity_months:\n    value: 36", "validity_months:\n    value: -36"
    )
    a["pack: grade threshold 195 /100"] = fresh(
        "p-grade", "{id: five_star, min: 95,", "{id: five_star, min: 195,"
    )
    a["pack: category maxima sum 105"] = fresh("p-sum", "system: {max: 40,", "system: {max: 45,")
    a["rules lint: major_days 3000000"] = lambda: run(
        "rules",
        "lint",
        "--pack",
        pack_edit(
            Path(tempfile.mkdtemp(dir=tmp)), "major_days:\n    value: 30", "major_days:\n    value: 3000000"
        ),
    )

    # ---- output safety
    def csv_injection() -> tuple[int, str, str]:
        db = tmp / "csv.db"
        case = edited(
            tmp, NJ, "  name: 南京玄武智能楼宇设备有限公司", "  name: '=HYPERLINK(\"x\")'", "csv.yaml"
        )
        run("evaluate", case, "--record", "--db", db)
        code, out, _ = run("register", "due", "--format", "csv", "--db", db, "--as-of", "2026-05-06")
        return (
            code,
            out,
            "cell starts with '=': "
            + str(any(c.startswith("=") for row in csv.reader(io.StringIO(out)) for c in row)),
        )

    a["register due --format csv, name =HYPERLINK"] = csv_injection

    def bidi() -> tuple[int, str, str]:
        code, out, _ = run(
            "evaluate", edited(tmp, HZ, "statement: 未进行", "statement: \u202e未进行", "bidi.yaml")
        )
        return code, out, "raw U+202E on the terminal: " + str("\u202e" in out)

    a["--format text, U+202E in an NC statement"] = bidi
    return a


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        for name, attack in attacks(Path(tmpdir)).items():
            if args.only and args.only not in name:
                continue
            outcome = attack()
            if outcome is None:
                results[name] = ("skipped", "mount not permitted")
            else:
                code, _, err = outcome
                first = next((line for line in err.splitlines() if line.strip()), "")
                results[name] = (code, first[:150])
            print(f"{name:42} {results[name][0]!s:8} {results[name][1]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    main()
