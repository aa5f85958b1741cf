"""Where each part of a case goes in the workbook (SPEC §9): data, not code.

`SHEETS` lists the sheets in workbook order with the stages that need them; `PLACEMENT` maps a
case path (lists written with `[]`) to its sheet, the most specific prefix winning, so a field
the case shape gains later lands on the sheet of its section without a change here.  Sections
of SPEC §6.1 / §7.1 are listed already: a path the shape does not have is simply never asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.case_model import ITEM_ID_PREFIXES, STAGES
from ..base.i18n import Text

FORMAT = "certeval-sheet/1"  # written in A1 of every sheet: marks the hidden key column as ours
LISTS_SHEET = "_lists"  # hidden sheet holding the drop-down choices
NONE_MARK = "（无）"  # a list given, with no entries (`evidence: []`), as opposed to a list left out
NONE_MARKS = ("（无）", "(无)", "无", "(none)", "none")
MORE_LINES = "\n"  # separates the entries of a short list of strings written in one cell

EVALUATED = ("initial", "surveillance", "recertification", "change")
CERTIFIED = ("surveillance", "recertification", "change")
REVIEWED = ("application", "initial", "recertification")


@dataclass(frozen=True)
class SheetDef:
    key: str  # stable name in the hidden marker: a renamed sheet is recognised by it
    name: str  # the sheet's title, as the auditor sees it
    label_en: str
    stages: tuple[str, ...]


SHEETS: tuple[SheetDef, ...] = (
    SheetDef("basic", "基本信息", "Basic information", STAGES),
    SheetDef("licences", "资质与许可", "Licences and permits", STAGES),
    SheetDef("incidents", "事故与投诉", "Accidents and complaints", STAGES),
    SheetDef("scores", "评分表", "Score sheet", EVALUATED),
    SheetDef("nonconformities", "不符合项", "Nonconformities", EVALUATED),
    SheetDef("special", "特别扣分与加分", "Special deductions and bonus", EVALUATED),
    SheetDef("evidence", "证据", "Evidence", REVIEWED),
    SheetDef("team", "评价组与场所", "Evaluation team and sites", EVALUATED),
    SheetDef("certificate", "证书与监督", "Certificate and surveillance", CERTIFIED),
    SheetDef("changes", "变更", "Changes", STAGES),
    SheetDef("decision", "认证决定", "Certification decision", STAGES),
)
DEFAULT_SHEET = "basic"  # where a section nobody placed goes

PLACEMENT: dict[str, str] = {
    "": "basic",
    "organization": "basic",
    "service_system": "basic",
    "application": "basic",
    "organization.licences": "licences",
    "incidents": "incidents",
    "evaluation": "scores",
    "evaluation.scores": "scores",
    "evaluation.excluded": "scores",
    "evaluation.nonconformities": "nonconformities",
    "evaluation.nonconformities[].responses": "nonconformities",
    "evaluation.nonconformities[].verifications": "nonconformities",
    "evaluation.special_deductions": "special",
    "evaluation.special_deductions[].responses": "special",
    "evaluation.special_deductions[].verifications": "special",
    "evaluation.special_bonus": "special",
    "evidence": "evidence",
    "evaluation.team": "team",
    "evaluation.sites": "team",
    "certificate": "certificate",
    "surveillance": "certificate",
    "extension": "certificate",
    "changes": "changes",
    "decision": "decision",
}

# The score sheet folds the list of exclusions into the indicator rows (excluded 是/否, justification).
SCORES = "evaluation.scores"
EXCLUDED = "evaluation.excluded"

# Items that child rows (responses, verifications) refer to, and their default ids (SPEC §6.1).
ID_PREFIXES: dict[str, str] = {f"evaluation.{key}": prefix for key, prefix in ITEM_ID_PREFIXES.items()}
PARENT_COLUMN = "@item"
SCALAR_KEY = "[]"  # the one column of a list of strings
PARENT_LABEL = Text("所属项编号", "Item id")

BOOL_WORDS: dict[str, bool] = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "y": True,
    "n": False,
}
BOOL_CHOICES = ("是", "否")


def sheet_for(generic_path: str) -> str:
    """The sheet key of a case path (`evaluation.nonconformities[].statement`)."""
    probe = generic_path
    while True:
        if probe in PLACEMENT:
            return PLACEMENT[probe]
        if not probe:
            return DEFAULT_SHEET
        cut = max(probe.rfind("."), probe.rfind("[]"))
        probe = probe[:cut] if cut > 0 else ""


def sheet_def(key: str) -> SheetDef:
    return next(s for s in SHEETS if s.key == key)
