"""Rule maintainers' views of a pack: the rule table."""

from __future__ import annotations

import json

from .packs.model import Pack


def rule_rows(pack: Pack) -> list[dict[str, object]]:
    return [
        {
            "id": rule.id,
            "area": rule.area,
            "severity": rule.severity,
            "audience": rule.audience,
            "stages": list(rule.stages) or ["all"],
            "for_each": rule.for_each,
            "clause": rule.clause,
            "title": rule.title.as_dict(),
            "pack": rule.pack,
        }
        for rule in sorted(pack.rules, key=lambda r: r.id)
    ]


def rule_table(pack: Pack, fmt: str = "table") -> str:
    rows = rule_rows(pack)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    header = ("ID", "SEVERITY", "AUDIENCE", "STAGES", "CLAUSE", "TITLE")
    table = [header] + [
        (
            str(r["id"]),
            str(r["severity"]),
            str(r["audience"]),
            ",".join(r["stages"]),  # type: ignore[arg-type]
            str(r["clause"]),
            f"{r['title']['zh']} / {r['title']['en']}",  # type: ignore[index]
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in table
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
