"""The one place where sheet labels come from.

Every case field's bilingual label and help come from `evaluator.case.field_docs`; a path the
table does not know (none should) is labelled with its key.
"""

from __future__ import annotations

from ..base.i18n import Text
from ..case.field_docs import field_doc


def field_label(path: str, fallback: str | None = None) -> tuple[Text, Text | None]:
    """(label, help) of a case path such as `evaluation.nonconformities[].statement`; without a
    label in the table, the field key (`fallback`, else the path's last key)."""
    found = field_doc(path)
    if found is not None:
        label, help_text = found
        return label, help_text
    key = fallback if fallback is not None else path.rsplit(".", 1)[-1].replace("[]", "")
    return Text(key, key), None


def bilingual(text: Text) -> str:
    """Chinese, with the English beneath (one cell, two lines)."""
    return text.zh if text.zh == text.en else f"{text.zh}\n{text.en}"
