"""JSON Schemas that certeval publishes (`certeval schema case|result|rules`)."""

from __future__ import annotations

from typing import Any

from ..base.case_model import CERTIFICATE_STATUSES, DECISION_OUTCOMES, STAGES
from ..base.i18n import AUDIENCES, SEVERITIES
from ..case.shape import case_json_schema
from ..facts.certificate_timeline import CERTIFIED_STATUSES
from ..facts.lifecycle import STATES as NC_STATES
from ..packs.catalogue import STATE_VALUES
from ..packs.ir import CONDITION_JSON_SCHEMA
from ..packs.model import Pack
from ..packs.spec import pack_spec, rule_file_spec

_DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_TEXT = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "required": ["zh", "en"],
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
    }


def _outcomes() -> list[str]:
    """Every outcome a body can record (SPEC 7.1), in stage order, each once."""
    return list(dict.fromkeys(o for stage in STAGES for o in DECISION_OUTCOMES[stage]))


def _nonconformity() -> dict[str, Any]:
    """One entry of `nonconformities` (SPEC 6.4)."""
    return _object(
        {
            "id": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,32}$"},
            "subject": {"type": "string"},
            "severity": {"enum": ["major", "minor"]},
            "indicator": _nullable({"type": "string"}),
            "state": {"enum": list(NC_STATES)},
            "respond_by": _DATE,
            "responded_on": _nullable(_DATE),
            "verify_by": _nullable(_DATE),
            "verified_on": _nullable(_DATE),
            "verified_by": _nullable({"type": "string"}),
            "overdue": {"type": "boolean"},
        }
    )


def _decision(grades: list[str]) -> dict[str, Any]:
    """`decision`: the recommendation and the recorded decision, echoed (SPEC 7.2)."""
    ids = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    recommended = _object(
        {
            "outcome": {"enum": [*_outcomes(), "pending"]},
            "grade": _nullable({"enum": grades}),
            "reasons": ids,
            "blocked_by": ids,
        }
    )
    text = _nullable({"type": "string"})
    recorded = _object(
        {
            "date": _DATE,
            "by": text,
            "outcome": {"enum": _outcomes()},
            "grade": _nullable({"enum": grades}),
            "justification": text,
        }
    )
    return _object({"recommended": recommended, "recorded": _nullable(recorded)})


def result_json_schema(pack: Pack) -> dict[str, Any]:
    """The result object of SPEC §4."""
    grades = [g.id for g in pack.grades]
    category = _object({"awarded": {"type": "number"}, "available": {"type": "number"}})
    finding = _object(
        {
            "rule": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"},
            "severity": {"enum": list(SEVERITIES)},
            "audience": {"enum": list(AUDIENCES)},
            "clause": {"type": "string"},
            "clause_ref": _nullable(_object({"source": {"type": "string"}, "ref": {"type": "string"}})),
            "subject": _nullable({"type": "string"}),
            "title": _TEXT,
            "message": _TEXT,
            "facts": {"type": "object"},
            "action": _nullable(_object({"zh": {"type": "string"}, "en": {"type": "string"}, "due": _DATE})),
        },
        optional=("title",),
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "certeval result (SPEC 4)",
        **_object(
            {
                "case_id": {"type": "string"},
                "as_of": _DATE,
                "stage": {"enum": list(STAGES)},
                "pack": _object(
                    {
                        "id": {"type": "string"},
                        "version": {"type": "string"},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    }
                ),
                "engine": {"enum": ["durable", "python"]},
                "eligible": _nullable({"type": "boolean"}),
                "grade": _nullable({"type": "string"}),
                "score": _nullable(
                    _object(
                        {
                            "total": {"type": "number"},
                            "base": {"type": "number"},
                            "by_category": {"type": "object", "additionalProperties": category},
                            "special_deductions": {"type": "integer", "minimum": 0},
                            "special_bonus": {"type": "integer", "minimum": 0, "maximum": 1},
                            "if_exclusions_rejected": _nullable(
                                _object({"total": {"type": "number"}, "grade": _nullable({"enum": grades})})
                            ),
                        }
                    )
                ),
                "certificate": _nullable(
                    _object(
                        {
                            "number": {"type": "string"},
                            "status": {"enum": list(CERTIFICATE_STATUSES)},
                            "recommended_status": {"enum": list(CERTIFICATE_STATUSES)},
                            "reasons": {"type": "array", "items": {"type": "string"}},
                            "valid_until": _DATE,
                        }
                    )
                ),
                "surveillance": _nullable(
                    _object(
                        {
                            "last_evaluation": _DATE,
                            "due_by": _DATE,
                            "extended_until": _nullable(_DATE),
                            "state": {"enum": list(STATE_VALUES)},
                        }
                    )
                ),
                "notifications_required": {
                    "type": "array",
                    "items": _object(
                        {
                            "kind": {"type": "string"},
                            "date": _DATE,
                            "notify_by": _DATE,
                            "subject": {"type": "string"},
                        },
                        optional=("subject",),
                    ),
                },
                "findings": {"type": "array", "items": finding},
                "nonconformities": {"type": "array", "items": _nonconformity()},
                "decision": _decision(grades),
                "summary": _object({s: {"type": "integer", "minimum": 0} for s in SEVERITIES}),
            }
        ),
        "$comment": f"certified statuses: {', '.join(CERTIFIED_STATUSES)}",
    }


def rules_json_schema() -> dict[str, Any]:
    """pack.yaml and rule files."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "certeval rule pack files",
        "$defs": {
            "condition": CONDITION_JSON_SCHEMA,
            "pack": pack_spec(partial=False).json_schema(),
            "child_pack": pack_spec(partial=True).json_schema(),
            "rule_file": rule_file_spec().json_schema(),
        },
        "anyOf": [{"$ref": "#/$defs/pack"}, {"$ref": "#/$defs/child_pack"}, {"$ref": "#/$defs/rule_file"}],
    }


def schema_for(what: str, pack: Pack) -> dict[str, Any]:
    if what == "case":
        return case_json_schema(pack)
    if what == "result":
        return result_json_schema(pack)
    return rules_json_schema()
