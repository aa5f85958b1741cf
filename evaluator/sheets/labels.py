"""The one place where sheet labels come from.

The bilingual label table of every case field (`evaluator.case.field_docs`) is being written on
another branch; until it is merged, a field is labelled with its key.
"""

from __future__ import annotations

from typing import Any

from ..base.i18n import Text


def _field_doc() -> Any:
    try:
        from ..case import field_docs  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return getattr(field_docs, "field_doc", None)


_LOOKUP = _field_doc()


def field_label(path: str, fallback: str | None = None) -> tuple[Text, Text | None]:
    """(label, help) of a case path such as `evaluation.nonconformities[].statement`; without a
    label table, the field key (`fallback`, else the path's last key)."""
    if _LOOKUP is not None:
        found = _LOOKUP(path)
        if found is not None:
            label, help_text = found
            return label, help_text
    key = fallback if fallback is not None else path.rsplit(".", 1)[-1].replace("[]", "")
    return Text(key, key), None


def bilingual(text: Text) -> str:
    """Chinese, with the English beneath (one cell, two lines)."""
    return text.zh if text.zh == text.en else f"{text.zh}\n{text.en}"
