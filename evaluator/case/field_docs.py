"""What every field of the case file means, in Chinese and English (SPEC §2, §6.1, §7.1, §12).

One table, keyed by the field's path in the case shape (evaluator/case/shape.py): keys joined by
`.`, a list's items written `[]` (`evaluation.nonconformities[].responses[].received_on`), the
entries of a map by their key's name in angle brackets (`evaluation.scores.<indicator>.awarded`).
A list of strings is described by the list itself (`application.products[]` reads
`application.products`).  `certeval schema case` emits these as `title` and `description`; the
spreadsheet labels its rows and columns with them.  The test suite walks the shape of every
stage of every pack and checks that each field has an entry and each entry a field.
"""

from __future__ import annotations

import re

from ..base.i18n import Text

# path: (中文标签, English label, English help, 中文说明)
_Row = tuple[str, str, str, str]

_LIFECYCLE: dict[str, _Row] = {
    "id": (
        "编号",
        "Item id",
        "Stable id of the item across case versions; default NC-1, NC-2… / SD-1… by position.",
        "该项在各版案例中不变的编号；缺省按位置为 NC-1、NC-2…／SD-1…。",
    ),
    "site": (
        "场所",
        "Site",
        "Name of the evaluated site where the item was found (one of evaluation.sites).",
        "发现该项的评价场所名称（须为 evaluation.sites 之一）。",
    ),
    "responses": (
        "组织回复",
        "Responses",
        "The organisation's responses to the item, each with its root cause and correction.",
        "受评组织对该项的回复，每次回复含原因分析和纠正。",
    ),
    "responses[].received_on": (
        "回复收到日期",
        "Received on",
        "Date the body received this response; not before evaluation.date nor after as_of.",
        "认证机构收到本次回复的日期；不得早于评价日期、不得晚于评价基准日。",
    ),
    "responses[].root_cause": (
        "原因分析",
        "Root cause",
        "The organisation's own analysis of why the nonconformity occurred.",
        "组织自行分析的不符合原因。",
    ),
    "responses[].correction": (
        "纠正",
        "Correction",
        "What the organisation did to fix the nonconformity itself.",
        "组织对不符合本身采取的处置。",
    ),
    "responses[].corrective_action": (
        "纠正措施",
        "Corrective action",
        "What the organisation did to stop the cause recurring.",
        "组织为消除原因、防止再发生采取的措施。",
    ),
    "responses[].evidence": (
        "证据",
        "Evidence",
        "Documents or records submitted with the response, one per line.",
        "随回复提交的文件或记录，每行一项。",
    ),
    "verifications": (
        "验证",
        "Verifications",
        "The body's verifications of the responses.",
        "认证机构对回复的验证。",
    ),
    "verifications[].date": (
        "验证日期",
        "Verified on",
        "Date of this verification; not before evaluation.date nor after as_of.",
        "本次验证的日期；不得早于评价日期、不得晚于评价基准日。",
    ),
    "verifications[].by": ("验证人", "Verified by", "Who verified; not blank.", "验证人员，不得为空。"),
    "verifications[].result": (
        "验证结论",
        "Result",
        "accepted closes the item; rejected asks the organisation to resubmit.",
        "accepted（接受）关闭该项；rejected（不接受）须组织重新提交。",
    ),
    "verifications[].method": (
        "验证方式",
        "Method",
        "How the response was verified: document review or on site.",
        "验证方式：文件审查或现场验证。",
    ),
    "verifications[].note": ("备注", "Note", "Free remarks of the verifier.", "验证人的说明。"),
}

_ROWS: dict[str, _Row] = {
    "case_id": (
        "案例编号",
        "Case id",
        "Identifies the case; letters, digits, '.', '_', '-', at most 64, no path.",
        "案例标识：字母、数字、'.'、'_'、'-'，最多 64 个字符，不得含路径。",
    ),
    "as_of": (
        "评价基准日",
        "As of",
        "The date the case is evaluated on; --as-of wins; default today.",
        "案例评价所依据的日期；--as-of 优先；缺省为当天。",
    ),
    "pack": (
        "规则包",
        "Rule pack",
        "Id of the rule pack to evaluate under; default gbt27922-2011.",
        "评价所用规则包的标识；缺省 gbt27922-2011。",
    ),
    "stage": (
        "阶段",
        "Stage",
        "Certification stage: application, initial, surveillance, recertification or change.",
        "认证阶段：申请、初次评价、监督、再认证或变更。",
    ),
    "organization": ("组织", "Organisation", "The applicant or certified organisation.", "申请或获证组织。"),
    "organization.name": ("组织名称", "Name", "Registered name of the organisation.", "组织的注册名称。"),
    "organization.credit_code": (
        "统一社会信用代码",
        "Credit code",
        "18-character unified social credit code (GB 32100-2015).",
        "18 位统一社会信用代码（GB 32100-2015）。",
    ),
    "organization.country": (
        "国家",
        "Country",
        "Country of registration (CN for eligibility).",
        "注册国家（申请条件要求为 CN）。",
    ),
    "organization.legal_entity": (
        "法人",
        "Legal entity",
        "The organisation is itself a legal entity.",
        "组织本身为法人。",
    ),
    "organization.part_of_legal_entity": (
        "法人组成部分",
        "Part of a legal entity",
        "The organisation is part of a legal entity.",
        "组织为法人的组成部分。",
    ),
    "organization.business_type": (
        "经营类型",
        "Business type",
        "Kind of business the organisation runs.",
        "组织的经营类型。",
    ),
    "organization.legal_compliance": (
        "守法经营",
        "Legal compliance",
        "The organisation complies with the applicable laws and regulations.",
        "组织遵守适用的法律法规。",
    ),
    "organization.licences": (
        "许可证",
        "Licences",
        "Administrative licences the organisation holds.",
        "组织持有的行政许可。",
    ),
    "organization.licences[].name": ("许可证名称", "Licence", "Name of the licence.", "许可证名称。"),
    "organization.licences[].required": (
        "法定必需",
        "Required",
        "Required by law for the certified service.",
        "所认证服务依法必须取得。",
    ),
    "organization.licences[].long_term": (
        "长期有效",
        "Long term",
        "Valid without end (长期有效); valid_until is then ignored.",
        "长期有效；此时不看有效期至。",
    ),
    "organization.licences[].valid_until": (
        "有效期至",
        "Valid until",
        "Last day the licence is valid.",
        "许可证有效的最后一天。",
    ),
    "organization.name_en": (
        "英文名称",
        "English name",
        "English name, for English documents and search.",
        "英文名称，用于英文文件和检索。",
    ),
    "organization.address": (
        "地址",
        "Address",
        "Address printed in the certificate information.",
        "证书信息中的地址。",
    ),
    "service_system": (
        "服务体系",
        "Service system",
        "The after-sales service system; all keys required at application, initial and recertification.",
        "售后服务体系；申请、初次评价和再认证时各项均须填写。",
    ),
    "service_system.operating_since": (
        "运行起始日",
        "Operating since",
        "Date the service system began operating.",
        "服务体系开始运行的日期。",
    ),
    "service_system.rules_documented": (
        "制度成文",
        "Rules documented",
        "The service rules are documented.",
        "服务制度已形成文件。",
    ),
    "service_system.responsible_person": (
        "负责人",
        "Responsible person",
        "Person responsible for after-sales service.",
        "售后服务负责人。",
    ),
    "service_system.dedicated_fund": (
        "专项资金",
        "Dedicated fund",
        "A fund is set aside for after-sales service.",
        "设有售后服务专项资金。",
    ),
    "service_system.trained_managers": (
        "受训管理人员数",
        "Trained managers",
        "Number of service managers trained.",
        "经培训的服务管理人员人数。",
    ),
    "incidents": (
        "事故与投诉",
        "Incidents",
        "Accidents and complaints, for the one-year eligibility window and certificate rules.",
        "事故和投诉，用于申请前一年的条件和证书规则。",
    ),
    "incidents[].date": (
        "日期",
        "Date",
        "Date of the incident; not after as_of.",
        "发生日期；不得晚于评价基准日。",
    ),
    "incidents[].kind": ("类别", "Kind", "Accident or complaint.", "事故或投诉。"),
    "incidents[].severity": (
        "严重程度",
        "Severity",
        "How serious the incident is; major ones bar eligibility when service related.",
        "严重程度；与服务有关的重大事件影响申请条件。",
    ),
    "incidents[].service_related": (
        "与服务有关",
        "Service related",
        "The incident concerns the after-sales service.",
        "该事件与售后服务有关。",
    ),
    "incidents[].authority_confirmed": (
        "主管部门确认",
        "Authority confirmed",
        "An authority has confirmed the incident.",
        "已经主管部门确认。",
    ),
    "incidents[].summary": ("摘要", "Summary", "Short description.", "简要说明。"),
    "application": (
        "认证申请",
        "Application",
        "The application; required at stage application.",
        "认证申请；申请阶段必须填写。",
    ),
    "application.date": (
        "申请日期",
        "Application date",
        "Date of application; the eligibility reference date.",
        "申请日期，为申请条件的基准日。",
    ),
    "application.products": (
        "申请产品",
        "Products",
        "Products in the requested scope, one per line.",
        "申请范围内的产品，每行一项。",
    ),
    "application.documents": (
        "申请资料",
        "Documents",
        "Application documents submitted, by the pack's document keys.",
        "已提交的申请资料（规则包定义的资料项）。",
    ),
    "evaluation": ("评价", "Evaluation", "The evaluation of this case (评价).", "本案例的评价。"),
    "evaluation.date": (
        "评价日期",
        "Evaluation date",
        "Last day of the evaluation; anchor of action dues.",
        "评价的最后一天，为整改期限的起算日。",
    ),
    "evaluation.type": (
        "评价类型",
        "Evaluation type",
        "Initial, surveillance or recertification evaluation.",
        "初次、监督或再认证评价。",
    ),
    "evaluation.scores": (
        "评分",
        "Scores",
        "Score of every indicator of the pack.",
        "规则包每个指标的得分。",
    ),
    "evaluation.scores.<indicator>": (
        "指标得分",
        "Indicator score",
        "Awarded and available points of one indicator.",
        "一个指标的得分和满分。",
    ),
    "evaluation.scores.<indicator>.awarded": (
        "得分",
        "Awarded",
        "Points awarded; at most available.",
        "实得分，不超过满分。",
    ),
    "evaluation.scores.<indicator>.available": (
        "满分",
        "Available",
        "Points available for the indicator.",
        "该指标的满分。",
    ),
    "evaluation.excluded": (
        "不适用指标",
        "Exclusions",
        "Indicators excluded as not applicable.",
        "按不适用删减的指标。",
    ),
    "evaluation.excluded[].indicator": ("指标", "Indicator", "The excluded indicator.", "被删减的指标。"),
    "evaluation.excluded[].justification": (
        "删减理由",
        "Justification",
        "Why the indicator does not apply; needed unless the pack allows it.",
        "指标不适用的理由。",
    ),
    "evaluation.special_deductions": (
        "特别扣分",
        "Special deductions",
        "Special deduction items found in the evaluation.",
        "评价中发现的特别扣分项。",
    ),
    "evaluation.special_deductions[].item": ("扣分项", "Item", "What the deduction is for.", "扣分事项。"),
    "evaluation.special_deductions[].basis": ("依据", "Basis", "Basis of the deduction.", "扣分依据。"),
    "evaluation.special_bonus": (
        "特别加分",
        "Special bonus",
        "A special bonus item, if any.",
        "特别加分项（如有）。",
    ),
    "evaluation.special_bonus.item": ("加分项", "Item", "What the bonus is for.", "加分事项。"),
    "evaluation.nonconformities": (
        "不符合项",
        "Nonconformities",
        "Nonconformities recorded in the evaluation and their lifecycle.",
        "评价中记录的不符合项及其处理过程。",
    ),
    "evaluation.nonconformities[].indicator": (
        "指标",
        "Indicator",
        "Indicator the nonconformity is against.",
        "不符合所涉指标。",
    ),
    "evaluation.nonconformities[].severity": (
        "严重程度",
        "Severity",
        "Major or minor as recorded.",
        "记录的严重或一般。",
    ),
    "evaluation.nonconformities[].statement": (
        "不符合事实",
        "Statement",
        "What was found.",
        "不符合事实陈述。",
    ),
    "evaluation.nonconformities[].evidence": (
        "客观证据",
        "Evidence",
        "Objective evidence seen.",
        "所见客观证据。",
    ),
    "evaluation.nonconformities[].requirement": (
        "要求",
        "Requirement",
        "Requirement not met.",
        "未满足的要求。",
    ),
    "evaluation.start": (
        "评价开始日",
        "Start",
        "First day on site; evaluation.date stays the last day.",
        "现场评价第一天；评价日期仍为最后一天。",
    ),
    "evaluation.team": ("评价组", "Team", "The evaluation team.", "评价组成员。"),
    "evaluation.team[].name": ("姓名", "Name", "Name of the member.", "成员姓名。"),
    "evaluation.team[].role": (
        "角色",
        "Role",
        "Leader, member, technical expert or observer.",
        "组长、组员、技术专家或观察员。",
    ),
    "evaluation.team[].qualified_until": (
        "资格有效期至",
        "Qualified until",
        "Last day the member's qualification is valid; before evaluation.date is a finding.",
        "成员资格有效的最后一天；早于评价日期会产生发现。",
    ),
    "evaluation.team[].consulted_client_on": (
        "咨询日期",
        "Consulted client on",
        "Last date the member gave consultancy to this client (impartiality).",
        "成员最近一次为该组织提供咨询的日期（公正性）。",
    ),
    "evaluation.sites": ("评价场所", "Sites", "Where the evaluation took place.", "评价实施的场所。"),
    "evaluation.sites[].name": ("场所名称", "Name", "Name of the site.", "场所名称。"),
    "evaluation.sites[].kind": (
        "场所类型",
        "Kind",
        "Head office, outlet or other.",
        "总部、服务网点或其他。",
    ),
    "evaluation.sites[].address": ("地址", "Address", "Address of the site.", "场所地址。"),
    "evidence": (
        "证据材料",
        "Evidence",
        "Evidence items counted for the application, by the pack's evidence keys.",
        "申请所需的证据材料（规则包定义的项目）及数量。",
    ),
    "evidence[].item": ("证据项", "Item", "Which evidence item.", "证据项目。"),
    "evidence[].count": ("数量", "Count", "How many were provided.", "提供的数量。"),
    "evidence[].products": (
        "覆盖产品",
        "Products",
        "Products the evidence covers, one per line.",
        "证据覆盖的产品，每行一项。",
    ),
    "certificate": (
        "证书",
        "Certificate",
        "The certificate before any recorded decision; required once certified.",
        "记录认证决定之前的证书；获证后必须填写。",
    ),
    "certificate.number": ("证书编号", "Number", "Certificate number.", "证书编号。"),
    "certificate.grade": (
        "证书等级",
        "Grade",
        "Grade on the certificate, as the pack defines.",
        "证书上的等级（规则包定义）。",
    ),
    "certificate.evaluated_on": (
        "认证评价日期",
        "Evaluated on",
        "Last day of the evaluation that led to the certificate; default issued_on; "
        "not after issued_on. Surveillance is measured from it.",
        "取得证书所依据评价的最后一天；缺省为发证日期，不得晚于发证日期。监督间隔由此起算。",
    ),
    "certificate.issued_on": ("发证日期", "Issued on", "Date the certificate was issued.", "证书颁发日期。"),
    "certificate.cycle_start": (
        "周期起始日",
        "Cycle start",
        "First day of the validity cycle; default issued_on; after recertification the new cycle "
        "continues from the old expiry. valid_until may be at most the validity period "
        "(a pack parameter) from cycle_start, less a day.",
        "证书有效周期的第一天；缺省为发证日期；再认证后新周期接续原到期日。"
        "有效期至最迟为周期起始日加有效期（规则包参数）减 1 天。",
    ),
    "certificate.valid_until": (
        "有效期至",
        "Valid until",
        "Last day the certificate is valid.",
        "证书有效的最后一天。",
    ),
    "certificate.status": (
        "证书状态",
        "Status",
        "Status as given: valid, suspended, withdrawn or expired.",
        "案例中的证书状态：有效、暂停、撤销或过期。",
    ),
    "certificate.suspended_on": (
        "暂停日期",
        "Suspended on",
        "Date of suspension; required when status is suspended.",
        "暂停日期；状态为暂停时必须填写。",
    ),
    "certificate.suspension_until": (
        "暂停期至",
        "Suspension until",
        "End of the suspension period set in the notice; "
        "default suspended_on plus the pack's suspension period.",
        "暂停通知规定的暂停期截止日；缺省为暂停日期加规则包规定的暂停期。",
    ),
    "certificate.scope": (
        "认证范围",
        "Scope",
        "Certified scope in Chinese and English.",
        "认证范围（中英文）。",
    ),
    "certificate.scope.zh": ("中文", "Chinese", "The text in Chinese.", "中文文本。"),
    "certificate.scope.en": ("英文", "English", "The text in English.", "英文文本。"),
    "certificate.suspension_reason": (
        "暂停原因",
        "Suspension reason",
        "Free text or a rule id.",
        "自由文本或规则编号。",
    ),
    "surveillance": (
        "监督记录",
        "Surveillance",
        "Past surveillance evaluations of the certificate.",
        "证书以往的监督评价。",
    ),
    "surveillance[].date": (
        "监督日期",
        "Date",
        "Last day of the surveillance evaluation; not before issued_on.",
        "监督评价的最后一天；不得早于发证日期。",
    ),
    "surveillance[].result": ("监督结论", "Result", "Outcome of the surveillance.", "监督结论。"),
    "surveillance[].extension_until": (
        "延期至",
        "Extension until",
        "The extension granted before this surveillance, if any.",
        "本次监督前批准的延期截止日（如有）。",
    ),
    "extension": (
        "监督延期",
        "Extension",
        "The current surveillance extension; counts only past the due date "
        "and is capped by the pack's extension limit.",
        "当前的监督延期；仅在超过应监督日时计入，且不超过规则包规定的延期上限。",
    ),
    "extension.until": ("延期至", "Until", "Date the extension runs to.", "延期截止日。"),
    "extension.reason": ("延期原因", "Reason", "Why the extension was granted.", "延期原因。"),
    "changes": ("变更", "Changes", "Changes of the organisation after certification.", "获证后组织的变更。"),
    "changes[].kind": (
        "变更类别",
        "Kind",
        "Which change, by the pack's change kinds.",
        "变更类别（规则包定义）。",
    ),
    "changes[].date": (
        "变更日期",
        "Date",
        "Date the change took effect; not after as_of.",
        "变更生效日期；不得晚于评价基准日。",
    ),
    "changes[].significant": ("重大变更", "Significant", "The change is significant.", "属于重大变更。"),
    "changes[].notified_on": (
        "通报日期",
        "Notified on",
        "Date the body was notified; before the change date is advance notice.",
        "通知认证机构的日期；早于变更日期为提前通报。",
    ),
    "changes[].description": ("说明", "Description", "What changed.", "变更内容。"),
    "decision": (
        "认证决定",
        "Decision",
        "The certification decision as recorded (认证决定).",
        "记录的认证决定。",
    ),
    "decision.date": (
        "决定日期",
        "Date",
        "Date of the decision; not before evaluation.date nor after as_of.",
        "决定日期；不得早于评价日期、不得晚于评价基准日。",
    ),
    "decision.by": (
        "决定人",
        "By",
        "Who decided; must not be a team member.",
        "作出决定的人员，不得为评价组成员。",
    ),
    "decision.outcome": (
        "决定结果",
        "Outcome",
        "An outcome the body can record at this stage, never pending.",
        "本阶段可记录的决定结果，不得为 pending。",
    ),
    "decision.grade": (
        "决定等级",
        "Grade",
        "Required for grant, renew and grade_change; absent otherwise.",
        "批准、再认证、等级变更时必填，其他情况不填。",
    ),
    "decision.justification": (
        "理由",
        "Justification",
        "Needed when the outcome or grade differs from the recommendation.",
        "结果或等级与建议不同时须说明理由。",
    ),
}
for _list in ("evaluation.special_deductions[]", "evaluation.nonconformities[]"):
    _ROWS.update({f"{_list}.{key}": row for key, row in _LIFECYCLE.items()})

FIELD_DOCS: dict[str, tuple[Text, Text]] = {
    path: (Text(zh_label, en_label), Text(zh_help, en_help))
    for path, (zh_label, en_label, en_help, zh_help) in _ROWS.items()
}

_INDEX = re.compile(r"\[[0-9]+\]")


def field_doc(path: str) -> tuple[Text, Text] | None:
    """(label, help) of a case path such as `certificate.evaluated_on`; list indexes may be
    written (`incidents[2].date`), and a list of strings' item reads as the list."""
    generic = _INDEX.sub("[]", path)
    found = FIELD_DOCS.get(generic)
    if found is None and generic.endswith("[]"):
        found = FIELD_DOCS.get(generic[:-2])
    return found


def json_doc(path: str) -> tuple[str, str] | None:
    """The JSON Schema (title, description) of a case path: "中文标签 / English label" and
    "English help — 中文说明"."""
    found = FIELD_DOCS.get(path)
    if found is None:
        return None
    label, help_text = found
    return f"{label.zh} / {label.en}", f"{help_text.en} — {help_text.zh}"
