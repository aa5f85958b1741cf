"""Every case field is described in both languages (SPEC §12), and only real fields are."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from helpers import run_cli

from evaluator.base.case_model import STAGES
from evaluator.base.schema_language import Dict, ListOf, Obj, Spec
from evaluator.case.field_docs import FIELD_DOCS, field_doc
from evaluator.case.shape import case_spec
from evaluator.packs import load_pack

PACKS = ("gbt27922-2011", "gbt27922-1000")


def field_paths(spec: Spec, path: str = "") -> Iterator[str]:
    """Every field path of the shape in field_docs' notation (lists `[]`, map entries `<key>`)."""
    if isinstance(spec, Obj):
        for name, fld in spec.fields.items():
            here = f"{path}.{name}" if path else name
            yield here
            yield from field_paths(fld.spec, here)
    elif isinstance(spec, ListOf):
        yield from field_paths(spec.item, f"{path}[]")
    elif isinstance(spec, Dict):
        entry = f"{path}.<{spec.key_name}>"
        yield entry
        yield from field_paths(spec.value, entry)


def all_paths() -> set[str]:
    return {p for pack in PACKS for stage in STAGES for p in field_paths(case_spec(load_pack(pack), stage))}


@pytest.mark.parametrize("pack", PACKS)
@pytest.mark.parametrize("stage", STAGES)
def test_every_field_of_every_stage_is_described_in_both_languages(pack: str, stage: str):
    for path in field_paths(case_spec(load_pack(pack), stage)):
        found = field_doc(path)
        assert found is not None, path
        for text in found:
            assert text.zh.strip() and text.en.strip(), path
            assert text.zh != text.en, path


def test_every_docs_entry_names_a_real_field():
    assert sorted(set(FIELD_DOCS) - all_paths()) == []


def test_list_indexes_and_string_items_find_their_field():
    assert field_doc("evaluation.nonconformities[2].responses[0].received_on") == field_doc(
        "evaluation.nonconformities[].responses[].received_on"
    )
    assert field_doc("application.products[]") == field_doc("application.products")
    assert field_doc("certificate.no_such_key") is None


def test_schema_case_describes_evaluated_on_in_both_languages():
    result = run_cli("schema", "case")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    evaluated_on = schema["$defs"]["surveillance"]["properties"]["certificate"]["properties"]["evaluated_on"]
    label, help_text = FIELD_DOCS["certificate.evaluated_on"]
    assert evaluated_on["title"] == f"{label.zh} / {label.en}"
    assert evaluated_on["description"] == f"{help_text.en} — {help_text.zh}"
    assert "Last day of the evaluation" in help_text.en and "评价的最后一天" in help_text.zh
    score = schema["$defs"]["initial"]["properties"]["evaluation"]["properties"]["scores"]
    awarded = next(iter(score["properties"].values()))["properties"]["awarded"]
    assert awarded["title"] == "得分 / Awarded"
