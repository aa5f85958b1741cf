"""@record: a frozen dataclass made on first use, then the same as @dataclass(frozen=True)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from fractions import Fraction

import pytest

from evaluator.base.records import is_record, realize, record


def pending(cls: type) -> bool:
    return "__record_pending__" in cls.__dict__


def make_classes() -> tuple[type, type, type]:
    @record
    class Point:
        x: int
        y: int = 0
        tags: dict[str, int] = dataclasses.field(default_factory=dict, hash=False)

    @record(eq=False)
    class Handle:
        name: str

    @record
    class Point3(Point):
        z: int = 0

    return Point, Handle, Point3


def test_defining_one_makes_no_methods_until_first_use():
    Point, _, _ = make_classes()
    assert pending(Point) and is_record(Point)
    p = Point(1)
    assert not pending(Point) and dataclasses.is_dataclass(Point)
    assert (p.x, p.y, p.tags) == (1, 0, {})
    assert Point(2).tags is not p.tags  # default_factory kept, not a shared default


def test_it_behaves_as_a_frozen_dataclass():
    Point, Handle, Point3 = make_classes()
    p = Point(1, 2)
    assert p == Point(1, 2) and p != Point(2, 1)
    assert hash(p) == hash(Point(1, 2))
    assert repr(p) == "make_classes.<locals>.Point(x=1, y=2, tags={})"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    assert dataclasses.replace(p, y=7) == Point(1, 7)
    assert dataclasses.asdict(Point3(1, z=3)) == {"x": 1, "y": 0, "tags": {}, "z": 3}
    with pytest.raises(TypeError):
        Point()  # x is required
    h = Handle("a")
    assert h == h and h != Handle("a")  # eq=False: identity
    assert hash(h) == object.__hash__(h)
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.name = "b"  # type: ignore[misc]


@pytest.mark.parametrize("first", ["eq", "hash", "repr", "setattr", "delattr"])
def test_the_first_method_called_may_be_any_of_them(first):
    Point, _, _ = make_classes()
    p = object.__new__(Point)  # as pickle builds one: no method of the class has run
    p.__dict__.update(x=1, y=2, tags={})
    assert pending(Point)
    if first == "eq":
        assert p == Point(1, 2)
    elif first == "hash":
        assert hash(p) == hash(Point(1, 2))
    elif first == "repr":
        assert repr(p).endswith("Point(x=1, y=2, tags={})")
    elif first == "setattr":
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 5
    else:
        with pytest.raises(dataclasses.FrozenInstanceError):
            del p.x
    assert not pending(Point)


def test_an_unpickled_instance_needs_no_methods():
    """What the pack cache relies on: loading records runs none of their generated methods."""
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pickle; from evaluator.packs.ir import FactRef; "
            "import sys; sys.stdout.buffer.write(pickle.dumps(FactRef('case', 'stage')))",
        ],
        capture_output=True,
        check=True,
    )
    code = (
        "import pickle, sys\n"
        "from evaluator.packs.ir import FactRef\n"
        "ref = pickle.loads(sys.stdin.buffer.read())\n"
        "print(ref.type, ref.field, '__record_pending__' in FactRef.__dict__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=made.stdout, capture_output=True, check=True)
    assert done.stdout.decode().split() == ["case", "stage", "True"]


def test_a_subclass_makes_its_base_first():
    Point, _, Point3 = make_classes()
    q = Point3(1, 2, z=3)
    assert not pending(Point) and not pending(Point3)
    assert [f.name for f in dataclasses.fields(q)] == ["x", "y", "tags", "z"]


def test_threads_make_it_once():
    Point, _, _ = make_classes()
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(Point(1, 2))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [Point(1, 2)] * 8


def test_the_dataclass_tools_work_before_any_method_ran():
    Point, _, Point3 = make_classes()
    assert dataclasses.is_dataclass(Point) and pending(Point)
    assert [f.name for f in dataclasses.fields(Point3)] == ["x", "y", "tags", "z"]
    p = object.__new__(Point)  # as pickle builds one
    p.__dict__.update(x=1, y=2, tags={"a": 1})
    assert dataclasses.asdict(p) == {"x": 1, "y": 2, "tags": {"a": 1}}
    assert dataclasses.replace(p, y=3) == Point(1, 3, {"a": 1})
    realize(Point)
    assert Point.__doc__.startswith("Point(x: ")  # the signature dataclass writes, not the stubs'


def test_realize_makes_the_methods_now():
    Point, _, _ = make_classes()
    realize(Point)
    assert not pending(Point) and "__eq__" in Point.__dict__


def test_a_class_defining_a_generated_method_is_refused():
    with pytest.raises(TypeError, match="generates __eq__"):

        @record
        class Odd:
            a: int

            def __eq__(self, other: object) -> bool:
                return True


def test_the_pack_and_case_records_are_unchanged_dataclasses():
    from evaluator.base.case_model import Licence
    from evaluator.base.i18n import Text
    from evaluator.packs.model import Grade, Pack

    g = Grade("a", Fraction(1), Text("甲", "A"))
    assert g == Grade("a", Fraction(1), Text("甲", "A"))
    assert Licence("x", True).long_term is False
    realize(Pack)
    assert Pack.__dataclass_params__.eq is False  # type: ignore[attr-defined]
    assert Pack.__dataclass_params__.frozen is True  # type: ignore[attr-defined]
