"""The catalogue of case validation messages, keyed by problem code, in Chinese and English
(SPEC §10).

The validator (base/schema_language.py, case/checks.py, case/loader.py) sets each problem's
`code` and the `values` its message is built from; the command line keeps printing the
problem's own English `message`.  A page says the message in its language with `say`.  The
English templates here rebuild that same English (a test checks it over bad cases), so a page
in English and the command line agree word for word.  A problem without a code, or with one
this catalogue does not know, is said in its English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..base.errors import Problem
from ..base.i18n import STAGE_LABELS, Text
from ..base.schema_language import describe
from .field_docs import field_doc

CATALOGUE: dict[str, Text] = {
    # ------------------------------------------------------------------- one field (the schema)
    "type.string": Text("应为文本，而不是{value}", "must be a string, not {value}"),
    "type.boolean": Text(
        "应为“是”或“否”（true / false），而不是{value}", "must be true or false, not {value}"
    ),
    "type.integer": Text("应为整数，而不是{value}", "must be a whole number, not {value}"),
    "type.number": Text("应为数字，而不是{value}", "must be a number, not {value}"),
    "type.date": Text("应为日期（YYYY-MM-DD），而不是{value}", "must be a date (YYYY-MM-DD), not {value}"),
    "type.mapping": Text("应为一组字段（映射），而不是{value}", "must be a mapping, not {value}"),
    "type.list": Text("应为列表，而不是{value}", "must be a list, not {value}"),
    "type.either": Text("应为{expected}，而不是{value}", "must be {expected}, not {value}"),
    "string.too_long": Text(
        "长度为 {length} 个字符，超过上限 {limit}", "is {length} characters long, over the limit of {limit}"
    ),
    "string.pattern": Text("此处不允许{value}{hint}", "{value} is not allowed here{hint}"),
    "enum.unknown": Text(
        "{value}不是可选值之一：{choices}{suggestion}", "{value} is not one of: {choices}{suggestion}"
    ),
    "number.below_minimum": Text("{number} 小于最小值 {minimum}", "{number} is below the minimum {minimum}"),
    "number.not_finite": Text("应为有限的数字，而不是 {number}", "must be a finite number, not {number}"),
    "date.out_of_range": Text(
        "{day} 超出有效日期范围 {range}", "{day} is outside the meaningful range {range}"
    ),
    "date.not_calendar": Text("“{text}”不是日历上存在的日期", '"{text}" is not a calendar date'),
    "date.impossible": Text("{text} 不是日历上存在的日期", "{text} is not a calendar date"),
    "date.format": Text(
        "“{text}”不是日期：日期写作 YYYY-MM-DD", '"{text}" is not a date: dates are written YYYY-MM-DD'
    ),
    "key.not_string": Text("键{key}应为文本", "key {key} must be a string"),
    "key.unknown": Text("未知的字段{suggestion}", "unknown key{suggestion}"),
    "key.missing": Text("缺少必填项{note}", "missing required key{note}"),
    "dict.key_invalid": Text("{key}不是有效的标识符", "{key} is not a valid identifier"),
    "dict.key_unknown": Text("未知的{key_name}{suggestion}", "unknown {key_name}{suggestion}"),
    "dict.key_missing": Text("缺少：每个{key_name}都须填写", "missing: every {key_name} must be given"),
    # ---------------------------------------------------------------------- the whole document
    "file.unreadable": Text("无法读取：{reason}", "cannot read: {reason}"),
    "document.empty": Text("案例文件为空", "the case file is empty"),
    "document.not_mapping": Text("案例文件不是一组字段（映射）", "the case file is not a mapping of fields"),
    "pack.unknown": Text(
        "未知的规则包 '{pack}'（内置：{known}）", "unknown rule pack '{pack}' (built-in: {known})"
    ),
    # ------------------------------------------------------------- several fields (case/checks)
    "date.after": Text("{day} 晚于{other}（{other_day}）", "{day} is after {other} {other_day}"),
    "date.before": Text("{day} 早于{other}（{other_day}）", "{day} is before {other} {other_day}"),
    "date.out_of_order": Text(
        "{day} 早于上一条（{previous}）：请按时间先后排列",
        "{day} is before the entry above it ({previous}): list them oldest first",
    ),
    "date.after_decision": Text(
        "{day} 晚于认证决定日期 {decision_day}：决定不可能知道此事",
        "{day} is after decision.date {decision_day}: the decision cannot know it",
    ),
    "needs_certificate": Text(
        "需要证书：只有已获证组织才有此项", "needs a certificate: only a certified organisation has one"
    ),
    "certificate.suspended_on": Text("状态为暂停时须填写暂停日期", "status suspended needs suspended_on"),
    "score.exceeds_available": Text(
        "得分 {awarded} 超过应得分 {available}", "{awarded} exceeds available {available}"
    ),
    "score.available_differs": Text(
        "应得分 {available} 与规则包规定的 {points} 分不同",
        "{available} differs from the pack's {points} points",
    ),
    "score.category_sum": Text(
        "“{category_label}”各指标的应得分合计为 {total}，不等于该类满分 {maximum}",
        "available points of the {category} indicators add up to {total}, not the category maximum {maximum}",
    ),
    "score.none_available": Text(
        "适用的指标没有应得分", "the applicable indicators have no available points"
    ),
    "item.listed_twice": Text("{item} 重复列出", "{item} is listed twice"),
    "item.excluded_twice": Text("{item} 重复排除", "{item} is excluded twice"),
    "item.id_taken": Text("{id} 已是 {other} 的编号", "{id} is also the id of {other}"),
    "site.unknown": Text(
        "“{site}”不是评价场所（evaluation.sites）中的名称", '"{site}" is not a name in evaluation.sites'
    ),
    "observation.no_replies": Text(
        "观察项不带回复或验证", "an observation carries no responses or verifications"
    ),
    "verification.before_response": Text(
        "验证日期为 {day}，但此前（含当日）未收到任何回复",
        "verified on {day} but no response was received on or before that date",
    ),
    "decision.needs_evaluation": Text(
        "{stage}阶段的认证决定需要其所依据的评价",
        "a decision at stage {stage} needs the evaluation it decides on",
    ),
    "decision.needs_grade": Text(
        "结论 {outcome} 须写明所决定的等级", "outcome {outcome} needs the grade decided"
    ),
    "decision.takes_no_grade": Text("结论 {outcome} 不带等级", "outcome {outcome} takes no grade"),
}

# The pattern hints and required notes the case shape writes, in Chinese.
_HINTS_ZH = {
    "letters, digits, '.', '_', '-'; at most 64; no path": "字母、数字、'.'、'_'、'-'；至多 64 个；无路径",
    "letters, digits, '.', '_', '-'; at most 32": "字母、数字、'.'、'_'、'-'；至多 32 个",
    "a rule pack id": "规则包编号",
    "must not be blank": "不得为空白",
}
_KEY_NAMES_ZH = {"indicator": "指标", "key": "键"}
_AT_STAGE = re.compile(r"at stage (\w+)")
_DID_YOU_MEAN = re.compile(r" \(did you mean '(.*)'\?\)")


def _field_label_zh(path: str) -> str:
    found = field_doc(path)
    return f"{found[0].zh}（{path}）" if found else path


def _note_zh(note: str) -> str:
    stage = _AT_STAGE.fullmatch(note)
    if stage:
        label = STAGE_LABELS.get(stage.group(1))
        return f"（{label.zh if label else stage.group(1)}阶段必填）"
    return f"（{note}）" if note else ""


def _suggestion_zh(hint: str) -> str:
    found = _DID_YOU_MEAN.fullmatch(hint)
    return f"（是否应为 '{found.group(1)}'？）" if found else hint


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


_Say = Callable[[Mapping[str, Any]], str]
# How each value is written into a template, by its name: (English, Chinese).
_VALUE_TEXT: dict[str, tuple[_Say, _Say]] = {
    "value": (lambda v: describe(v["value"]), lambda v: describe(v["value"], "zh")),
    "key": (lambda v: describe(v["key"]), lambda v: describe(v["key"], "zh")),
    "choices": (lambda v: ", ".join(v["choices"]), lambda v: "、".join(v["choices"])),
    "suggestion": (lambda v: v["suggestion"], lambda v: _suggestion_zh(v["suggestion"])),
    "hint": (
        lambda v: f" ({v['hint']})" if v["hint"] else "",
        lambda v: f"（{_HINTS_ZH.get(v['hint'], v['hint'])}）" if v["hint"] else "",
    ),
    "note": (lambda v: f" ({v['note']})" if v["note"] else "", lambda v: _note_zh(v["note"])),
    "key_name": (
        lambda v: str(v["key_name"]),
        lambda v: str(_KEY_NAMES_ZH.get(v["key_name"], v["key_name"])),
    ),
    "other": (lambda v: v["other"], lambda v: _field_label_zh(v.get("other_path", v["other"]))),
    "stage": (
        lambda v: v["stage"],
        lambda v: STAGE_LABELS[v["stage"]].zh if v["stage"] in STAGE_LABELS else v["stage"],
    ),
    "category_label": (lambda v: v["category_label"].en, lambda v: v["category_label"].zh),
    "pack": (lambda v: v["pack"], lambda v: v["pack"]),
}


def _texts(values: Mapping[str, Any], lang: str) -> dict[str, str]:
    side = 0 if lang == "en" else 1
    out = {}
    for name, value in values.items():
        say = _VALUE_TEXT.get(name)
        out[name] = say[side](values) if say else _day(value)
    return out


def say(problem: Problem, lang: str) -> str:
    """The problem's message in `lang` (zh or en), without file, line or field."""
    template = CATALOGUE.get(problem.code)
    if template is None:
        return problem.message
    try:
        return template.get(lang).format(**_texts(problem.values, lang))
    except (
        KeyError,
        IndexError,
        AttributeError,
    ):  # values the template does not expect: a bug, but a message still
        return problem.message
