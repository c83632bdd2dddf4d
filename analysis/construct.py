"""Building pydantic models from values already checked, without validating them again.

`BaseModel.model_construct` does this, but walks every field's alias settings on every call:
at 100,000 samples it costs more than validating. `constructor(Model)` resolves the fields and
defaults once and returns a function that fills an instance exactly as `model_construct` does
(the fields in declaration order, defaults for the rest, the set fields recorded, in one set
shared by every instance built with the same fields). `positional(Model)` returns one taking
every field's value in declaration order, for unpickling (no keywords, no defaults to fill).
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__
_SHARED_KEYS_MAX = 30
"""CPython shares an instance dict's keys with its class's other instances up to this many."""


def constructor(model: type[M]) -> Callable[..., M]:
    """A function building `model` from keyword values of the right types (unchecked)."""
    order = list(model.model_fields)
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory  # type: ignore[assignment]
        elif not info.is_required():
            defaults[name] = info.default
    if model.__pydantic_post_init__ is not None or model.__private_attributes__:
        raise TypeError(f"{model.__name__}: a model with private attributes or a post-init")
    known = frozenset(order)
    # One set of field names per distinct call shape, shared by the instances built with it: a
    # set of 25 names is 2 KiB, more than the instance. Pydantic only reads it, and copies it
    # before changing it (`model_copy(update=...)`).
    shapes: dict[tuple[str, ...], set[str]] = {}

    # A model of few fields keeps them in a dict sharing its keys with every other instance's
    # (CPython's key-sharing instance dicts, made by an instance of a plain class), half the
    # size of a dict of its own: a model built 200,000 times saves tens of megabytes.
    holder: type | None = (
        type(f"_{model.__name__}Fields", (), {}) if len(order) <= _SHARED_KEYS_MAX else None
    )

    def build(**values: Any) -> M:
        shape = tuple(values)
        fields_set = shapes.get(shape)
        if fields_set is None:
            unknown = values.keys() - known
            if unknown:
                raise TypeError(f"{model.__name__}: unknown fields {sorted(unknown)}")
            fields_set = shapes[shape] = set(values)
        # a holder's dict is empty, its keys shared with every other holder's
        fields: dict[str, Any] = holder().__dict__ if holder is not None else {}
        for name in order:
            if name in values:
                fields[name] = values[name]
            elif name in factories:
                fields[name] = factories[name]()
            else:
                fields[name] = defaults[name]  # a required field missing: KeyError
        built = model.__new__(model)
        _set(built, "__dict__", fields)
        _set(built, "__pydantic_fields_set__", fields_set)
        _set(built, "__pydantic_extra__", None)
        _set(built, "__pydantic_private__", None)
        return built

    return build


def positional(model: type[M], name: str, module: str) -> Callable[..., M]:
    """A function building `model` from every field's value, in declaration order (unchecked),
    for unpickling: it is named `name` in `module` (where it must be bound to that name), so
    pickle can refer to it. As `constructor`'s do, its instances share one set of field names
    and, for a model of few fields, their dicts' keys. It is written for the model's fields,
    as `dataclasses` writes an `__init__`: one call per instance. Every field of a built
    instance counts as set (`model_fields_set`): nothing here reads which were."""
    order = tuple(model.model_fields)
    if model.__pydantic_post_init__ is not None or model.__private_attributes__:
        raise TypeError(f"{model.__name__}: a model with private attributes or a post-init")
    if model.model_config.get("extra") == "allow":
        raise TypeError(f"{model.__name__}: a model keeping extra fields")
    written = [*order, name]
    if not all(
        n.isidentifier() and not keyword.iskeyword(n) and unicodedata.normalize("NFKC", n) == n
        for n in written
    ):
        raise TypeError(f"{model.__name__}: a name that cannot be written as Python: {written}")
    values = [f"v{i}" for i in range(len(order))]
    if len(order) <= _SHARED_KEYS_MAX:  # set on a plain instance, in order: keys shared
        fill = ["h = holder()", *(f"h.{f} = {v}" for f, v in zip(order, values, strict=True))]
        fields = "h.__dict__"
    else:
        fill = []
        fields = "{" + ", ".join(f"{f!r}: {v}" for f, v in zip(order, values, strict=True)) + "}"
    lines = [
        f"def {name}({', '.join(values)}):",
        *(f"    {line}" for line in fill),
        "    built = new(model)",
        f"    put(built, '__dict__', {fields})",
        "    put(built, '__pydantic_fields_set__', fields_set)",
        "    put(built, '__pydantic_extra__', None)",
        "    put(built, '__pydantic_private__', None)",
        "    return built",
    ]
    namespace: dict[str, Any] = {
        "holder": type(f"_{model.__name__}Values", (), {}),
        "new": model.__new__,
        "model": model,
        "put": _set,
        "fields_set": set(order),
    }
    if name in namespace or name in {"h", "built"}:  # the builder's own names
        raise ValueError(f"{name!r} is a name the builder itself uses")
    exec("\n".join(lines), namespace)  # noqa: S102 - the model's own field names
    build: Callable[..., M] = namespace[name]
    build.__module__ = module
    build.__qualname__ = name
    return build
