"""Frozen dataclasses that cost nothing to define until they are used.

`@dataclass(frozen=True)` compiles five or six methods per class when the module is imported
(~1 ms a class on this machine: a third of `certeval evaluate`'s start went there).  The rule
pack's records (`packs.model`, `packs.ir`) are built only when a pack is read from its files;
loaded from the pack cache they are unpickled, which calls none of those methods.  `@record`
makes the class a frozen dataclass the first time one of its generated methods is needed (its
`__init__`, `__eq__`, `__hash__`, `__repr__`, `__setattr__`, `__delattr__`), then calls it:
after that it is the same class `@dataclass(frozen=True)` would have made.

The fields are known from the start (a dataclass pass that generates nothing, ~0.1 ms), so
`dataclasses.fields()`, `is_dataclass()`, `asdict()` and `replace()` work on a class, or on an
unpickled instance, none of whose methods has run yet.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorator: decorator


T = TypeVar("T", bound=type)

_PENDING = "__record_pending__"  # (eq, the namespace entries dataclass() must see) until made
_LOCK = threading.RLock()  # two threads (the workbench) may make the same class at once
_GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


@dataclass_transform(frozen_default=True)
def record(cls: T | None = None, /, *, eq: bool = True) -> Any:
    """`@dataclass(frozen=True)` (or `eq=False`), made on first use."""

    def wrap(cls: T) -> T:
        annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs ~10 ms to import
        saved = {name: cls.__dict__[name] for name in annotations if name in cls.__dict__}
        doc = cls.__dict__.get("__doc__")
        cls.__doc__ = doc or cls.__name__  # else this pass would write a signature of the stubs
        dataclasses.dataclass(init=False, repr=False, eq=False, match_args=False)(cls)  # fields only
        cls.__doc__ = doc
        setattr(cls, _PENDING, (eq, saved))
        cls.__record__ = True  # type: ignore[attr-defined]
        for name in _GENERATED if eq else ("__init__", "__repr__", "__setattr__", "__delattr__"):
            if name in cls.__dict__:
                raise TypeError(f"@record generates {name}; {cls.__qualname__} defines it")
            setattr(cls, name, _stub(name))
        return cls

    return wrap if cls is None else wrap(cls)


def is_record(cls: type) -> bool:
    """Whether `cls` was declared with @record (made yet or not)."""
    return bool(cls.__dict__.get("__record__", False))


def _stub(name: str) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        realize(type(self))
        return getattr(type(self), name)(self, *args, **kwargs)

    method.__name__ = name
    method.__record_stub__ = True  # type: ignore[attr-defined]
    return method


def realize(cls: type) -> None:
    """Make `cls` (and any @record class it derives from) the frozen dataclass it declares."""
    with _LOCK:
        for klass in reversed(cls.__mro__):  # bases first: dataclass() reads their fields
            pending = klass.__dict__.get(_PENDING)
            if pending is None:
                continue
            eq, saved = pending
            for name in _GENERATED:
                if getattr(klass.__dict__.get(name), "__record_stub__", False):
                    delattr(klass, name)
            for name, value in saved.items():
                setattr(klass, name, value)
            delattr(klass, _PENDING)
            dataclasses.dataclass(frozen=True, eq=eq)(klass)
