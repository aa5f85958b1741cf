"""The Jinja2 environment of the reports: HTML autoescaped, undefined variables are errors."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2

from ...base.i18n import Text
from ...base.resources import resource_dir

# Characters that change meaning inside a line of Markdown; `<`, `>` and `&` become entities so
# case text can never be raw HTML.  Line-start markers (#, -, +, >) cannot occur: case text is
# always placed after other text on its line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def templates_root() -> Path:
    """The templates: inside the installed package, or at the top of a checkout."""
    return resource_dir("templates")


def markdown_escape(value: Any) -> str:
    """Case text inside Markdown: no markup, no raw HTML, one line (for table cells)."""
    text = "—" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def one_text(value: Any) -> bool:
    """True when a value reads the same in both languages (case text, codes, dates)."""
    return not isinstance(value, Text) or value.zh == value.en


def text_in(value: Any, lang: str) -> str:
    """A bilingual Text, a plain string or None, in one language."""
    if isinstance(value, Text):
        return value.get(lang)
    return "—" if value is None else str(value)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown_escape
    env.filters["in_lang"] = text_in
    env.tests["one_text"] = one_text
    env.globals["Text"] = Text
    return env
