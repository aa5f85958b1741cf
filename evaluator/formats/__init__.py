"""Output formats of one evaluation, in a registry: name -> (file suffix, renderer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..output import to_json

if TYPE_CHECKING:
    from ..api import Evaluation

Renderer = Callable[["Evaluation", str], str]


def _json(evaluation: Evaluation, lang: str) -> str:
    return to_json(evaluation.result)


def _text(evaluation: Evaluation, lang: str) -> str:
    from .text import render_text

    return render_text(evaluation.result, evaluation.pack, lang)


FORMATS: dict[str, tuple[str, Renderer]] = {
    "json": (".json", _json),
    "text": (".txt", _text),
}


def render(evaluation: Evaluation, fmt: str, lang: str) -> str:
    return FORMATS[fmt][1](evaluation, lang)
