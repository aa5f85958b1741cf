"""Output formats of one evaluation, in a registry: name -> (file suffix, renderer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .files import to_json

if TYPE_CHECKING:
    from ..api import Evaluation

Renderer = Callable[["Evaluation", str], str]


def _json(evaluation: Evaluation, lang: str) -> str:
    return to_json(evaluation.result)


def _text(evaluation: Evaluation, lang: str) -> str:
    from .text import render_text

    return render_text(evaluation.result, evaluation.pack, lang)


def _summary(fmt: str) -> Renderer:
    def render(evaluation: Evaluation, lang: str) -> str:
        from .report import render_report

        text = render_report(evaluation, "summary", fmt, lang)
        assert isinstance(text, str)
        return text

    return render


FORMATS: dict[str, tuple[str, Renderer]] = {
    "json": (".json", _json),
    "text": (".txt", _text),
    "markdown": (".md", _summary("markdown")),
    "html": (".html", _summary("html")),
}


def render(evaluation: Evaluation, fmt: str, lang: str) -> str:
    return FORMATS[fmt][1](evaluation, lang)
