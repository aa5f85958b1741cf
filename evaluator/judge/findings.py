"""From a firing (rule × fact) to a finding: message, facts, action and its due date."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..base.case_model import Case
from ..base.dates import add_days
from ..base.i18n import SEVERITIES, Text
from ..engines import Firing
from ..packs.ir import compile_python
from ..packs.model import Pack, Rule

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\.([a-z_0-9]+)\}")
_INDEX = re.compile(r"\[(\d+)\]")
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Action:
    text: Text
    due: dt.date


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: str
    subject: str | None
    message: Text
    facts: dict[str, Any]  # JSON-ready
    action: Action | None
    recommends: str | None  # the certificate status this finding argues for
    values: dict[str, Any]  # the fact's values, for reports and explain

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def audience(self) -> str:
        return self.rule.audience


_BOOL_WORDS = {("zh", True): "是", ("zh", False): "否", ("en", True): "yes", ("en", False): "no"}


def format_value(value: Any, lang: str) -> str:
    """A fact or parameter value as it reads inside a message."""
    kind = type(value)
    if kind is str:
        return str(value)
    if value is None:
        return "—"
    if kind is bool:
        return _BOOL_WORDS[lang, value]
    if kind is dt.date:
        return str(value.isoformat())
    if kind is Text:
        return str(value.get(lang))
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(format_value(v, lang) for v in value)
    return str(value)


def format_number(value: float) -> str:
    """Truncated (never rounded up) to 2 decimals, without trailing zeros."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    number = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def json_value(value: Any) -> Any:
    """A fact value in the result JSON."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


@functools.lru_cache(maxsize=1024)
def _template(text: str) -> tuple[tuple[str, str | None, bool], ...]:
    """A message split once into (literal, placeholder field, is a parameter) pieces."""
    pieces: list[tuple[str, str | None, bool]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append((text[position : match.start()], match.group(2), match.group(1) == "param"))
        position = match.end()
    pieces.append((text[position:], None, False))
    return tuple(pieces)


# A template compiled for one pack and language: literal text (parameters already written out,
# they are the pack's constants) alternating with the names of the fact fields to fill in.
Compiled = tuple[str, tuple[tuple[str, str], ...]]


def _compile(template: str, params: dict[str, Any], lang: str) -> Compiled:
    head = ""
    tail: list[tuple[str, str]] = []  # (field, the literal after it)
    for literal, name, is_param in _template(template):
        text = literal
        if name is not None and is_param:
            text += format_value(params.get(name), lang)
        if tail:
            tail[-1] = (tail[-1][0], tail[-1][1] + text)
        else:
            head += text
        if name is not None and not is_param:
            tail.append((name, ""))
    return head, tuple(tail)


def _fill(compiled: Compiled, values: dict[str, Any], lang: str) -> str:
    head, tail = compiled
    if not tail:
        return head
    parts = [head]
    for name, literal in tail:
        parts.append(format_value(values.get(name), lang))
        parts.append(literal)
    return "".join(parts)


@dataclass(frozen=True)
class _RuleTexts:
    """What a rule's findings share, prepared once per (rule, pack)."""

    rule: Rule
    pack: Pack
    message: tuple[Compiled, Compiled]  # zh, en
    action: tuple[Compiled, Compiled] | None
    recommends: Callable[[dict[str, Any]], bool] | None  # the compiled `recommends.when`
    title: dict[str, str]
    clause_ref: dict[str, Any] | None
    fact_fields: tuple[str, ...]


_RULE_TEXTS: dict[tuple[int, int], _RuleTexts] = {}


def _rule_texts(rule: Rule, pack: Pack) -> _RuleTexts:
    """By identity (packs live as long as the process); the entry keeps both alive and is
    checked against them, so a recycled id can never return another rule's texts."""
    texts = _RULE_TEXTS.get((id(rule), id(pack)))
    if texts is not None and texts.rule is rule and texts.pack is pack:
        return texts
    params = pack.param_values()

    def both(text: Text) -> tuple[Compiled, Compiled]:
        return _compile(text.zh, params, "zh"), _compile(text.en, params, "en")

    when = rule.recommends.when if rule.recommends else None
    texts = _RuleTexts(
        rule=rule,
        pack=pack,
        message=both(rule.message),
        action=both(rule.action) if rule.action is not None else None,
        recommends=compile_python(when, params) if when is not None else None,
        title=rule.title.as_dict(),
        clause_ref=None if rule.clause_ref is None else rule.clause_ref.as_dict(),
        fact_fields=tuple(ref.field for ref in rule.facts),
    )
    _RULE_TEXTS[id(rule), id(pack)] = texts
    return texts


def anchor_date(rule: Rule, case: Case) -> dt.date:
    """What an action's due date counts from: the evaluation for findings drawn from it."""
    if rule.anchor == "evaluation" and case.evaluation is not None:
        return case.evaluation.date
    return case.as_of


def action_due(rule: Rule, severity: str, values: dict[str, Any], case: Case, pack: Pack) -> dt.date:
    """A date field of the fact (`due: {fact: …}`), else the anchor + the rule's days parameter
    (`due: {days: …}`), else the anchor + major_days / minor_days (SPEC 1, 6.3)."""
    if rule.due_fact is not None and values.get(rule.due_fact.field) is not None:
        day: dt.date = values[rule.due_fact.field]
        return day
    days = rule.due_days or f"{severity}_days"
    return add_days(anchor_date(rule, case), pack.integer(days))


def build_finding(firing: Firing, case: Case, pack: Pack) -> Finding:
    rule, fact = firing.rule, firing.fact
    values = fact.values
    texts = _rule_texts(rule, pack)
    severity = str(values[rule.severity_fact.field]) if rule.severity_fact else rule.severity
    action = None
    if texts.action is not None and severity in ("major", "minor"):
        due = action_due(rule, severity, values, case, pack)
        zh, en = texts.action
        action = Action(Text(_fill(zh, values, "zh"), _fill(en, values, "en")), due)
    recommends = None
    if rule.recommends and (texts.recommends is None or texts.recommends(values)):
        recommends = rule.recommends.status
    zh, en = texts.message
    return Finding(
        rule=rule,
        severity=severity,
        subject=fact.subject,
        message=Text(_fill(zh, values, "zh"), _fill(en, values, "en")),
        facts={name: json_value(values[name]) for name in texts.fact_fields},
        action=action,
        recommends=recommends,
        values=values,
    )


def subject_key(subject: str | None) -> tuple[int, tuple[tuple[int, Any], ...]]:
    """SPEC 4: a null subject first; list indices compared as numbers (changes[2] < changes[10])."""
    if subject is None:
        return (0, ())
    parts = _INDEX.split(subject)
    return (1, tuple((i % 2, int(p) if i % 2 else p) for i, p in enumerate(parts)))


def order_key(finding: Finding) -> tuple[int, str, tuple[int, tuple[tuple[int, Any], ...]]]:
    return (SEVERITY_RANK[finding.severity], finding.rule.id, subject_key(finding.subject))


def finding_json(finding: Finding) -> dict[str, Any]:
    action = finding.action
    return {
        "action": None if action is None else {**action.text.as_dict(), "due": action.due.isoformat()},
        "audience": finding.rule.audience,
        "clause": finding.rule.clause,
        "clause_ref": None if finding.rule.clause_ref is None else finding.rule.clause_ref.as_dict(),
        "facts": finding.facts,
        "message": finding.message.as_dict(),
        "rule": finding.rule.id,
        "severity": finding.severity,
        "subject": finding.subject,
        "title": finding.rule.title.as_dict(),
    }
