"""Rule maintainers' views of a pack: the rule table."""

from __future__ import annotations

from ..outputs.tables import render_rows
from ..packs.model import Pack

COLUMNS = ("id", "severity", "audience", "stages", "clause", "title")


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
            "title": f"{rule.title.zh} / {rule.title.en}",
            "pack": rule.pack,
        }
        for rule in sorted(pack.rules, key=lambda r: r.id)
    ]


def rule_table(pack: Pack, fmt: str = "table") -> str:
    rows = rule_rows(pack)
    return render_rows(rows, [*COLUMNS, "area", "for_each", "pack"] if fmt == "json" else COLUMNS, fmt)
