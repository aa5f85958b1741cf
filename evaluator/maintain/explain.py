"""`certeval explain CASE RULE-ID`: why a rule fired, or why it did not.

The trace walks the rule's condition as written (predicates by name, `not` where the author put
it) but decides each comparison exactly as the engines do: negations are pushed down to the
comparisons and a comparison with a null value is false.  So the trace can never disagree with
a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api import Evaluation
from ..base.i18n import PUNCTUATION, STAGE_LABELS, Text
from ..facts.derive import Fact
from ..judge.findings import format_value
from ..packs.catalogue import CATALOGUE, describe
from ..packs.ir import (
    FIRED_PREFIX,
    OPERATORS,
    All,
    AnyOf,
    Compare,
    Cond,
    FactRef,
    Fired,
    Not,
    Param,
    Ref,
    fired_field,
    lower_fired,
)
from ..packs.model import Pack, Rule

WORDS = {
    "fired": Text("已触发", "fired"),
    "not_fired": Text("未触发", "did not fire"),
    "stage": Text(
        "不在本阶段运行：本案例阶段为“{stage}”，该规则只在 {stages} 阶段运行。",
        "does not run at this stage: the case is at stage {stage}; the rule runs at {stages}.",
    ),
    "no_facts": Text(
        "本案例没有 {type} 事实，因此该规则没有可检验的对象。{type} 事实：{description}",
        "the case has no {type} facts, so there is nothing for the rule to test. {type} facts: {description}",
    ),
    "facts": Text(
        "该规则针对 {type} 事实检验，本案例有 {n} 个。", "The rule tests {type} facts; the case has {n}."
    ),
    "holds": Text("成立", "holds"),
    "fails": Text("不成立", "does not hold"),
    "all": Text("以下全部成立", "all of"),
    "any": Text("以下任一成立", "any of"),
    "not": Text("否定（下列各项已取反）", "not (each test below shown negated)"),
    "predicate": Text("谓词 {name}", "predicate {name}"),
    "why_not": Text("不触发的原因", "Why not"),
    "why": Text("触发的原因", "Why"),
    "is": Text("实际为", "is"),
    "null": Text("为空（空值的比较一律不成立）", "null (a comparison with null never holds)"),
    "rule_fired": Text("规则 {rule} 在第一阶段已触发", "rule {rule} fired in stage 1"),
    "rule_not_fired": Text("规则 {rule} 在第一阶段未触发", "rule {rule} did not fire in stage 1"),
    "derived": Text("该事实由 {params} 参数计算", "derived using the pack parameters {params}"),
}
SYMBOLS = {name: op.symbol for name, op in OPERATORS.items()}


def _w(key: str, lang: str, **values: str) -> str:
    return WORDS[key].get(lang).format(**values)


@dataclass
class Step:
    """One node of the trace: its text, whether it held, and its children."""

    text: str
    held: bool
    children: list[Step] = field(default_factory=list)
    conjunctive: bool = True  # all children must hold (an `all`, or an `any` under a `not`)
    leaf: Compare | None = None
    left: Any = None
    right: Any = None


def _operand_text(operand: Any, params: Mapping[str, Any], lang: str) -> str:
    if isinstance(operand, FactRef):
        return str(operand)
    if isinstance(operand, Param):
        return f"{operand.name} ({format_value(params[operand.name], lang)})"
    value = operand.value
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _right_value(compare: Compare, values: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    if isinstance(compare.right, FactRef):
        return values.get(compare.right.field)
    if isinstance(compare.right, Param):
        value = params[compare.right.name]
        return tuple(value) if isinstance(value, list) else value
    return compare.right.value


def trace(
    cond: Cond,
    values: Mapping[str, Any],
    pack: Pack,
    lang: str,
    negated: bool = False,
) -> Step:
    params = pack.param_values()
    if isinstance(cond, Not):
        # the engines run `not` pushed down to the comparisons; so does the trace, and it shows
        # each comparison below in its negated form
        inner = trace(cond.item, values, pack, lang, not negated)
        return Step(_w("not", lang), inner.held, [inner], inner.conjunctive)
    if isinstance(cond, Ref):
        inner = trace(pack.predicates[cond.name].when, values, pack, lang, negated)
        label = _w("predicate", lang, name=cond.name)
        if inner.leaf is not None:
            return Step(label, inner.held, [inner])
        return Step(f"{label}: {inner.text}", inner.held, inner.children, inner.conjunctive)
    if isinstance(cond, (All, AnyOf)):
        children = [trace(c, values, pack, lang, negated) for c in cond.items]
        conjunctive = isinstance(cond, All) != negated  # De Morgan under a negation
        held = all(c.held for c in children) if conjunctive else any(c.held for c in children)
        return Step(_w("all" if conjunctive else "any", lang), held, children, conjunctive)
    if isinstance(cond, Fired):
        # stage 2: the same lowering the engines run, over the flags `stage_values` adds
        return trace(lower_fired(cond, STAGE_ONE), values, pack, lang, negated)
    op = OPERATORS[OPERATORS[cond.op].negation if negated else cond.op]
    left = values.get(cond.left.field)
    right = _right_value(cond, values, params)
    held = left is not None and right is not None and op.test(left, right)
    if cond.left.type == STAGE_ONE:
        wanted = op.test(True, _right_value(cond, values, params))
        text = _w("rule_fired" if wanted else "rule_not_fired", lang, rule=_fired_rule(cond.left.field))
    else:
        text = f"{cond.left} {op.symbol} {_operand_text(cond.right, params, lang)}"
    return Step(text, held, leaf=cond, left=left, right=right)


STAGE_ONE = "stage_one"  # the pseudo fact type of a stage-2 rule's "rule X fired" tests


def _fired_rule(field_name: str) -> str:
    return field_name.removeprefix(FIRED_PREFIX).replace("_", "-")  # rule IDs have no underscores


def stage_values(evaluation: Evaluation, rule: Rule, fact: Fact) -> Mapping[str, Any]:
    """The values a rule saw: a stage-2 rule also sees which stage-1 rules fired (SPEC 6.3)."""
    if not rule.depends_on:
        return fact.values
    fired = {f.rule.id for f in evaluation.findings}
    return {**fact.values, **{fired_field(r): r in fired for r in rule.depends_on}}


def failures(step: Step) -> list[Step]:
    """The comparisons that make a failed step fail: the first failed one where all must hold,
    every alternative's where any would do."""
    if step.held:
        return []
    if step.leaf is not None:
        return [step]
    if step.conjunctive:
        return failures(next(child for child in step.children if not child.held))
    return [leaf for child in step.children for leaf in failures(child)]


def _render(step: Step, lang: str, depth: int, lines: list[str]) -> None:
    mark = "✓" if step.held else "✗"
    detail = ""
    if step.leaf is not None:
        detail = f"  — {_w('is', lang)} {_shown(step.left, lang)}"
        if isinstance(step.leaf.right, FactRef):
            detail += f", {step.leaf.right} {_w('is', lang)} {_shown(step.right, lang)}"
        if step.leaf.left.type == STAGE_ONE:
            detail = ""
    lines.append(f"{'  ' * depth}{mark} {step.text}{detail}")
    for child in step.children:
        _render(child, lang, depth + 1, lines)


def _shown(value: Any, lang: str) -> str:
    return _w("null", lang) if value is None else format_value(value, lang)


def _describe_leaf(step: Step, values: Mapping[str, Any], lang: str) -> str:
    assert step.leaf is not None
    ref = step.leaf.left
    if ref.type == STAGE_ONE:
        return _w("rule_fired" if step.left else "rule_not_fired", lang, rule=_fired_rule(ref.field))
    fdef = CATALOGUE[ref.type].fields[ref.field]
    mark = PUNCTUATION[lang]
    text = f"{ref} {_w('is', lang)} {_shown(step.left, lang)}"
    if isinstance(step.leaf.right, FactRef):
        text += f"{mark.comma}{step.leaf.right} {_w('is', lang)} {_shown(step.right, lang)}"
    text += f"{mark.open}{describe(f'{ref.type}.{ref.field}', lang)}{mark.close}"
    if fdef.params:
        text += mark.semicolon + _w("derived", lang, params=", ".join(fdef.params))
    if fdef.see:
        related = (f"{name} {_shown(values.get(name), lang)}" for name in fdef.see)
        text += mark.semicolon + mark.comma.join(related)
    return text


def explain(evaluation: Evaluation, rule: Rule, lang: str = "zh") -> str:
    """The explanation, in `lang` (zh or en)."""
    if lang == "both":
        return explain(evaluation, rule, "zh") + "\n" + explain(evaluation, rule, "en")
    case, pack = evaluation.case, evaluation.pack
    fired = {f.subject for f in evaluation.findings if f.rule.id == rule.id}
    status = _w("fired" if any(f.rule.id == rule.id for f in evaluation.findings) else "not_fired", lang)
    lines = [f"{rule.id} {rule.title.get(lang)} — {status} ({case.case_id}, {case.as_of.isoformat()})"]
    if rule.stages and case.stage not in rule.stages:
        stages = ", ".join(STAGE_LABELS[s].get(lang) for s in rule.stages)
        lines.append(_w("stage", lang, stage=STAGE_LABELS[case.stage].get(lang), stages=stages))
        return "\n".join(lines) + "\n"
    facts: list[Fact] = [f for f in evaluation.derived.facts if f.type == rule.for_each]
    if not facts:
        lines.append(_w("no_facts", lang, type=rule.for_each, description=describe(rule.for_each, lang)))
        return "\n".join(lines) + "\n"
    lines.append(_w("facts", lang, type=rule.for_each, n=str(len(facts))))
    colon = PUNCTUATION[lang].colon
    for fact in facts:
        step = trace(rule.when, stage_values(evaluation, rule, fact), pack, lang)
        lines.append("")
        held = _w("holds" if step.held else "fails", lang)
        lines.append(f"{fact.subject or rule.for_each}{colon}{held}")
        tree: list[str] = []
        _render(step, lang, 1, tree)
        lines.extend(tree)
        if step.held != (fact.subject in fired):
            raise RuntimeError(f"explain disagrees with the engine on {rule.id} {fact.subject}")
        if not step.held:
            lines.append(f"  {_w('why_not', lang)}{colon.rstrip()}")
            for leaf in failures(step):
                lines.append(
                    f"    - {leaf.text} {_w('fails', lang)}{colon}{_describe_leaf(leaf, fact.values, lang)}"
                )
    return "\n".join(lines) + "\n"
