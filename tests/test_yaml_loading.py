"""The safe loader: YAML 1.2 scalars, lines, duplicates, limits (SPEC 2, 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluator.base.yamlsafe import MAX_BYTES, BadDate, LoadError, LocDict, SourceInt, load_document


def load(text: str | bytes, as_json: bool = False):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_document(raw, "x.yaml", as_json=as_json)


def problem(text: str | bytes, as_json: bool = False):
    with pytest.raises(LoadError) as info:
        load(text, as_json)
    return info.value.problem


def test_yaml_1_2_core_schema_booleans_only_true_false():
    doc = load("a: yes\nb: NO\nc: on\nd: true\ne: False\n")
    assert doc == {"a": "yes", "b": "NO", "c": "on", "d": True, "e": False}


def test_no_yaml_1_1_octal_or_sexagesimal():
    doc = load("a: 0123\nb: 1:20\nc: 1_000\n")
    assert doc["a"] == 123 and isinstance(doc["a"], SourceInt) and doc["a"].text == "0123"
    assert doc["b"] == "1:20"
    assert doc["c"] == "1_000"


def test_dates_and_impossible_dates():
    doc = load("a: 2026-02-28\nb: 2026-02-30\nc: '2026-02-28'\n")
    assert doc["a"] == dt.date(2026, 2, 28)
    assert isinstance(doc["b"], BadDate)
    assert doc["c"] == "2026-02-28"


def test_lines_are_remembered():
    doc = load("a: 1\nb:\n  c: 2\n  d: [3, 4]\n")
    assert isinstance(doc, LocDict)
    assert doc.key_lines == {"a": 1, "b": 2}
    assert doc["b"].key_lines == {"c": 3, "d": 4}


def test_duplicate_key_reports_the_second_line():
    p = problem("a: 1\nb: 2\na: 3\n")
    assert p.line == 3 and "duplicate key 'a'" in p.message and "line 1" in p.message


def test_duplicate_key_in_json_reports_its_line():
    p = problem('{\n "a": 1,\n "b": 2,\n "a": 3\n}', as_json=True)
    assert p.line == 4 and "duplicate key 'a'" in p.message


def test_json_syntax_error_has_a_line():
    p = problem('{\n "a": 1\n "b": 2\n}', as_json=True)
    assert p.line == 3 and p.message.startswith("JSON syntax")


def test_bom_is_tolerated_and_non_utf8_is_not():
    assert load(b"\xef\xbb\xbfa: 1\n") == {"a": 1}
    p = problem(b"a: 1\nb: \xff\n")
    assert p.line == 2 and "not UTF-8" in p.message


def test_size_limit():
    p = problem(b"a: 1\n" + b"#" * MAX_BYTES)
    assert "limit" in p.message


def test_alias_bomb_is_rejected():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    p = problem("\n".join(lines) + "\n")
    assert "alias bomb" in p.message


def test_a_few_aliases_are_fine():
    assert load("a: &p [x, y]\nb: *p\n") == {"a": ["x", "y"], "b": ["x", "y"]}


def test_recursive_alias_is_rejected():
    assert "ancestor" in problem("a: &a [*a]\n").message


def test_python_and_other_tags_are_refused():
    assert "is not allowed" in problem("a: !!python/object/apply:os.system [ls]\n").message
    assert "is not allowed" in problem("a: !!binary aGVsbG8=\n").message
    assert "is not allowed" in problem("a: !custom x\n").message
    assert "is not allowed" in problem("a: !!set {x: null}\n").message


def test_explicit_core_tags():
    doc = load("a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!str 2026-01-01\ne: !!timestamp 2026-01-02\n")
    assert doc == {"a": "5", "b": 7, "c": 1.0, "d": "2026-01-01", "e": dt.date(2026, 1, 2)}
    assert "is not a valid" in problem("a: !!int five\n").message


def test_anchors_count_towards_the_limit_once_per_use():
    # 3 aliases of a 4-node list: well within the limit, and the values are shared
    doc = load("a: &x [1, 2, 3]\nb: *x\nc: *x\nd: *x\n")
    assert doc["b"] == [1, 2, 3] and doc["b"] is doc["a"]


def test_more_than_one_document_is_refused():
    assert problem("a: 1\n---\nb: 2\n").line == 2  # the second document marker
