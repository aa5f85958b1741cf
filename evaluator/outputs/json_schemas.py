"""JSON Schemas that certeval publishes (`certeval schema case|result|rules`)."""

from __future__ import annotations

from typing import Any

from ..base.case_model import CERTIFICATE_STATUSES, STAGES
from ..base.i18n import AUDIENCES, SEVERITIES
from ..case.shape import case_json_schema
from ..facts.certificate_timeline import CERTIFIED_STATUSES
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


def result_json_schema(pack: Pack) -> dict[str, Any]:
    """The result object of SPEC §4."""
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
