"""The rule catalogue against SPEC: IDs, severities, audiences, clauses, texts, facts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from evaluator import load_pack
from evaluator.api import run
from evaluator.base.i18n import Text
from evaluator.case.loader import build_case
from evaluator.maintain.synthetic import synthetic_case
from evaluator.packs import builtin_pack_ids
from evaluator.packs.catalogue import CATALOGUE
from evaluator.packs.catalogue_zh import DESCRIPTIONS_ZH

# SPEC section 1: every rule ID with its severity and audience ("recorded": as the auditor recorded).
SPEC_RULES = {
    "ELIG-LEGAL-ENTITY": ("major", "applicant"),
    "ELIG-CREDIT-CODE": ("major", "applicant"),
    "ELIG-LICENCE": ("major", "applicant"),
    "ELIG-LEGAL-COMPLIANCE": ("major", "applicant"),
    "ELIG-MAJOR-INCIDENT": ("major", "applicant"),
    "ELIG-SYSTEM-OPERATING": ("major", "applicant"),
    "ELIG-RULES-DOCUMENTED": ("major", "applicant"),
    "ELIG-RESPONSIBLE-PERSON": ("major", "applicant"),
    "ELIG-DEDICATED-FUND": ("major", "applicant"),
    "ELIG-TRAINED-MANAGERS": ("major", "applicant"),
    "DOC-MISSING": ("minor", "applicant"),
    "SCORE-BELOW-PASS": ("major", "body"),
    "SCORE-SPECIAL-DEDUCTIONS": ("major", "body"),
    "SCORE-SPECIAL-DEDUCTION": ("minor", "client"),
    "EXCL-UNJUSTIFIED": ("minor", "applicant"),
    "EXCL-NOT-ALLOWED": ("major", "body"),
    "AUDIT-NC": ("recorded", "client"),
    "SCORE-INDICATOR-WEAK": ("observation", "client"),
    "EVID-COUNT": ("observation", "applicant"),
    "EVID-COVERAGE": ("minor", "applicant"),
    "SURV-DUE-SOON": ("info", "body"),
    "SURV-OVERDUE": ("major", "body"),
    "SURV-EXTENDED": ("info", "body"),
    "SURV-EXTENSION-TOO-LONG": ("major", "body"),
    "SURV-EXTENSION-EXPIRED": ("major", "body"),
    "SURV-INTERVAL-EXCEEDED": ("major", "body"),
    "SURV-FAILED": ("major", "body"),
    "CERT-VALIDITY": ("major", "body"),
    "CERT-EXPIRED": ("major", "body"),
    "CERT-RECERT-DUE": ("info", "body"),
    "CERT-SUSPENSION-LIMIT": ("major", "body"),
    "CERT-MAJOR-INCIDENT": ("major", "body"),
    "CERT-GRADE-MISMATCH": ("major", "body"),
    "CHG-NOTIFY": ("info", "client"),
    "CHG-UNNOTIFIED": ("major", "client"),
    "CHG-CERT-REISSUE": ("info", "body"),
    # SPEC Part II 6.3, 7.3
    "NC-RESPONSE-OVERDUE": ("recorded", "client"),
    "NC-REJECTED": ("recorded", "client"),
    "NC-VERIFICATION-DUE": ("info", "body"),
    "NC-VERIFICATION-OVERDUE": ("minor", "body"),
    "TEAM-NO-LEADER": ("minor", "body"),
    "TEAM-QUALIFICATION": ("major", "body"),
    "TEAM-CONSULTANCY": ("major", "body"),
    "DECISION-IMPARTIALITY": ("major", "body"),
    "DECISION-OPEN-NC": ("major", "body"),
    "DECISION-OVERRIDE": ("minor", "body"),
    "DECISION-JUSTIFIED-OVERRIDE": ("info", "body"),
    "CERT-RESTORE": ("info", "body"),
}
# Rules whose actions count from the evaluation date (SPEC 1: SCORE-*, EXCL-*, AUDIT-NC).
EVALUATION_ANCHORED = re.compile(r"^(SCORE-|EXCL-|AUDIT-NC$)")
PACKS = builtin_pack_ids()


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_spec_rule_is_in_the_pack_with_its_severity_and_audience(pack_id):
    rules = {r.id: r for r in load_pack(pack_id).rules}
    assert set(rules) == set(SPEC_RULES)
    for rule_id, (severity, audience) in SPEC_RULES.items():
        assert (rules[rule_id].severity, rules[rule_id].audience) == (severity, audience), rule_id


@pytest.mark.parametrize("pack_id", PACKS)
def test_rules_are_documented(pack_id):
    for rule in load_pack(pack_id).rules:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", rule.id)
        assert rule.clause.strip(), rule.id
        for text in (rule.title, rule.message):
            assert text.zh.strip() and text.en.strip(), rule.id
        if rule.severity in ("major", "minor", "recorded"):
            assert rule.action is not None and rule.action.zh.strip() and rule.action.en.strip(), rule.id
        assert (rule.anchor == "evaluation") == bool(EVALUATION_ANCHORED.match(rule.id)), rule.id


def test_rule_ids_are_unique_within_each_pack():
    for pack_id in PACKS:
        ids = [r.id for r in load_pack(pack_id).rules]
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_parameter_states_its_source(pack_id):
    for param in load_pack(pack_id).parameters.values():
        assert param.source.strip(), param.name


_TYPES = {
    "bool": (bool,),
    "int": (int,),
    "number": (int, float),
    "date": (dt.date,),
    "str": (str,),
    "text": (str,),
    "label": (Text,),
    "list": (list,),
}


def test_derived_facts_match_the_catalogue():
    """Every fact has exactly the catalogue's fields, each of its declared type."""
    pack = load_pack("gbt27922-2011")
    seen: set[str] = set()
    for seed in range(300):
        case, _ = build_case(synthetic_case(seed, pack), f"seed {seed}")
        # through the API: the decision facts need the evaluation as of decision.date first
        for fact in run(case, pack, "python").derived.facts:
            seen.add(fact.type)
            fields = CATALOGUE[fact.type].fields
            assert set(fact.values) == set(fields), fact.type
            for name, value in fact.values.items():
                fdef = fields[name]
                if value is None:
                    assert fdef.nullable, f"{fact.type}.{name} is null but not nullable"
                    continue
                assert isinstance(value, _TYPES[fdef.type]), (fact.type, name, value)
                assert not (fdef.type == "int" and isinstance(value, bool)), (fact.type, name)
                if fdef.values:
                    assert value in fdef.values, (fact.type, name, value)
    assert seen == set(CATALOGUE)


def test_every_parameter_the_catalogue_names_exists():
    pack = load_pack("gbt27922-2011")
    for fact in CATALOGUE.values():
        for fdef in fact.fields.values():
            for param in fdef.params:
                assert param in pack.parameters, (fact.name, fdef.name, param)


def test_every_fact_and_field_is_described_in_chinese():
    keys = {name for name in CATALOGUE} | {f"{t.name}.{f}" for t in CATALOGUE.values() for f in t.fields}
    assert set(DESCRIPTIONS_ZH) == keys
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in DESCRIPTIONS_ZH.values())
