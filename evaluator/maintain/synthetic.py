"""Random valid cases, for differential tests and benchmarks (never for real decisions).

`synthetic_case(seed, pack)` returns a case document (the dict `json.load` would give) that is
valid under `pack`: every stage, certificates in every status, extensions, changes, score
sheets with exclusions and deductions.  Dates cluster around the windows the rules test, so
that both sides of a boundary come up often.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ..base.case_model import DECISION_OUTCOMES, GRADED_OUTCOMES, STAGES
from ..base.dates import add_days, add_months
from ..facts.credit_code import CHARSET, check_character
from ..packs.model import Pack

PRODUCTS = ("空调", "热水器", "洗碗机", "集成灶", "冷柜", "充电桩", "电梯")
AS_OF = dt.date(2026, 11, 23)


def credit_code(rng: random.Random, valid: bool = True) -> str:
    body = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice(CHARSET) for _ in range(9))
    )
    check = check_character(body)
    if not valid:
        check = rng.choice([c for c in CHARSET if c != check])
    return body + check


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _before(rng: random.Random, day: dt.date, most: int, least: int = 0) -> dt.date:
    return add_days(day, -rng.randint(least, max(least, most)))


def _near(rng: random.Random, day: dt.date, spread: int = 3) -> dt.date:
    return add_days(day, rng.randint(-spread, spread))


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` points over `parts` indicators, each at least 1."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def score_sheet(rng: random.Random, pack: Pack) -> dict[str, Any]:
    sheet: dict[str, Any] = {}
    for category in pack.categories.values():
        keys = [k for k, ind in pack.indicators.items() if ind.category == category.id]
        for key, available in zip(keys, _split(rng, int(category.max), len(keys)), strict=True):
            low = rng.choice((0.0, 0.5, 0.6, 0.8))
            steps = int(available * 2)
            awarded = rng.randint(int(low * steps), steps) / 2
            sheet[key] = {"awarded": awarded, "available": available}
    return sheet


def _evaluation(
    rng: random.Random, pack: Pack, stage: str, as_of: dt.date, earliest: dt.date
) -> dict[str, Any]:
    kind = {"initial": "initial", "surveillance": "surveillance", "recertification": "recertification"}.get(
        stage, rng.choice(("initial", "surveillance", "recertification"))
    )
    span = max(0, (as_of - earliest).days)
    evaluation: dict[str, Any] = {
        "date": _iso(add_days(as_of, -rng.randint(0, min(span, 400)))),
        "type": kind,
    }
    if rng.random() < 0.85:
        evaluation["scores"] = score_sheet(rng, pack)
    indicators = list(pack.indicators)
    excluded = rng.sample(indicators, rng.choice((0, 0, 1, 2)))
    evaluation["excluded"] = [
        {"indicator": key, **({"justification": "不涉及"} if rng.random() < 0.6 else {})} for key in excluded
    ]
    evaluation["special_deductions"] = [
        {"item": f"扣分项{i}", "basis": "own_rules"} for i in range(rng.choice((0, 0, 1, 3, 4, 5, 6)))
    ]
    if rng.random() < 0.3:
        evaluation["special_bonus"] = {"item": "参与标准制定"}
    evaluation["nonconformities"] = [
        {
            "indicator": rng.choice(indicators),
            "severity": rng.choice(("major", "minor", "minor", "observation")),
            "statement": f"不符合事实{i}",
            "evidence": "抽查记录",
            "requirement": "标准要求",
        }
        for i in range(rng.choice((0, 0, 1, 2)))
    ]
    return evaluation


def _certificate(
    rng: random.Random, pack: Pack, as_of: dt.date, seed: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    issued = _before(rng, as_of, 1300)
    months = pack.integer("validity_months")
    valid_until = add_days(add_months(issued, months), rng.choice((-1, -1, -1, 0, -30)))
    status = rng.choices(("valid", "suspended", "withdrawn", "expired"), weights=(70, 15, 10, 5))[0]
    cert: dict[str, Any] = {
        "number": f"SC-{issued.year}-{seed:08d}",  # one certificate per seed, as in a real register
        "grade": rng.choice([g.id for g in pack.grades]),
        "issued_on": _iso(issued),
        "valid_until": _iso(valid_until),
        "status": status,
    }
    if rng.random() < 0.3:
        cert["evaluated_on"] = _iso(_before(rng, issued, 20))
    if status == "suspended":
        suspended = add_days(issued, rng.randint(0, (as_of - issued).days))
        cert["suspended_on"] = _iso(suspended)
        if rng.random() < 0.4:
            cert["suspension_until"] = _iso(add_days(suspended, rng.randint(30, 200)))
    records = []
    day = issued
    while True:
        day = _near(rng, add_months(day, 12), 20)
        if day > as_of or day < issued:
            break
        record: dict[str, Any] = {
            "date": _iso(day),
            "result": rng.choices(("pass", "fail"), weights=(9, 1))[0],
        }
        if rng.random() < 0.15:
            record["extension_until"] = _iso(_near(rng, day, 40))
        records.append(record)
    if records and rng.random() < 0.4:  # a surveillance not (yet) held: overdue and extension states
        records.pop()
    rng.shuffle(records)
    return cert, records


def synthetic_case(seed: int, pack: Pack, *, as_of: dt.date = AS_OF) -> dict[str, Any]:
    rng = random.Random(seed)
    as_of = add_days(as_of, -rng.randint(0, 365))
    stage = rng.choice(STAGES)
    products = rng.sample(PRODUCTS, rng.randint(1, 3))
    licence_required = rng.random() < 0.6
    doc: dict[str, Any] = {
        "case_id": f"SYN-{seed:08d}",
        "as_of": _iso(as_of),
        "pack": pack.id,
        "stage": stage,
        "organization": {
            "name": f"合成测试{seed}有限公司",
            "credit_code": credit_code(rng, valid=rng.random() < 0.9),
            "country": rng.choices(("CN", "HK"), weights=(19, 1))[0],
            "legal_entity": rng.random() < 0.9,
            "part_of_legal_entity": rng.random() < 0.3,
            "business_type": rng.choice(("production", "sales", "service")),
            "legal_compliance": rng.random() < 0.95,
            "licences": [
                {
                    "name": "生产许可证",
                    "required": licence_required,
                    "valid_until": _iso(_near(rng, as_of, 400)),
                },
                *([{"name": "营业执照", "required": True, "long_term": True}] if rng.random() < 0.5 else []),
            ],
        },
    }
    reference = _before(rng, as_of, 120)
    if stage in ("application", "initial", "recertification") or rng.random() < 0.3:
        doc["service_system"] = {
            "operating_since": _iso(
                min(
                    as_of,
                    add_months(reference, -rng.choice((2, 3, 3, 4, 12)))
                    + dt.timedelta(days=rng.randint(-3, 3)),
                )
            ),
            "rules_documented": rng.random() < 0.95,
            "responsible_person": rng.choice(("张三", "李四", None, " ")) if rng.random() < 0.2 else "王五",
            "dedicated_fund": rng.random() < 0.95,
            "trained_managers": rng.choice((0, 1, 2, 3)),
        }
    doc["incidents"] = [
        {
            "date": _iso(
                _near(rng, add_months(reference, -12), 40) if rng.random() < 0.5 else _before(rng, as_of, 700)
            ),
            "kind": rng.choice(("accident", "complaint")),
            "severity": rng.choice(("major", "minor")),
            "service_related": rng.random() < 0.8,
            "authority_confirmed": rng.random() < 0.2,
            "summary": "合成事件",
        }
        for _ in range(rng.choice((0, 0, 1, 2, 3)))
    ]
    documents = [
        k for k, d in pack.documents.items() if d.required != "licence_required" or rng.random() < 0.5
    ]
    documents = [k for k in documents if rng.random() < 0.93]
    if stage == "application" or rng.random() < 0.5:
        doc["application"] = {"date": _iso(reference), "products": products, "documents": documents}
    if rng.random() < 0.5:
        doc["evidence"] = [
            {
                "item": key,
                "count": rng.randint(0, item.minimum + 3),
                "products": [p for p in products if rng.random() < 0.85],
            }
            for key, item in pack.evidence.items()
            if rng.random() < 0.9
        ]
    earliest = add_days(as_of, -400)
    if stage in ("surveillance", "recertification", "change") or rng.random() < 0.2:
        cert, records = _certificate(rng, pack, as_of, seed)
        doc["certificate"], doc["surveillance"] = cert, records
        earliest = dt.date.fromisoformat(cert["issued_on"])
        if rng.random() < 0.3:
            last = max([dt.date.fromisoformat(r["date"]) for r in records] or [earliest])
            months = 12 + rng.choice((0, 1, 2, 3, 3, 4))
            doc["extension"] = {"until": _iso(_near(rng, add_months(last, months), 5)), "reason": "延期"}
    if stage != "application" and rng.random() < 0.8:
        doc["evaluation"] = _evaluation(rng, pack, stage, as_of, earliest)
    if stage == "change" or rng.random() < 0.3:
        kinds = list(pack.change_kinds)
        changes = []
        for _ in range(rng.randint(0, 4)):
            day = _before(rng, as_of, 90)
            change: dict[str, Any] = {
                "kind": rng.choice(kinds),
                "date": _iso(day),
                "significant": rng.random() < 0.6,
            }
            if rng.random() < 0.5:
                change["notified_on"] = _iso(min(as_of, add_days(day, rng.randint(0, 45))))
            changes.append(change)
        doc["changes"] = changes
    _part_two(random.Random(seed * 7919 + 1), doc, pack)  # its own stream: Part I's draws stay as they were
    return doc


# ------------------------------------------------------------------------ Part II (SPEC 6, 7)
TEAM_NAMES = ("李四", "赵六", "孙七", "周八")


def _part_two(rng: random.Random, doc: dict[str, Any], pack: Pack) -> None:
    as_of = dt.date.fromisoformat(doc["as_of"])
    evaluation, cert = doc.get("evaluation"), doc.get("certificate")
    if evaluation is not None and cert and cert.get("suspended_on") and rng.random() < 0.6:
        suspended = dt.date.fromisoformat(cert["suspended_on"])
        evaluation["date"] = _iso(add_days(suspended, rng.randint(0, max(0, (as_of - suspended).days))))
        if doc["stage"] == "change":
            evaluation["type"] = "surveillance"
    if evaluation is not None:
        _lifecycle(rng, evaluation, pack, as_of)
        _team(rng, evaluation, pack)
    _decision(rng, doc, pack, as_of)


def _lifecycle(rng: random.Random, evaluation: dict[str, Any], pack: Pack, as_of: dt.date) -> None:
    start = dt.date.fromisoformat(evaluation["date"])
    if rng.random() < 0.3:
        evaluation["start"] = _iso(_before(rng, start, 5))
    if rng.random() < 0.3:
        evaluation["sites"] = [{"name": "总部", "kind": "head_office"}, {"name": "网点", "kind": "outlet"}]
    items = [*evaluation["nonconformities"], *evaluation["special_deductions"]]
    for n, item in enumerate(items):
        if rng.random() < 0.2:
            item["id"] = f"X-{n}"
        if "sites" in evaluation and rng.random() < 0.5:
            item["site"] = rng.choice(("总部", " 网点 "))
        if item.get("severity") == "observation" or rng.random() < 0.3:
            continue
        days = pack.integer("major_days" if item.get("severity") == "major" else "minor_days")
        responses, verifications = [], []
        day = start
        for _ in range(rng.choice((1, 1, 2))):
            day = min(as_of, max(day, _near(rng, add_days(start, days), days)))
            responses.append(
                {
                    "received_on": _iso(day),
                    "root_cause": "原因",
                    "correction": "纠正",
                    "corrective_action": "措施",
                }
            )
            if rng.random() < 0.6:
                verify = min(as_of, add_days(day, rng.choice((0, 10, 29, 30, 31, 60))))
                result = rng.choice(("accepted", "rejected"))
                verifications.append({"date": _iso(verify), "by": "李四", "result": result})
                day = verify
        item["responses"], item["verifications"] = responses, verifications


def _team(rng: random.Random, evaluation: dict[str, Any], pack: Pack) -> None:
    if rng.random() < 0.5:
        return
    day = dt.date.fromisoformat(evaluation["date"])
    cooling = add_months(day, -pack.integer("consultancy_cooling_months"))
    team = []
    for name in rng.sample(TEAM_NAMES, rng.randint(1, 3)):
        member: dict[str, Any] = {
            "name": name,
            "role": rng.choice(("leader", "leader", "member", "observer")),
        }
        if rng.random() < 0.8:
            member["qualified_until"] = _iso(_near(rng, day, 3) if rng.random() < 0.3 else add_days(day, 400))
        if rng.random() < 0.3:
            member["consulted_client_on"] = _iso(_near(rng, cooling, 3))
        team.append(member)
    evaluation["team"] = team


def _decision(rng: random.Random, doc: dict[str, Any], pack: Pack, as_of: dt.date) -> None:
    stage, evaluation = doc["stage"], doc.get("evaluation")
    if rng.random() < 0.6 or (evaluation is None and stage in ("initial", "recertification")):
        return
    floor = [dt.date.fromisoformat(evaluation["date"])] if evaluation else []
    cert, application = doc.get("certificate") or {}, doc.get("application") or {}
    for key in ("issued_on", "evaluated_on", "suspended_on"):
        if cert.get(key):
            floor.append(dt.date.fromisoformat(cert[key]))
    if application.get("date"):
        floor.append(dt.date.fromisoformat(application["date"]))
    earliest = max(floor, default=add_days(as_of, -60))
    if earliest > as_of:
        return
    outcome = rng.choice(DECISION_OUTCOMES[stage])
    team = [m["name"] for m in (evaluation or {}).get("team", [])]
    by = rng.choice(team) if team and rng.random() < 0.4 else "王五"
    decision: dict[str, Any] = {
        "date": _iso(add_days(earliest, rng.randint(0, (as_of - earliest).days))),
        "by": by.replace("", " ").strip() if rng.random() < 0.2 else by,  # name normalisation
        "outcome": outcome,
    }
    if outcome in GRADED_OUTCOMES:
        decision["grade"] = rng.choice([g.id for g in pack.grades])
    if rng.random() < 0.5:
        decision["justification"] = "经评审"
    doc["decision"] = decision
