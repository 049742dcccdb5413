"""Reading a reference API: its public names, and the parameters of each function, class or method.

A Python function's parameters come from :func:`inspect.signature`. torch's C functions have
none; their parameters are read from the operator schemas their Python bindings are generated
from (``aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype
=None)``: ``self`` is ``input`` in ``torch.sum`` and the receiver in ``Tensor.sum``), and failing
that from the signature lines that open their docstrings.
"""
from __future__ import annotations

import keyword
import ast
import inspect
import re
import types
from dataclasses import dataclass, field

# Parameters of torch's that ember does not take, for one reason each. Everything else must be
# accepted under the same name.
IGNORED_PARAMS = {
    "out": "ember returns new tensors; there are no preallocated outputs",
    "layout": "one (strided) layout: sparse layouts are out of scope",
    "memory_format": "one (contiguous, row-major) memory format",
    "pin_memory": "pinned memory is for copies to a GPU",
    "names": "named tensors are a prototype feature",
    "out_dtype": "a CUDA-only accumulation dtype (aten::mm.dtype has no CPU kernel)",
    "self": "the tensor itself (a method's receiver)",
}

_NO_DEFAULT = object()


@dataclass
class Overload:
    """One way of calling: positional names in order, keyword-only names, literal defaults."""
    positional: list[str] = field(default_factory=list)
    keyword_only: list[str] = field(default_factory=list)
    defaults: dict = field(default_factory=dict)
    varargs: str | None = None
    varkw: bool = False

    @property
    def names(self) -> list[str]:
        return self.positional + self.keyword_only + ([self.varargs] if self.varargs else [])


def public_names(obj, use_all: bool = True) -> list[str]:
    """``obj.__all__`` when it has one (and ``use_all``), else the names of ``dir(obj)`` that do
    not start with an underscore."""
    names = getattr(obj, "__all__", None) if use_all else None
    if names is None:
        names = [n for n in dir(obj) if not n.startswith("_")]
    return sorted(set(names))


def is_module(value) -> bool:
    return isinstance(value, types.ModuleType)


def _split_top(text: str) -> list[str]:
    """Splits ``text`` on the commas that are not inside brackets or quotes."""
    parts, depth, quote, cur = [], 0, None, ""
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return _NO_DEFAULT


def parse_doc_signature(params: str) -> Overload:
    """``"input, dim, keepdim=False, *, dtype=None"`` → an :class:`Overload`."""
    ov, kw_only = Overload(), False
    for p in _split_top(params):
        if p == "*":
            kw_only = True
            continue
        if p.startswith("**"):
            ov.varkw = True
            continue
        if p.startswith("*"):
            ov.varargs = p[1:].split(":")[0].strip()
            kw_only = True
            continue
        name, _, default = p.partition("=")
        name = name.split(":")[0].strip()
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            continue
        (ov.keyword_only if kw_only else ov.positional).append(name)
        if default:
            value = _literal(default.strip())
            if value is not _NO_DEFAULT:
                ov.defaults[name] = value
    return ov


def doc_overloads(func, name: str) -> list[Overload]:
    """The overloads listed at the top of ``func``'s docstring (empty when there are none)."""
    doc = getattr(func, "__doc__", None) or ""
    pattern = re.compile(rf"^\s*(?:\.\.\s+(?:function|method)::\s+)?{re.escape(name)}\((.*)\)\s*->")
    out = []
    for line in doc.splitlines():
        m = pattern.match(line)
        if m:
            out.append(parse_doc_signature(m.group(1)))
    return out


def signature_overload(func, drop_first: bool = False) -> Overload | None:
    """The :class:`Overload` of a Python callable (``None`` when it has no signature)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    ov = Overload()
    params = list(sig.parameters.values())
    if drop_first and params and params[0].kind in (params[0].POSITIONAL_ONLY,
                                                   params[0].POSITIONAL_OR_KEYWORD):
        params = params[1:]
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            ov.varargs = p.name
        elif p.kind is p.VAR_KEYWORD:
            ov.varkw = True
        elif p.kind is p.KEYWORD_ONLY:
            ov.keyword_only.append(p.name)
        else:
            ov.positional.append(p.name)
        if p.default is not p.empty and isinstance(p.default, (bool, int, float, str, type(None))):
            ov.defaults[p.name] = p.default
    return ov


def callable_of(value):
    """What to read parameters from: a class's ``__init__``, else the value itself."""
    if isinstance(value, type):
        init = value.__dict__.get("__init__")
        for klass in value.__mro__:
            if "__init__" in klass.__dict__:
                init = klass.__dict__["__init__"]
                break
        return init, True
    return value, False


# TorchScript's own overloads (``aten::add.int(int a, int b)``, ``aten::sort.any(t[] self, ...)``)
# are not reachable from Python: they have one-letter names or generic list types.
_SCRIPT_TYPES = {"t", "t[]", "Any", "str[]", "t?", "Any[]", "List[t]", "List[str]"}
_SCRIPT_NAMES = {"a", "b", "l", "t", "s", "c", "el"}


def _python_visible(schema) -> bool:
    over = schema.overload_name.lower()
    if "dimname" in over or "names" in over:
        return False
    for a in schema.arguments:
        kind = str(a.type)
        if a.is_out or kind in _SCRIPT_TYPES or a.name in _SCRIPT_NAMES:
            return False
        if a.name == "self" and kind != "Tensor":
            return False
    return True


def schema_overloads(name: str, method: bool) -> list[Overload]:
    """The overloads of ``aten::name`` (``out=`` and named-dimension variants left out)."""
    import torch
    try:
        schemas = torch._C._jit_get_schemas_for_operator(f"aten::{name}")
    except RuntimeError:
        return []
    out = []
    schemas = [sc for sc in schemas if _python_visible(sc)]
    with_tensor = [sc for sc in schemas if any("Tensor" in str(a.type) for a in sc.arguments)]
    for schema in with_tensor or schemas:      # scalar-only overloads beside tensor ones: script maths
        args = schema.arguments
        ov = Overload()
        for a in args:
            if a.name == "self":
                if method:
                    continue
                arg_name = "input"
            else:
                arg_name = a.name
            if keyword.iskeyword(arg_name):
                continue
            (ov.keyword_only if a.kwarg_only else ov.positional).append(arg_name)
            value = a.default_value
            if isinstance(value, list) and value and all(v == value[0] for v in value):
                value = value[0]                   # int[2] stride=1 is stored as [1, 1]
            if a.has_default_value() and a.name not in ("dtype", "layout", "device") \
                    and isinstance(value, (bool, int, float, str, type(None))):
                ov.defaults[arg_name] = value
        if not method and "layout" in ov.keyword_only and "requires_grad" not in ov.names:
            ov.keyword_only.append("requires_grad")       # the Python binding of a factory adds it
        out.append(ov)
    return out


def reference_overloads(value, name: str, method: bool = False) -> list[Overload]:
    """torch's ways of calling ``value``: its Python signature, else its operator schemas, else
    its docstring's lines."""
    func, drop = callable_of(value)
    ov = None if _is_builtin(func) else signature_overload(func, drop_first=drop or method)
    if ov is not None and not (ov.varargs == "args" and ov.varkw and not ov.positional):
        return [ov]
    if isinstance(value, type):
        return doc_overloads(value, name)
    return schema_overloads(name, method) or doc_overloads(value, name)


def _is_builtin(func) -> bool:
    return isinstance(func, (types.BuiltinFunctionType, types.MethodDescriptorType,
                             types.WrapperDescriptorType, types.BuiltinMethodType))


def compare(ref: list[Overload], mine: Overload | None, ignore=()) -> list[str]:
    """The differences between torch's overloads ``ref`` and ember's ``mine``: a name torch
    accepts that ember does not, a positional parameter in a place where no overload of torch
    has it, and a literal default that differs."""
    if mine is None or not ref:
        return []
    problems = []
    accepted = set(mine.names)
    skip = set(IGNORED_PARAMS) | set(ignore)
    for ov in ref:
        for n in ov.names:
            if n in skip or n.startswith("_") or n in accepted or mine.varkw:
                continue
            if n == (ov.varargs or "") and mine.varargs:
                continue
            problems.append(f"does not accept {n!r}")
    places: dict[int, set] = {}
    for ov in ref:
        for i, n in enumerate(n for n in ov.positional if n not in skip):
            places.setdefault(i, set()).add(n)
    have = [n for n in mine.positional if n not in skip]
    for i, names in sorted(places.items()):
        if i >= len(have):
            if not mine.varargs:
                problems.append(f"takes {len(have)} positional argument(s), torch up to "
                                f"{len(places)} ({sorted(names)} at {i})")
            break
        # where torch's overloads name a position differently (dispatch on the argument's type),
        # ember may use its own name there; each of torch's names must still be accepted
        if len(names) == 1 and have[i] not in names:
            problems.append(f"positional {i} is {have[i]!r}, torch's {sorted(names)}")
    defaults: dict = {}                 # a default may differ between overloads (conv's padding)
    for ov in ref:
        for n, value in ov.defaults.items():
            defaults.setdefault(n, []).append(value)
    for n, values in defaults.items():
        if n in skip or n not in mine.defaults:
            continue
        ours = mine.defaults[n]
        if not any(ours == v and (type(v) is bool) == (type(ours) is bool) for v in values):
            problems.append(f"default {n}={ours!r}, torch's {values[0]!r}")
    return sorted(set(problems))


def scope_names(table: dict, module: str) -> dict:
    """``{name: reason}`` for ``module`` in one of a scope file's tables (``{reason: "names …"}``
    per module)."""
    out = {}
    for reason, text in table.get(module, {}).items():
        for name in text.split():
            out[name] = reason
    return out


def coverage_table(modules, coverage) -> str:
    """The coverage figures as a markdown table: present / in scope per module."""
    rows = ["| module | present / in scope | % | of which other issues add | still to do | "
            "out of scope |", "|---|---|---|---|---|---|"]
    for module in modules:
        c = coverage(module)
        pct = 100 * c["present"] / c["in_scope"] if c["in_scope"] else 100.0
        rows.append(f"| `{module}` | {c['present']} / {c['in_scope']} | {pct:.0f}% | "
                    f"{c['owned']} | {c['todo']} | {c['out_of_scope']} |")
    return "\n".join(rows)
