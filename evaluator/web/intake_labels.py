"""The intake pages' own words, in Chinese and English (field labels come from the case's
field docs, validation messages from the case message catalogue)."""

from __future__ import annotations

from typing import Any

from ..base.i18n import Text

INTAKE_LABELS: dict[str, Text] = {
    "new_case": Text("新建案例", "New case"),
    "edit_case": Text("修改案例", "Edit case"),
    "stage_forms": Text("按阶段新建", "New case by stage"),
    "upload": Text("上传案例文件", "Upload a case file"),
    "upload_hint": Text(
        "YAML、JSON 或 XLSX（certeval sheet new 生成的评分表），至多 {limit}",
        "YAML, JSON or XLSX (a workbook from certeval sheet new), at most {limit}",
    ),
    "upload_button": Text("上传并校验", "Upload and validate"),
    "or_fill_in": Text("或填写表单", "Or fill in the form"),
    "save": Text("校验并保存", "Validate and save"),
    "recalc": Text("重新计算合计", "Recalculate the sums"),
    "add_row": Text("添加一行：", "Add a row: "),
    "remove_row": Text("删除此行", "Remove this row"),
    "required": Text("必填", "required"),
    "yes": Text("是", "Yes"),
    "no": Text("否", "No"),
    "unset": Text("—", "—"),
    "lines_hint": Text("每行一项", "One per line"),
    "problems": Text("有 {n} 处问题，已在相应字段旁标出", "{n} problems, shown next to their fields"),
    "problems_elsewhere": Text("以下问题无对应的输入项：", "These problems have no input of their own:"),
    "upload_problems": Text("上传文件中的问题：", "Problems in the uploaded file:"),
    "indicator": Text("指标", "Indicator"),
    "awarded": Text("得分", "Awarded"),
    "available": Text("应得分", "Available"),
    "category_sum": Text("小计", "Category sum"),
    "category_max": Text("满分", "maximum"),
    "total": Text("合计", "Total"),
    "as_of_default": Text("留空则取服务器当日 {day}", "Blank: the server's date, {day}"),
    "conflict": Text("修改冲突", "Edit conflict"),
    "conflict_note": Text(
        "你从版本 {based_on} 开始修改，但在此期间已保存了版本 {latest}。未写入任何内容。"
        "下面是新版本与你所填内容的差异；你的输入已保留，核对后可再次保存。",
        "You started from version {based_on}, but version {latest} was saved meanwhile. Nothing was"
        " written. Below is the difference between that version and what you entered; your input is"
        " kept, so you can check it and save again.",
    ),
    "case_exists": Text(
        "登记册中已有案例 {case_id}：请修改该案例",
        "The register already holds case {case_id}: edit it instead",
    ),
    "unknown_stage": Text("未知的阶段", "unknown stage"),
    "bad_upload_type": Text(
        "只接受 .yaml、.yml、.json 或 .xlsx 文件", "Only .yaml, .yml, .json or .xlsx files are accepted"
    ),
    "too_large": Text(
        "文件大小为 {size} 字节，超过上限 {limit} 字节",
        "The file is {size} bytes, over the {limit} byte limit",
    ),
    "no_file": Text("未选择文件", "No file chosen"),
    "edit": Text("修改", "Edit"),
    "based_on": Text("基于版本", "Based on version"),
}


def intake_text(lang: str) -> Any:
    """`it('key', n=3)` in the intake templates."""

    def get(key: str, **values: Any) -> str:
        text = INTAKE_LABELS[key].get(lang)
        return text.format(**values) if values else text

    return get
