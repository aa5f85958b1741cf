"""The case file's shape (SPEC §2), built from the pack's vocabulary and the case's stage.

Indicator ids, document keys, evidence items, change kinds and grades come from the pack, so
an unknown one is reported by the validator with its line.  What a stage requires (the
`application` section at stage application, all five `service_system` keys at application,
initial and recertification, the certificate after certification) is part of the schema too.
"""

from __future__ import annotations

import functools
from typing import Any

from ..base import case_model as m
from ..base.i18n import Text
from ..base.schema_language import Bool, Date, Dict, Enum, Field, Int, ListOf, Num, Obj, Spec, Str
from ..packs.model import Pack
from .field_docs import json_doc

CASE_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
ELIGIBILITY_STAGES = ("application", "initial", "recertification")
CERTIFIED_STAGES = ("surveillance", "recertification", "change")


def _req(spec: Spec, note: str = "") -> Field:
    return Field(spec, required=True, required_note=note)


def _opt(spec: Spec, nullable: bool = False) -> Field:
    return Field(spec, nullable=nullable)


def _organization() -> Obj:
    licence = Obj(
        {
            "name": _req(Str()),
            "required": _req(Bool("required by law for the certified service")),
            "long_term": _opt(Bool("长期有效: valid_until is ignored")),
            "valid_until": _opt(Date(), nullable=True),
        },
        build=m.Licence,
    )
    return Obj(
        {
            "name": _req(Str()),
            "credit_code": _req(
                Str("unified social credit code (统一社会信用代码)", digits_ok=True, max_length=64)
            ),
            "country": _req(Str(max_length=64)),
            "legal_entity": _req(Bool()),
            "part_of_legal_entity": _opt(Bool()),
            "business_type": _opt(Enum(m.BUSINESS_TYPES), nullable=True),
            "legal_compliance": _req(Bool()),
            "licences": _opt(ListOf(licence)),
            "name_en": _opt(Str(), nullable=True),
            "address": _opt(Str(), nullable=True),
        },
        build=m.Organization,
    )


def _service_system(stage: str) -> Obj:
    note = f"at stage {stage}"
    full = stage in ELIGIBILITY_STAGES

    def key(spec: Spec, nullable: bool = False) -> Field:
        return Field(spec, required=full, nullable=nullable, required_note=note)

    return Obj(
        {
            "operating_since": key(Date()),
            "rules_documented": key(Bool()),
            "responsible_person": key(Str(), nullable=True),
            "dedicated_fund": key(Bool()),
            "trained_managers": key(Int(minimum=0)),
        },
        build=m.ServiceSystem,
    )


def _application(pack: Pack, stage: str) -> Obj:
    note = "at stage application"
    full = stage == "application"
    return Obj(
        {
            "date": Field(Date(), required=full, required_note=note),
            "products": Field(ListOf(Str()), required=full, required_note=note),
            "documents": Field(ListOf(Enum(tuple(pack.documents))), required=full, required_note=note),
        },
        build=m.Application,
    )


ITEM_ID = r"[A-Za-z0-9._-]{1,32}"


def _lifecycle_fields() -> dict[str, Field]:
    """What an item of the nonconformity lifecycle may carry (SPEC 6.1)."""
    non_blank = Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")
    response = Obj(
        {
            "received_on": _req(Date()),
            "root_cause": _req(non_blank),
            "correction": _req(non_blank),
            "corrective_action": _req(non_blank),
            "evidence": _opt(ListOf(Str())),
        },
        build=m.Response,
    )
    verification = Obj(
        {
            "date": _req(Date()),
            "by": _req(non_blank),
            "result": _req(Enum(m.VERIFICATION_RESULTS)),
            "method": _opt(Enum(m.VERIFICATION_METHODS)),
            "note": _opt(Str(), nullable=True),
        },
        build=m.Verification,
    )
    return {
        "id": _opt(Str(pattern=ITEM_ID, pattern_hint="letters, digits, '.', '_', '-'; at most 32")),
        "site": _opt(Str(), nullable=True),
        "responses": _opt(ListOf(response)),
        "verifications": _opt(ListOf(verification)),
    }


def _team_and_sites() -> dict[str, Field]:
    member = Obj(
        {
            "name": _req(Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")),
            "role": _req(Enum(m.TEAM_ROLES)),
            "qualified_until": _opt(Date(), nullable=True),
            "consulted_client_on": _opt(Date(), nullable=True),
        },
        build=m.TeamMember,
    )
    site = Obj(
        {
            "name": _req(Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")),
            "kind": _opt(Enum(m.SITE_KINDS), nullable=True),
            "address": _opt(Str(), nullable=True),
        },
        build=m.Site,
    )
    return {"start": _opt(Date(), nullable=True), "team": _opt(ListOf(member)), "sites": _opt(ListOf(site))}


def _evaluation(pack: Pack) -> Obj:
    indicators = tuple(pack.indicators)
    score = Obj({"awarded": _req(Num(minimum=0)), "available": _req(Num(minimum=0))}, build=m.IndicatorScore)
    return Obj(
        {
            "date": _req(Date()),
            "type": _req(Enum(m.EVALUATION_TYPES)),
            "scores": _opt(Dict(score, keys=indicators, all_required=True, key_name="indicator")),
            "excluded": _opt(
                ListOf(
                    Obj(
                        {"indicator": _req(Enum(indicators)), "justification": _opt(Str(), nullable=True)},
                        build=m.Exclusion,
                    )
                )
            ),
            "special_deductions": _opt(
                ListOf(
                    Obj(
                        {
                            "item": _req(Str()),
                            "basis": _opt(Enum(m.DEDUCTION_BASES), nullable=True),
                            **_lifecycle_fields(),
                        },
                        build=m.SpecialDeduction,
                    )
                )
            ),
            "special_bonus": _opt(Obj({"item": _req(Str())}, build=m.SpecialBonus), nullable=True),
            "nonconformities": _opt(
                ListOf(
                    Obj(
                        {
                            "indicator": _req(Enum(indicators)),
                            "severity": _req(Enum(m.RECORDED_SEVERITIES)),
                            "statement": _req(Str()),
                            "evidence": _opt(Str(), nullable=True),
                            "requirement": _opt(Str(), nullable=True),
                            **_lifecycle_fields(),
                        },
                        build=m.Nonconformity,
                    )
                )
            ),
            **_team_and_sites(),
        },
        build=m.Evaluation,
    )


def _certificate(pack: Pack) -> Obj:
    return Obj(
        {
            "number": _req(Str(digits_ok=True)),
            "grade": _req(Enum(tuple(g.id for g in pack.grades))),
            "evaluated_on": _opt(Date(), nullable=True),
            "issued_on": _req(Date()),
            "cycle_start": _opt(Date(), nullable=True),
            "valid_until": _req(Date()),
            "status": _req(Enum(m.CERTIFICATE_STATUSES)),
            "suspended_on": _opt(Date(), nullable=True),
            "suspension_until": _opt(Date(), nullable=True),
            "scope": _opt(text_obj(), nullable=True),
            "suspension_reason": _opt(Str(), nullable=True),
        },
        build=m.Certificate,
    )


def text_obj() -> Obj:
    return Obj({"zh": _req(Str()), "en": _req(Str())}, build=Text)


def _decision(pack: Pack, stage: str) -> Obj:
    # an outcome the stage cannot have is bad input (7.1)
    outcomes = m.DECISION_OUTCOMES.get(stage) or tuple(
        dict.fromkeys(o for s in m.STAGES for o in m.DECISION_OUTCOMES[s])
    )
    return Obj(
        {
            "date": _req(Date()),
            "by": _req(Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")),
            "outcome": _req(Enum(outcomes)),
            "grade": _opt(Enum(tuple(g.id for g in pack.grades)), nullable=True),
            "justification": _opt(Str(), nullable=True),
        },
        build=m.Decision,
    )


@functools.lru_cache(maxsize=64)
def case_spec(pack: Pack, stage: str) -> Obj:
    """The schema of a case of `stage` under `pack`."""
    incident = Obj(
        {
            "date": _req(Date()),
            "kind": _req(Enum(m.INCIDENT_KINDS)),
            "severity": _req(Enum(m.INCIDENT_SEVERITIES)),
            "service_related": _req(Bool()),
            "authority_confirmed": _opt(Bool()),
            "summary": _opt(Str(), nullable=True),
        },
        build=m.Incident,
    )
    evidence = Obj(
        {
            "item": _req(Enum(tuple(pack.evidence))),
            "count": _req(Int(minimum=0)),
            "products": _opt(ListOf(Str())),
        },
        build=m.EvidenceEntry,
    )
    surveillance = Obj(
        {
            "date": _req(Date()),
            "result": _req(Enum(m.SURVEILLANCE_RESULTS)),
            "extension_until": _opt(Date(), nullable=True),
        },
        build=m.SurveillanceRecord,
    )
    change = Obj(
        {
            "kind": _req(Enum(tuple(pack.change_kinds))),
            "date": _req(Date()),
            "significant": _req(Bool()),
            "notified_on": _opt(Date(), nullable=True),
            "description": _opt(Str(), nullable=True),
        },
        build=m.Change,
    )
    fields: dict[str, Field] = {
        "case_id": _req(
            Str(pattern=CASE_ID, pattern_hint="letters, digits, '.', '_', '-'; at most 64; no path")
        ),
        "as_of": _opt(Date("the evaluation date; default today")),
        "pack": _opt(Str(pattern=r"[a-z0-9][a-z0-9.-]{0,63}", pattern_hint="a rule pack id")),
        "stage": _req(Enum(m.STAGES)),
        "organization": _req(_organization()),
        "service_system": Field(
            _service_system(stage), required=stage in ELIGIBILITY_STAGES, required_note=f"at stage {stage}"
        ),
        "incidents": _opt(ListOf(incident)),
        "application": Field(
            _application(pack, stage), required=stage == "application", required_note="at stage application"
        ),
        "evaluation": _opt(_evaluation(pack)),
        "evidence": _opt(ListOf(evidence)),
        "certificate": Field(
            _certificate(pack), required=stage in CERTIFIED_STAGES, required_note=f"at stage {stage}"
        ),
        "surveillance": _opt(ListOf(surveillance)),
        "extension": _opt(
            Obj({"until": _req(Date()), "reason": _opt(Str(), nullable=True)}, build=m.Extension),
            nullable=True,
        ),
        "changes": _opt(ListOf(change)),
        "decision": _opt(_decision(pack, stage), nullable=True),
    }
    return Obj(fields, description=f"a certeval case at stage {stage} (SPEC 2)")


def case_json_schema(pack: Pack) -> dict[str, Any]:
    """JSON Schema of a case under `pack`: the common shape, refined per stage with if/then."""
    stage_schemas = {stage: case_spec(pack, stage).json_schema(json_doc) for stage in m.STAGES}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"certeval case ({pack.id} {pack.version})",
        "type": "object",
        "required": ["case_id", "stage", "organization"],
        "properties": {"stage": {"enum": list(m.STAGES)}},
        "allOf": [
            {
                "if": {"properties": {"stage": {"const": stage}}, "required": ["stage"]},
                "then": {"$ref": f"#/$defs/{stage}"},
            }
            for stage in m.STAGES
        ],
        "$defs": stage_schemas,
    }
