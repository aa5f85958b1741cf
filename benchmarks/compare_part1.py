"""Compare findings before/after Part II for cases that use none of the new keys.

    python benchmarks/compare_part1.py OLD_CERTEVAL NEW_CERTEVAL CASE...

Prints, per case, the findings whose (rule, subject, severity, audience, Part I facts, action
due) differ; Part II's stated exceptions (NC-RESPONSE-OVERDUE, SURV-OVERDUE's due, the new facts
id/state/respond_by of AUDIT-NC and SCORE-SPECIAL-DEDUCTION) are reported separately.
"""

from __future__ import annotations

import json
import subprocess
import sys

NEW_FACTS = {"id", "state", "respond_by"}


def findings(certeval: str, case: str) -> dict[tuple[str, str | None], tuple[object, ...]]:
    out = subprocess.run([certeval, "evaluate", case, "--format", "json"], capture_output=True, text=True)
    result = json.loads(out.stdout)
    rows = {}
    for f in result["findings"]:
        facts = {k: v for k, v in f["facts"].items() if k not in NEW_FACTS}
        due = f["action"]["due"] if f["action"] else None
        rows[f["rule"], f["subject"]] = (f["severity"], f["audience"], json.dumps(facts, sort_keys=True), due)
    return rows


def main() -> None:
    old, new, *cases = sys.argv[1:]
    same = differ = excepted = 0
    for case in cases:
        a, b = findings(old, case), findings(new, case)
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) == b.get(key):
                same += 1
            elif key[0] == "NC-RESPONSE-OVERDUE" or (
                key[0] == "SURV-OVERDUE" and a.get(key, ())[:3] == b.get(key, ())[:3]
            ):
                excepted += 1
                print(f"exception {case}: {key} {a.get(key)} -> {b.get(key)}")
            else:
                differ += 1
                print(f"DIFFERS {case}: {key} {a.get(key)} -> {b.get(key)}")
    print(
        f"cases {len(cases)}: findings unchanged {same}, SPEC exceptions {excepted},"
        f" other differences {differ}"
    )


if __name__ == "__main__":
    main()
