"""The typed case (SPEC §2): what a validated case file holds.

Numbers from score sheets are exact Fractions; dates are `datetime.date`.  Every list keeps
the order of the file, because subjects (`incidents[1]`) are positions in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from fractions import Fraction
from typing import Any

from .i18n import Text
from .records import record

STAGES = ("application", "initial", "surveillance", "recertification", "change")
EVALUATION_TYPES = ("initial", "surveillance", "recertification")
CERTIFICATE_STATUSES = ("valid", "suspended", "withdrawn", "expired")
BUSINESS_TYPES = ("production", "sales", "service")
INCIDENT_KINDS = ("accident", "complaint")
INCIDENT_SEVERITIES = ("major", "minor")
RECORDED_SEVERITIES = ("major", "minor", "observation")
DEDUCTION_BASES = ("law", "own_rules", "industry", "system")
SURVEILLANCE_RESULTS = ("pass", "fail")
VERIFICATION_RESULTS = ("accepted", "rejected")
VERIFICATION_METHODS = ("document", "on_site")
TEAM_ROLES = ("leader", "member", "technical_expert", "observer")
SITE_KINDS = ("head_office", "outlet", "other")
# SPEC 7.1: the outcomes a body can record at each stage (never `pending`)
DECISION_OUTCOMES: dict[str, tuple[str, ...]] = {
    "application": ("accept_application", "return_application", "reject_application"),
    "initial": ("grant", "refuse"),
    "recertification": ("renew", "refuse"),
    "surveillance": ("maintain", "suspend", "restore", "withdraw", "expire", "grade_change", "reissue"),
    "change": ("maintain", "suspend", "restore", "withdraw", "expire", "grade_change", "reissue"),
}
GRADED_OUTCOMES = ("grant", "renew", "grade_change")


@record
class Licence:
    name: str
    required: bool
    long_term: bool = False
    valid_until: dt.date | None = None


@record
class Organization:
    name: str
    credit_code: str
    country: str
    legal_entity: bool
    legal_compliance: bool
    part_of_legal_entity: bool = False
    business_type: str | None = None
    licences: tuple[Licence, ...] = ()
    name_en: str | None = None
    address: str | None = None


@record
class ServiceSystem:
    operating_since: dt.date | None = None
    rules_documented: bool | None = None
    responsible_person: str | None = None
    dedicated_fund: bool | None = None
    trained_managers: int | None = None


@record
class Incident:
    date: dt.date
    kind: str
    severity: str
    service_related: bool
    authority_confirmed: bool = False
    summary: str | None = None


@record
class Application:
    date: dt.date | None = None
    products: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None


@record
class IndicatorScore:
    awarded: Fraction
    available: Fraction


@record
class Exclusion:
    indicator: str
    justification: str | None = None


@record
class Response:
    """The organisation's corrective-action reply (SPEC 6.1)."""

    received_on: dt.date
    root_cause: str
    correction: str
    corrective_action: str
    evidence: tuple[str, ...] = ()


@record
class Verification:
    """The body's verification of a reply (SPEC 6.1)."""

    date: dt.date
    result: str
    by: str | None = None
    method: str = "document"
    note: str | None = None


@record
class SpecialDeduction:
    item: str
    basis: str | None = None
    id: str | None = None
    site: str | None = None
    responses: tuple[Response, ...] = ()
    verifications: tuple[Verification, ...] = ()


@record
class SpecialBonus:
    item: str


@record
class Nonconformity:
    indicator: str
    severity: str
    statement: str
    evidence: str | None = None
    requirement: str | None = None
    id: str | None = None
    site: str | None = None
    responses: tuple[Response, ...] = ()
    verifications: tuple[Verification, ...] = ()


@record
class TeamMember:
    name: str
    role: str
    qualified_until: dt.date | None = None
    consulted_client_on: dt.date | None = None


@record
class Site:
    name: str
    kind: str | None = None
    address: str | None = None


@record
class Evaluation:
    date: dt.date
    type: str
    scores: dict[str, IndicatorScore] | None = None
    excluded: tuple[Exclusion, ...] = ()
    special_deductions: tuple[SpecialDeduction, ...] = ()
    special_bonus: SpecialBonus | None = None
    nonconformities: tuple[Nonconformity, ...] = ()
    start: dt.date | None = None
    team: tuple[TeamMember, ...] | None = None
    sites: tuple[Site, ...] | None = None

    def nonconformity_ids(self) -> list[str]:
        """Each nonconformity's id: as given, else NC-<n> (n its 1-based position, SPEC 6.1)."""
        return [
            nc.id or default_item_id("nonconformities", n) for n, nc in enumerate(self.nonconformities, 1)
        ]

    def special_deduction_ids(self) -> list[str]:
        return [
            sd.id or default_item_id("special_deductions", n)
            for n, sd in enumerate(self.special_deductions, 1)
        ]


# The default ids of an evaluation's tracked items, by list (SPEC 6.1): NC-<n>, SD-<n>.
ITEM_ID_PREFIXES: dict[str, str] = {"nonconformities": "NC", "special_deductions": "SD"}


def default_item_id(list_name: str, position: int) -> str:
    """The id of the item at 1-based `position` of `list_name` when none is recorded."""
    return f"{ITEM_ID_PREFIXES[list_name]}-{position}"


@record
class EvidenceEntry:
    item: str
    count: int
    products: tuple[str, ...] = ()


@record
class Certificate:
    number: str
    grade: str
    issued_on: dt.date
    valid_until: dt.date
    status: str
    evaluated_on: dt.date | None = None
    cycle_start: dt.date | None = None
    suspended_on: dt.date | None = None
    suspension_until: dt.date | None = None
    scope: Text | None = None
    suspension_reason: str | None = None


@record
class SurveillanceRecord:
    date: dt.date
    result: str
    extension_until: dt.date | None = None


@record
class Extension:
    until: dt.date
    reason: str | None = None


@record
class Change:
    kind: str
    date: dt.date
    significant: bool
    notified_on: dt.date | None = None
    description: str | None = None


@record
class Decision:
    """The certification decision as recorded (认证决定, SPEC 7.1)."""

    date: dt.date
    by: str
    outcome: str
    grade: str | None = None
    justification: str | None = None


@record
class Case:
    case_id: str
    stage: str
    as_of: dt.date  # the date used: --as-of, else the case's as_of, else today
    pack: str
    organization: Organization
    service_system: ServiceSystem | None = None
    incidents: tuple[Incident, ...] = ()
    application: Application | None = None
    evaluation: Evaluation | None = None
    evidence: tuple[EvidenceEntry, ...] | None = None
    certificate: Certificate | None = None
    surveillance: tuple[SurveillanceRecord, ...] = ()
    extension: Extension | None = None
    changes: tuple[Change, ...] | None = None
    decision: Decision | None = None
    source: str = field(default="<case>", compare=False)
    document: Any = field(default=None, compare=False, repr=False)  # as parsed: for its content hash
