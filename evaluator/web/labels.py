"""The workbench's own words, in Chinese and English (the reports' labels stay in outputs/)."""

from __future__ import annotations

from ..base.i18n import Text

LABELS: dict[str, Text] = {
    "app": Text("认证评价工作台", "Certification workbench"),
    "edit_case": Text("修改案例", "Edit case"),
    "new_case": Text("新建案例", "New case"),
    "logout": Text("退出登录", "Log out"),
    "signed_in_as": Text("当前用户", "Signed in as"),
    "dashboard": Text("工作概览", "Dashboard"),
    "search": Text("查询", "Search"),
    "search_hint": Text(
        "组织名称（中文或英文）、统一社会信用代码、证书编号或案例编号",
        "Organisation (Chinese or English), credit code, certificate number or case id",
    ),
    "search_button": Text("查询", "Search"),
    "as_of": Text("计划日期", "Planning date"),
    "as_of_note": Text(
        "日期取自登记册（服务器），不取浏览器时钟",
        "Dates are the register's (the server's), never the browser's clock",
    ),
    "due": Text("监督与再认证到期", "Surveillance and recertification due"),
    "within": Text("天内", "days ahead"),
    "nc_overdue": Text("逾期未回复的不符合项", "Overdue nonconformities"),
    "nc_open": Text("待回复的不符合项", "Open nonconformities"),
    "verifications_due": Text("待验证的纠正措施", "Verifications due"),
    "decisions_waiting": Text("待认证决定", "Decisions waiting"),
    "nothing": Text("无", "None"),
    "shown": Text(
        "显示前 {n} 条，共 {total} 条（全部：certeval register due --format csv）",
        "First {n} of {total} (all of them: certeval register due --format csv)",
    ),
    "due_on": Text("期限", "due"),
    "date": Text("日期", "Date"),
    "kind": Text("类别", "Kind"),
    "certificate": Text("证书", "Certificate"),
    "organization": Text("组织", "Organisation"),
    "case": Text("案例", "Case"),
    "credit_code": Text("统一社会信用代码", "Credit code"),
    "stage": Text("阶段", "Stage"),
    "grade": Text("等级", "Grade"),
    "status": Text("建议状态", "Recommended status"),
    "state": Text("状态", "State"),
    "respond_by": Text("回复期限", "Respond by"),
    "verify_by": Text("验证期限", "Verify by"),
    "outcome": Text("建议结论", "Recommended outcome"),
    "results": Text("查询结果", "Results"),
    "no_results": Text("没有匹配的案例", "No case matches"),
    "summary": Text("评价摘要", "Evaluation summary"),
    "findings": Text("发现项及其依据", "Findings and why"),
    "why": Text("为什么？", "Why?"),
    "nonconformities": Text("不符合项", "Nonconformities"),
    "recommendation": Text("建议与认证决定", "Recommendation and decision"),
    "recommended": Text("建议", "Recommended"),
    "recorded": Text("已记录的决定", "Recorded decision"),
    "no_decision": Text("尚未记录认证决定", "No decision recorded"),
    "versions": Text("案例版本", "Case versions"),
    "version": Text("版本", "Version"),
    "created_at": Text("时间", "When"),
    "by": Text("操作人", "By"),
    "reason": Text("原因", "Why"),
    "evaluations": Text("评价次数", "Evaluations"),
    "compare": Text("比较发现项", "Compare findings"),
    "from_to": Text("从版本 {a} 到版本 {b}", "From version {a} to version {b}"),
    "added": Text("新增", "Added"),
    "closed": Text("已关闭", "Closed"),
    "no_change": Text("发现项无变化", "No change in findings"),
    "never_evaluated": Text("其中一个版本从未评价", "One of the versions was never evaluated"),
    "downloads": Text("下载", "Downloads"),
    "yaml": Text("案例文件 (YAML)", "Case file (YAML)"),
    "pdf_missing": Text("PDF 需要安装 pdf 扩展", "PDF needs the pdf extra"),
    "no_version": Text(
        "此案例只有旧版登记的评价结果（无案例文件版本）：只显示登记的结果。",
        "This case has only evaluations recorded before case versions: the recorded result is shown.",
    ),
    "pack_changed": Text(
        "规则包自登记以来已变更：以下内容按当前规则包重新评价。",
        "The rule pack changed since this was recorded: what follows is re-evaluated under the current pack.",
    ),
    "not_found": Text("未找到", "Not found"),
    "error": Text("登记册无法读取", "The register cannot be read"),
    "switch": Text("English", "中文"),
    "api_docs": Text("API 文档", "API docs"),
}

KIND_LABELS: dict[str, Text] = {
    "surveillance_due": Text("监督到期", "Surveillance due"),
    "surveillance_overdue": Text("监督逾期", "Surveillance overdue"),
    "extension_running": Text("延期中", "Extension running"),
    "extension_expired": Text("延期已过", "Extension expired"),
    "recertification_due": Text("再认证到期", "Recertification due"),
    "expired": Text("证书已过期", "Certificate expired"),
}

WHY_LABELS: dict[str, Text] = {
    "import": Text("导入", "import"),
    "form": Text("表单编辑", "form"),
    "upload": Text("上传", "upload"),
    "response": Text("整改回复", "response"),
    "verification": Text("验证", "verification"),
    "decision": Text("认证决定", "decision"),
    "record": Text("命令行登记", "record"),
}

REPORT_LANGS: dict[str, Text] = {
    "zh": Text("中文", "Chinese"),
    "en": Text("英文", "English"),
    "both": Text("中英", "both"),
}

FORMAT_NAMES = {"html": "HTML", "markdown": "Markdown", "pdf": "PDF"}
