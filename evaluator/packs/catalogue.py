"""The fact catalogue: every fact a rule may test, with its type and meaning.

Derivation (`evaluator.facts.derive`) turns a case into facts of these types; rules name fields
as `type.field`.  Rule packs are checked against this catalogue when they load, so a typo in a
fact name is an error, never a rule that silently never fires.  `docs/writing-rules.md` is
generated from it.

Field types:
- `bool`, `int`, `number`, `date`, `str` (an identifier or enumeration value): comparable.
- `text` (free text from the case), `label` (bilingual pack label), `list`: shown in messages
  and finding facts, never compared.
A field marked `nullable` may be null; every comparison with null is false (even `ne`), in both
engines, so test a `has_…` flag first when absence matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

COMPARABLE = ("bool", "int", "number", "date", "str")
DISPLAY_ONLY = ("text", "label", "list")


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    description: str
    nullable: bool = False
    values: tuple[str, ...] = ()  # the closed set of a `str` field, when it has one
    params: tuple[str, ...] = ()  # pack parameters the derivation uses for this field
    see: tuple[str, ...] = ()  # fields of the same fact that explain this one


@dataclass(frozen=True)
class FactType:
    name: str
    description: str
    subject: str  # how findings on this fact name their subject
    fields: dict[str, FieldDef] = field(default_factory=dict)


def _fact(name: str, description: str, subject: str, *fields: FieldDef) -> FactType:
    return FactType(name, description, subject, {f.name: f for f in fields})


def F(
    name: str,
    type_: str,
    description: str,
    *,
    nullable: bool = False,
    values: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
    see: tuple[str, ...] = (),
) -> FieldDef:
    return FieldDef(name, type_, description, nullable, values, params, see)


LIFECYCLE_STATES = ("open", "responded", "rejected", "closed")


def _lifecycle_brief() -> tuple[FieldDef, ...]:
    """The lifecycle fields AUDIT-NC and SCORE-SPECIAL-DEDUCTION report (SPEC 6.3)."""
    return (
        F("id", "text", "the item's id (given, else NC-n / SD-n)"),
        F(
            "state",
            "str",
            "lifecycle state on as_of (null for observations)",
            nullable=True,
            values=LIFECYCLE_STATES,
        ),
        F("respond_by", "date", "the current respond_by (null for observations)", nullable=True),
        F("closed", "bool", "the state is closed"),
    )


STATE_VALUES = (
    "not_due",
    "due_soon",
    "overdue",
    "extended",
    "extension_expired",
    "recertification_due",
    "not_applicable",
)

CATALOGUE: dict[str, FactType] = {
    t.name: t
    for t in (
        _fact(
            "org",
            "The organisation (one per case).",
            "null",
            F("name", "text", "organization.name"),
            F("legal_entity", "bool", "organization.legal_entity"),
            F("part_of_legal_entity", "bool", "organization.part_of_legal_entity (default false)"),
            F("country", "str", "organization.country"),
            F("legal_compliance", "bool", "organization.legal_compliance"),
            F("credit_code", "str", "organization.credit_code as written"),
            F(
                "credit_code_valid",
                "bool",
                "the code passes GB 32100-2015: 18 characters, charset, check character",
                see=("credit_code", "credit_code_problem"),
            ),
            F(
                "credit_code_problem",
                "str",
                "what fails: none, length, charset or check_character",
                values=("none", "length", "charset", "check_character"),
            ),
            F("credit_code_problem_text", "label", "what fails, in words"),
        ),
        _fact(
            "system",
            "The after-sales service system (one per case, when `service_system` is given).",
            "null",
            F("operating_since", "date", "service_system.operating_since", nullable=True),
            F("reference_date", "date", "R: application.date, else evaluation.date, else as_of"),
            F(
                "ready_on",
                "date",
                "operating_since + min_operating_months calendar months",
                nullable=True,
                params=("min_operating_months",),
            ),
            F("rules_documented", "bool", "service_system.rules_documented", nullable=True),
            F("has_responsible_person", "bool", "responsible_person is a non-blank string"),
            F("responsible_person", "text", "service_system.responsible_person", nullable=True),
            F("dedicated_fund", "bool", "service_system.dedicated_fund", nullable=True),
            F("trained_managers", "int", "service_system.trained_managers", nullable=True),
        ),
        _fact(
            "licence",
            "One per entry of `organization.licences`.",
            "organization.licences[i]",
            F("name", "text", "licence name"),
            F("required", "bool", "the licence is required for the certified service"),
            F("long_term", "bool", "长期有效: valid_until is then ignored"),
            F("has_valid_until", "bool", "valid_until is given"),
            F("valid_until", "date", "the licence's last valid day", nullable=True),
            F("reference_date", "date", "R: application.date, else evaluation.date, else as_of"),
        ),
        _fact(
            "incident",
            "One per entry of `incidents`.",
            "incidents[i]",
            F("date", "date", "incident date"),
            F("kind", "str", "accident or complaint", values=("accident", "complaint")),
            F("kind_label", "label", "accident or complaint, in words"),
            F("severity", "str", "major or minor", values=("major", "minor")),
            F("service_related", "bool", "the incident concerns the service"),
            F("authority_confirmed", "bool", "confirmed by an enforcement authority"),
            F("summary", "text", "what happened", nullable=True),
            F(
                "window_start",
                "date",
                "R - incident_window_months calendar months",
                params=("incident_window_months",),
            ),
            F("as_of", "date", "the evaluation date of the run"),
            F("certified", "bool", "a certificate with status valid or suspended is on file"),
            F("last_evaluation", "date", "L, the latest evaluation date of the certificate", nullable=True),
        ),
        _fact(
            "document",
            "One per document key of the pack, when `application.documents` is given.",
            "document key",
            F("key", "str", "document key"),
            F("label", "label", "document name"),
            F("required", "bool", "required here (permits only when a licence is required)"),
            F("present", "bool", "listed in application.documents"),
        ),
        _fact(
            "score",
            "The score sheet result (one per case, when `evaluation.scores` is given).",
            "null",
            F(
                "base",
                "number",
                "Σawarded ÷ Σavailable over applicable indicators × scale",
                params=("scale",),
            ),
            F(
                "final",
                "number",
                "base - special deductions + special bonus, clamped to [0, scale]",
                params=("special_deduction_points", "special_bonus_points"),
            ),
            F("below_pass", "bool", "final (exact) is below the lowest grade threshold", see=("final",)),
            F("has_grade", "bool", "the evaluation yields a grade"),
            F(
                "grade",
                "str",
                "the grade the evaluation yields",
                nullable=True,
                params=("max_special_deductions",),
            ),
            F("grade_label", "label", "the grade's name", nullable=True),
            F("special_deductions", "int", "number of special deductions (特别扣分项)"),
            F("special_bonus", "int", "1 if a special bonus (特别加分项) is given, else 0"),
            F("evaluation_date", "date", "evaluation.date"),
            F("certified", "bool", "a certificate with status valid or suspended is on file"),
            F("certificate_grade", "str", "certificate.grade", nullable=True),
            F("certificate_grade_label", "label", "the certificate grade's name", nullable=True),
            F("issued_on", "date", "certificate.issued_on", nullable=True),
        ),
        _fact(
            "indicator",
            "One per indicator of the pack, when `evaluation.scores` is given.",
            "indicator id",
            F("id", "str", "indicator id"),
            F("label", "label", "indicator name"),
            F("category", "str", "category id"),
            F("awarded", "number", "points awarded"),
            F("available", "number", "points available"),
            F("applicable", "bool", "not validly excluded"),
            F("ratio", "number", "awarded ÷ available (null when available is 0)", nullable=True),
        ),
        _fact(
            "exclusion",
            "One per entry of `evaluation.excluded`.",
            "indicator id",
            F("indicator", "str", "the excluded indicator"),
            F("label", "label", "indicator name"),
            F("allowed", "bool", "the pack lets this indicator be excluded"),
            F("justified", "bool", "a non-blank justification is given"),
            F("justification", "text", "the justification", nullable=True),
        ),
        _fact(
            "special_deduction",
            "One per entry of `evaluation.special_deductions`.",
            "evaluation.special_deductions[i]",
            F("item", "text", "what was deducted for"),
            F("basis", "str", "law, own_rules, industry or system", nullable=True),
            F("basis_label", "label", "the basis, in words", nullable=True),
            F("points", "number", "points deducted", params=("special_deduction_points",)),
            *_lifecycle_brief(),
        ),
        _fact(
            "nonconformity",
            "One per entry of `evaluation.nonconformities` (recorded by the auditor).",
            "evaluation.nonconformities[i]",
            F("indicator", "str", "indicator id"),
            F("severity", "str", "as recorded", values=("major", "minor", "observation")),
            F("indicator_label", "label", "indicator name"),
            F("statement", "text", "statement of the nonconformity"),
            F("evidence", "text", "objective evidence", nullable=True),
            F("requirement", "text", "the requirement not met", nullable=True),
            *_lifecycle_brief(),
        ),
        _fact(
            "nc_item",
            "One per major or minor nonconformity or special deduction: its lifecycle on as_of (SPEC 6.2).",
            "evaluation.nonconformities[i] or evaluation.special_deductions[i]",
            F("id", "text", "the item's id (given, else NC-n / SD-n)"),
            F("kind", "str", "which list it is in", values=("nonconformity", "special_deduction")),
            F("severity", "str", "major or minor (special deductions are minor)", values=("major", "minor")),
            F("text", "text", "the statement, or the deducted item"),
            F("state", "str", "open, responded, rejected or closed on as_of", values=LIFECYCLE_STATES),
            F(
                "respond_by",
                "date",
                "evaluation.date + major_days / minor_days; after a rejection its date + resubmit_days",
                params=("major_days", "minor_days", "resubmit_days"),
            ),
            F("responded_on", "date", "received_on of the latest response", nullable=True),
            F(
                "verify_by",
                "date",
                "responded_on + verify_days, while the state is responded",
                nullable=True,
                params=("verify_days",),
            ),
            F("verified_on", "date", "date of the latest verification", nullable=True),
            F("verified_by", "text", "who verified last", nullable=True),
            F(
                "overdue",
                "bool",
                "state open or rejected and as_of > respond_by",
                see=("state", "respond_by"),
            ),
            F("blocking", "bool", "a major item not closed, or a minor item open or rejected"),
            F("as_of", "date", "the evaluation date of the run"),
        ),
        _fact(
            "team",
            "The evaluation team (one per case, when `evaluation.team` is given).",
            "null",
            F("size", "int", "how many people are listed"),
            F("has_leader", "bool", "someone has role leader"),
        ),
        _fact(
            "team_member",
            "One per entry of `evaluation.team`.",
            "evaluation.team[i]",
            F("name", "text", "the member's name"),
            F("role", "str", "role in the team", values=("leader", "member", "technical_expert", "observer")),
            F("qualified_until", "date", "end of the member's qualification", nullable=True),
            F("consulted_client_on", "date", "last consultancy given to the client", nullable=True),
            F("evaluation_date", "date", "evaluation.date"),
            F(
                "cooling_start",
                "date",
                "evaluation.date - consultancy_cooling_months",
                params=("consultancy_cooling_months",),
            ),
        ),
        _fact(
            "decision",
            "The recorded certification decision (one per case, when `decision` is given), compared with"
            " the recommendation as of decision.date (SPEC 7.2).",
            "null",
            F("date", "date", "decision.date"),
            F("by", "text", "decision.by"),
            F("outcome", "str", "the recorded outcome"),
            F("grade", "str", "the recorded grade", nullable=True),
            F("justification", "text", "decision.justification", nullable=True),
            F("justified", "bool", "a non-blank justification is given"),
            F(
                "by_team_member",
                "bool",
                "decision.by names a member of evaluation.team (NFKC, case-folded, no spaces)",
            ),
            F("approves", "bool", "the outcome is grant, renew, maintain or restore"),
            F("recommended_outcome", "str", "the recommendation as of decision.date"),
            F("recommended_grade", "str", "the recommended grade as of decision.date", nullable=True),
            F(
                "differs",
                "bool",
                "the recorded outcome or grade differs from the recommendation as of decision.date",
            ),
            F("blocking_on_date", "int", "how many items block on decision.date"),
            F("blocking_ids", "list", "the ids of the items blocking on decision.date"),
        ),
        _fact(
            "evidence",
            "One per evidence item of the pack, when `evidence` is given.",
            "evidence item key",
            F("item", "str", "evidence item key"),
            F("label", "label", "evidence item name"),
            F("present", "bool", "the item is listed in `evidence`"),
            F("count", "int", "count given (0 when absent)"),
            F("minimum", "int", "the pack's minimum count"),
            F("covers_scope", "bool", "the item must cover every product of application.products"),
            F("missing_products", "list", "products of the scope the item does not cover"),
            F("missing_products_count", "int", "how many products are missing"),
        ),
        _fact(
            "certificate",
            "The certificate (one per case, when `certificate` is given).",
            "null",
            F("number", "text", "certificate number"),
            F(
                "status",
                "str",
                "status given in the case",
                values=("valid", "suspended", "withdrawn", "expired"),
            ),
            F("certified", "bool", "status valid or suspended"),
            F("grade", "str", "certificate grade"),
            F("issued_on", "date", "certificate.issued_on"),
            F("cycle_start", "date", "certificate.cycle_start (default issued_on)"),
            F("valid_until", "date", "certificate.valid_until"),
            F(
                "latest_allowed_valid_until",
                "date",
                "cycle_start + validity_months - 1 day (month-end clamped)",
                params=("validity_months",),
            ),
            F("as_of", "date", "the evaluation date of the run"),
            F("days_to_expiry", "int", "valid_until - as_of in days"),
            F("last_evaluation", "date", "L, the latest of the evaluation dates E"),
            F("due_by", "date", "L + surveillance_interval_months", params=("surveillance_interval_months",)),
            F("has_extension", "bool", "an `extension` is given"),
            F("extension_until", "date", "extension.until", nullable=True),
            F(
                "extension_limit",
                "date",
                "the earlier of due_by + max_extension_months and valid_until",
                params=("max_extension_months",),
            ),
            F(
                "extended_until",
                "date",
                "the capped extension when it counts (extension.until > due_by)",
                nullable=True,
            ),
            F(
                "surveillance_state",
                "str",
                "surveillance state (SPEC 1.6)",
                values=STATE_VALUES,
                params=("due_soon_days", "recert_window_days"),
                see=("last_evaluation", "due_by", "extended_until", "valid_until", "as_of"),
            ),
            F(
                "latest_surveillance_result",
                "str",
                "result of the latest surveillance",
                nullable=True,
                values=("pass", "fail"),
            ),
            F("latest_surveillance_date", "date", "date of the latest surveillance record", nullable=True),
            F(
                "recertification_evaluated",
                "bool",
                "an evaluation of type recertification dated after issued_on",
            ),
            F("suspended_on", "date", "certificate.suspended_on", nullable=True),
            F(
                "overdue_decide_by",
                "date",
                "the earlier of as_of + major_days and extension_limit:"
                " when SURV-OVERDUE's decision is due (SPEC 7.4)",
                params=("major_days", "max_extension_months"),
            ),
            F(
                "evaluated_since_suspension",
                "bool",
                "the case's evaluation (surveillance or recertification) is dated on or after suspended_on",
            ),
            F("blocking_items", "int", "how many nonconformities or special deductions block on as_of"),
            F(
                "suspension_until",
                "date",
                "certificate.suspension_until, default suspended_on + suspension_months",
                nullable=True,
                params=("suspension_months",),
            ),
        ),
        _fact(
            "interval",
            "One per pair of consecutive evaluation dates a < b of the certificate (sorted E).",
            "surveillance[i] of b, or evaluation",
            F("start", "date", "a"),
            F("end", "date", "b"),
            F("limit", "date", "a + surveillance_interval_months", params=("surveillance_interval_months",)),
            F("has_extension", "bool", "the surveillance record of b has extension_until"),
            F("extension_until", "date", "extension_until of b's surveillance record", nullable=True),
            F(
                "extension_limit",
                "date",
                "a + surveillance_interval_months + max_extension_months",
                params=("max_extension_months",),
            ),
            F("certified", "bool", "status valid or suspended"),
        ),
        _fact(
            "change",
            "One per entry of `changes`.",
            "changes[i]",
            F("kind", "str", "change kind"),
            F("label", "label", "change kind name"),
            F("date", "date", "date of the change"),
            F("significant", "bool", "significant for the service"),
            F("notified", "bool", "notified_on is given"),
            F("notified_on", "date", "when the body was notified", nullable=True),
            F("notify_by", "date", "date + notify_days", params=("notify_days",)),
            F("as_of", "date", "the evaluation date of the run"),
            F("description", "text", "what changed", nullable=True),
        ),
    )
}


def describe(key: str, lang: str) -> str:
    """A fact type's (`score`) or field's (`score.final`) description in zh or en."""
    if lang == "zh":
        from .catalogue_zh import DESCRIPTIONS_ZH

        return DESCRIPTIONS_ZH[key]
    type_name, _, field_name = key.partition(".")
    fact = CATALOGUE[type_name]
    return fact.fields[field_name].description if field_name else fact.description
