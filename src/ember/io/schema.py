"""Checking values read from files (JSON, checkpoint extras) against a declared schema.

A schema is built from a few small types (:class:`Int`, :class:`Num`, :class:`Str`,
:class:`Bool`, :class:`Null`, :class:`Any`, :class:`ListOf`, :class:`MapOf`, :class:`Record`,
:class:`Either`). :func:`check` walks a value once and raises :class:`SchemaError` naming the
file, the path of the bad value inside it, what was expected and what was found:
``config.json: info.n_features must be an integer >= 1, got "4" (a string)``.

Nothing read from a file is trusted before it passes ``check``: numbers are finite and in range,
booleans are real booleans (the string ``"false"`` is not), lists have bounded lengths.

Example::

    >>> RUN = Record({"epoch": Int(min=0), "history": MapOf(ListOf(Num()))})
    >>> check({"epoch": 3, "history": {"loss": [0.5, 0.4, 0.3]}}, RUN, "checkpoint")
    {'epoch': 3, 'history': {'loss': [0.5, 0.4, 0.3]}}
    >>> check({"epoch": "3", "history": {}}, RUN, "checkpoint")
    Traceback (most recent call last):
    ...
    ember.io.schema.SchemaError: checkpoint: epoch must be an integer >= 0, got '3' (a string)
"""
from __future__ import annotations

import math
import numbers

__all__ = ["SchemaError", "check", "Int", "Num", "Str", "Bool", "Null", "Any", "ListOf", "MapOf",
           "Record", "Either"]


class SchemaError(ValueError):
    """A value read from a file has the wrong type, range or structure; nothing was used."""


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, numbers.Integral):
        return "an integer"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Spec:
    """One node of a schema: ``describe()`` says what is expected, ``_check`` validates."""

    def describe(self) -> str:
        raise NotImplementedError

    def _check(self, value, path: str, where: str):
        raise NotImplementedError

    def _fail(self, value, path: str, where: str):
        at = f"{path} " if path else ""
        raise SchemaError(f"{where}: {at}must be {self.describe()}, got {_show(value)} "
                          f"({_kind(value)})")


class Any(_Spec):
    """Anything (the caller checks it further)."""

    def describe(self) -> str:
        return "any value"

    def _check(self, value, path, where):
        return value


class Null(_Spec):
    def describe(self) -> str:
        return "null"

    def _check(self, value, path, where):
        if value is not None:
            self._fail(value, path, where)
        return value


class Bool(_Spec):
    def describe(self) -> str:
        return "true or false"

    def _check(self, value, path, where):
        if not isinstance(value, bool):
            self._fail(value, path, where)
        return value


def _range(kind: str, low, high) -> str:
    if low is not None and high is not None:
        return f"{kind} in [{low}, {high}]"
    if low is not None:
        return f"{kind} >= {low}"
    if high is not None:
        return f"{kind} <= {high}"
    return kind


class Int(_Spec):
    """An integer (not a boolean, not a float) in ``[min, max]``."""

    def __init__(self, min=None, max=None) -> None:  # noqa: A002 - schema vocabulary
        self.low, self.high = min, max

    def describe(self) -> str:
        return _range("an integer", self.low, self.high)

    def _check(self, value, path, where):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
                or (self.low is not None and value < self.low) \
                or (self.high is not None and value > self.high):
            self._fail(value, path, where)
        return int(value)


class Num(_Spec):
    """A finite number (integers accepted, booleans not) in ``[min, max]``; ``finite=False``
    lets infinities and NaN through."""

    def __init__(self, min=None, max=None, finite: bool = True) -> None:  # noqa: A002
        self.low, self.high, self.finite = min, max, finite

    def describe(self) -> str:
        return _range("a finite number" if self.finite else "a number", self.low, self.high)

    def _check(self, value, path, where):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self._fail(value, path, where)
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            if self.finite:
                self._fail(value, path, where)
            return number
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            self._fail(value, path, where)
        return value


class Str(_Spec):
    """A string, optionally one of ``choices``, at most ``max_len`` characters."""

    def __init__(self, choices=None, max_len: int = 4096) -> None:
        self.choices, self.max_len = (list(choices) if choices is not None else None), max_len

    def describe(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return f"a string of at most {self.max_len} characters"

    def _check(self, value, path, where):
        if not isinstance(value, str) or len(value) > self.max_len \
                or (self.choices is not None and value not in self.choices):
            self._fail(value, path, where)
        return value


class ListOf(_Spec):
    """A list (or tuple) of items matching ``item``; length in ``[min_len, max_len]``."""

    def __init__(self, item: _Spec, min_len: int = 0, max_len: int = 1 << 20) -> None:
        self.item, self.min_len, self.max_len = item, min_len, max_len

    def describe(self) -> str:
        size = f"{self.min_len} to {self.max_len}" if self.min_len else f"at most {self.max_len}"
        return f"a list of {size} items, each {self.item.describe()}"

    def _check(self, value, path, where):
        if not isinstance(value, (list, tuple)) or not self.min_len <= len(value) <= self.max_len:
            self._fail(value, path, where)
        return [self.item._check(v, f"{path}[{i}]", where) for i, v in enumerate(value)]


class MapOf(_Spec):
    """An object (dict) whose values all match ``value``, with string keys unless
    ``str_keys=False`` (state dicts of ``ember.load`` may have integer keys)."""

    def __init__(self, value: _Spec, max_len: int = 1 << 20, str_keys: bool = True) -> None:
        self.value, self.max_len, self.str_keys = value, max_len, str_keys

    def describe(self) -> str:
        keys = "string keys and " if self.str_keys else ""
        return f"an object with {keys}values that are each {self.value.describe()}"

    def _check(self, value, path, where):
        if not isinstance(value, dict) or len(value) > self.max_len \
                or (self.str_keys and not all(isinstance(k, str) for k in value)):
            self._fail(value, path, where)
        return {k: self.value._check(v, _join(path, k), where) for k, v in value.items()}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


class Record(_Spec):
    """An object with the ``required`` keys, maybe some ``optional`` ones, and (unless
    ``extra``) no others. Values are checked by the schema given for their key."""

    def __init__(self, required: dict, optional: dict | None = None, extra: bool = False) -> None:
        self.required, self.optional, self.extra = required, optional or {}, extra

    def describe(self) -> str:
        return "an object with the keys " + ", ".join(self.required)

    def _check(self, value, path, where):
        if not isinstance(value, dict):
            self._fail(value, path, where)
        missing = [k for k in self.required if k not in value]
        if missing:
            at = f"{path} " if path else ""
            raise SchemaError(f"{where}: {at}lacks the key(s) {', '.join(map(repr, missing))}")
        unknown = [k for k in value if k not in self.required and k not in self.optional]
        if unknown and not self.extra:
            at = f"{path} " if path else ""
            raise SchemaError(f"{where}: {at}has unknown key(s) {', '.join(map(repr, unknown[:10]))}")
        out = dict(value)
        for key, spec in (*self.required.items(), *self.optional.items()):
            if key in value:
                out[key] = spec._check(value[key], _join(path, key), where)
        return out


class Either(_Spec):
    """The first of ``options`` that accepts the value; ``name`` describes them all at once
    in messages (default: each option's description joined by "or")."""

    def __init__(self, *options: _Spec, name: str | None = None) -> None:
        self.options, self.name = options, name

    def describe(self) -> str:
        return self.name or " or ".join(o.describe() for o in self.options)

    def _check(self, value, path, where):
        for option in self.options:
            try:
                return option._check(value, path, where)
            except SchemaError:
                continue
        self._fail(value, path, where)


def check(value, schema: _Spec, where: str, path: str = ""):
    """``value`` checked against ``schema`` (and normalised: tuples become lists); raises
    :class:`SchemaError` naming ``where`` (the file) and the path of the first bad value
    (``path`` names ``value`` itself, when it was taken from a larger structure)."""
    return schema._check(value, path, where)
