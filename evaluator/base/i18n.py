"""Bilingual text and the fixed vocabulary of certeval's output (not policy: labels only)."""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}


SEVERITIES = ("major", "minor", "observation", "info")
AUDIENCES = ("applicant", "client", "body")

SEVERITY_LABELS = {
    "major": Text("严重", "Major"),
    "minor": Text("一般", "Minor"),
    "observation": Text("观察项", "Observation"),
    "info": Text("提示", "Info"),
}
AUDIENCE_LABELS = {
    "applicant": Text("申请组织（受理评审）", "Applicant (application review)"),
    "client": Text("受评组织（不符合项）", "Organisation (nonconformity)"),
    "body": Text("认证机构（认证决定）", "Certification body (decision)"),
}
STAGE_LABELS = {
    "application": Text("认证申请", "Application"),
    "initial": Text("初次评价", "Initial evaluation"),
    "surveillance": Text("监督评价", "Surveillance"),
    "recertification": Text("再认证", "Recertification"),
    "change": Text("变更", "Change"),
}
STATUS_LABELS = {
    "valid": Text("有效", "Valid"),
    "suspended": Text("暂停", "Suspended"),
    "withdrawn": Text("撤销", "Withdrawn"),
    "expired": Text("注销（到期）", "Expired"),
}
SURVEILLANCE_STATE_LABELS = {
    "not_due": Text("未到期", "Not due"),
    "due_soon": Text("即将到期", "Due soon"),
    "overdue": Text("逾期", "Overdue"),
    "extended": Text("已延期", "Extended"),
    "extension_expired": Text("延期已过", "Extension expired"),
    "recertification_due": Text("应再认证", "Recertification due"),
    "not_applicable": Text("不适用", "Not applicable"),
}


@dataclass(frozen=True)
class Punctuation:
    """What joins the parts of a line of plain text: full-width in Chinese."""

    colon: str
    semicolon: str
    comma: str
    open: str
    close: str


PUNCTUATION = {
    "zh": Punctuation("：", "；", "，", "（", "）"),
    "en": Punctuation(": ", "; ", ", ", " (", ")"),
}
