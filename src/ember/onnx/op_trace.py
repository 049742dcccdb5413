"""Tracing the ops a custom ``forward`` runs outside the exported modules.

While ``ember.onnx.export`` runs the model, every op applied outside a converted module (each
``Function.apply``: ``F.relu(x)``, ``x + y``, ``x.view(x.size(0), -1)``, ``torch.cat``...) is
written as ONNX nodes by its converter in ``ember.onnx.OPS``, its output named like a module's.
Tensors the traced values do not depend on (parameters, buffers, ``ember.zeros(...)``, ops on
those alone) become initializers. An in-place op on a traced tensor is recorded as the op
followed by the tensor taking the result's name. A tensor made outside the ops (``argmax``, a
comparison) from a traced one cannot be written: using it raises an ``ExportError`` naming the
call that made it, as an op without a converter does.

Example::

    >>> import io, ember.onnx
    >>> class Residual(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = ember.nn.Linear(3, 3)
    ...     def forward(self, x):
    ...         return ember.nn.functional.relu(x + self.fc(x)) * 0.5
    >>> proto = ember.onnx.export(Residual(), ember.randn(2, 3), io.BytesIO())
    >>> [node.op_type for node in proto.graph.node]
    ['MatMul', 'Add', 'Add', 'Relu', 'Mul', 'Identity']
"""
from __future__ import annotations

import inspect
import sys

import numpy as np

from .. import _tensor_api
from .._tensor import Tensor
from ..autograd.function import Function
from ..ops import shape as shape_ops
from .graph import ExportError

#: the ops whose parameters are sizes (recorded on constants when one is a dynamic axis's)
_SHAPING = (shape_ops.View, shape_ops.Expand, shape_ops.Index)

#: modules whose tensors are constants (creation functions, scalar wrapping)
_CONSTANT_MAKERS = ("ember._creation", "ember._creation_extra", "ember.random", "ember.ops._util")


class Call:
    """One recorded op: what its converter reads.

    Attributes:
        op: the ``Function`` subclass; ``label``: the node name it was given (or None).
        inputs: its positional arguments (tensors, arrays, Python values); ``params`` its keywords.
        out: the output tensor; ``graph``: the ``Graph``.
    """

    def __init__(self, recorder, op, inputs, label, params, out) -> None:
        self.recorder, self.graph = recorder, recorder.graph
        self.op, self.inputs, self.label, self.params, self.out = op, inputs, label, params, out

    def traced(self, i: int) -> bool:
        """True when input ``i`` depends on the graph's inputs (it is not a constant)."""
        return self.recorder.traced_name(self.inputs[i]) is not None

    def sizes(self, values) -> str:
        """A 1-D int64 ONNX value of ``values``, the sizes of dynamic axes read at run time."""
        return self.recorder.tracer.sizes(values)

    def shape(self, i: int) -> tuple:
        return tuple(np.shape(_array(self.inputs[i])))

    def value(self, i: int):
        """The value of a constant input ``i`` (a weight): refuses a traced one."""
        if self.traced(i):
            self.refuse(f"its input {i} is computed from the model's inputs, expected a constant")
        x = self.inputs[i]
        return None if x is None else _array(x)

    def tensor(self, i: int):
        """A constant input ``i`` (a weight) as a tensor, for the module converters; None stays."""
        value = self.value(i)
        return None if value is None else Tensor._make(np.asarray(value))

    def name(self, i: int, dtype=None) -> str:
        """The ONNX name of input ``i``: a traced value, or an initializer holding a constant (a
        Python number gets ``dtype``, by default the output's), cast to ``dtype`` when given."""
        x, want = self.inputs[i], np.dtype(dtype or self.out.numpy().dtype)
        name = self.recorder.traced_name(x)
        if name is None:
            value = np.asarray(_array(x))
            if not isinstance(x, (Tensor, np.ndarray)) or dtype is not None:
                value = value.astype(want)
            return self.recorder.tracer.constant(x, value)
        have = np.asarray(_array(x)).dtype
        if dtype is not None and have != want:
            to = self.graph.onnx.helper.np_dtype_to_tensor_dtype(want)
            return self.graph.op("Cast", name, to=int(to), hint="cast")
        return name

    def unconverted(self, op_name: str):
        """Stops this op's conversion: ``op_name`` has no converter (refused if the output uses
        its value)."""
        raise _NoConverter(f"the op {op_name}")

    def refuse(self, why: str):
        raise ExportError(f"ember.onnx.export cannot export {self.recorder.where()}: its op "
                          f"{self.op.__name__} {why}")


class _NoConverter(Exception):
    """An op whose converter cannot write this call (its message names the op)."""


def _array(x):
    return x._data if isinstance(x, Tensor) else x


class OpRecorder:
    """A context that records the ops of a forward pass into ``tracer``'s graph.

    Args:
        tracer: the ``Tracer`` (names, constants, the stack of running modules, ``depth``).
        table: ``{Function subclass: converter(call) -> ONNX name}`` (``ember.onnx.OPS``).
        functions: ``{function: converter(call)}`` for calls without a ``Function`` node
            (comparisons, ``argmax``: ``ember.onnx.FUNCTIONS``): recognised when the tensor they
            make is made, from their frame's arguments.
    """

    def __init__(self, tracer, table, functions=None) -> None:
        self.tracer, self.graph, self.table = tracer, tracer.graph, table
        self.functions: dict = {}  # code object -> [(function, converter, parameter names)]
        for fn, convert in (functions or {}).items():
            self.functions.setdefault(fn.__code__, []).append(
                (fn, convert, list(inspect.signature(fn).parameters)))
        self.data_names = tracer.data_names
        self.made: dict = {}  # id(tensor) -> the call that made it outside the ops
        self.busy = False  # inside an op's apply (its own tensors are not separate values)
        self.recorded = 0  # how many ops were written

    # ------------------------------------------------------------------ names
    def traced_name(self, x):
        """The ONNX name of ``x`` when it is a traced value, else None."""
        if isinstance(x, Tensor):
            name = self.tracer.names.get(id(x))
            if name is None and id(x._data) in self.data_names:  # x.detach(), an alias
                name = self.data_names[id(x._data)]
                self.tracer.bind(x, name)
            if name is None and id(x) in self.made:
                self.unconverted(self.made[id(x)])
            return name
        if isinstance(x, np.ndarray):
            return self.data_names.get(id(x))
        return None

    def is_traced(self, x) -> bool:
        """Whether ``x`` is a traced tensor or the array of one (no error for made ones)."""
        if isinstance(x, Tensor):
            return id(x) in self.tracer.names or id(x) in self.made or \
                id(getattr(x, "_data", None)) in self.data_names
        return isinstance(x, np.ndarray) and id(x) in self.data_names

    def where(self) -> str:
        stack = self.tracer.stack
        return self.tracer._where(stack[-1]) if stack else "the model"

    def unconverted(self, what: str):
        raise ExportError(f"ember.onnx.export cannot export {self.where()}: its forward calls "
                          f"{what}, which has no ONNX converter (see ember.onnx.OPS for the ops "
                          f"it can export)")

    # ------------------------------------------------------------------ hooks
    def __enter__(self):
        self._saved = (Function.__dict__["apply"], Tensor.__dict__["_make"],
                       Tensor.__dict__["_assign"], Tensor.__dict__["_inplace"],
                       _tensor_api.write_result)
        apply, make, assign, inplace, write = (
            f.__func__ if isinstance(f, (classmethod, staticmethod)) else f for f in self._saved)
        rec = self

        def recording_apply(cls, *inputs, label=None, **params):
            if rec.busy or rec.tracer.depth:
                return apply(cls, *inputs, label=label, **params)
            rec.busy = True
            try:
                out = apply(cls, *inputs, label=label, **params)
            finally:
                rec.busy = False
            rec.adopt(inputs, sys._getframe(1))
            rec.record(cls, inputs, label, params, out)
            return out

        def recording_make(arr, grad_fn=None):
            t = make(arr, grad_fn)
            if not rec.busy and not rec.tracer.depth:
                if id(arr) in rec.data_names:  # a traced tensor's array wrapped again
                    rec.tracer.bind(t, rec.data_names[id(arr)])
                    return t
                if rec.functions and rec.record_function(sys._getframe(1), t):
                    return t
                maker = _maker(rec.is_traced)
                if maker is not None:
                    rec.made[id(t)] = maker
                    rec.tracer.alive.append(t)
            return t

        def recording_assign(self, result):
            out = assign(self, result)
            name = rec.traced_name(result)
            if name is not None and not rec.tracer.depth:
                rec.tracer.bind(self, name)
            return out

        def recording_inplace(self, ufunc, other, recorded):
            if not rec.tracer.depth and (rec.traced_name(self) or rec.traced_name(other)):
                return self._assign(recorded())
            return inplace(self, ufunc, other, recorded)

        def recording_write(self, result):
            if not rec.tracer.depth and (rec.traced_name(self) or rec.traced_name(result)):
                return self._assign(result)
            return write(self, result)

        Function.apply = classmethod(recording_apply)
        Tensor._make = staticmethod(recording_make)
        Tensor._assign, Tensor._inplace = recording_assign, recording_inplace
        _tensor_api.write_result = recording_write
        return self

    def __exit__(self, *exc) -> None:
        Function.apply, Tensor._make, Tensor._assign, Tensor._inplace, _tensor_api.write_result = \
            self._saved

    # ------------------------------------------------------------------ recording
    def record_function(self, frame, out) -> bool:
        """Records the call of a function of ``functions`` that is making ``out`` in ``frame``
        (its arguments read from the frame); False when ``frame`` is no such call."""
        for fn, convert, names in self.functions.get(frame.f_code, ()):
            local = frame.f_locals
            cells = zip(fn.__code__.co_freevars, fn.__closure__ or ())
            if all(local.get(name) is cell.cell_contents for name, cell in cells):
                self.record(fn, [local.get(n) for n in names], None,
                            {n: local.get(n) for n in names}, out, convert)
                return True
        return False

    def adopt(self, inputs, frame) -> None:
        """Names the arrays among an op's ``inputs`` that are copies of a traced tensor the
        calling function holds (``F.embedding`` passes int32 ids as an int64 copy): the same
        values, cast."""
        arrays = [x for x in inputs if isinstance(x, np.ndarray) and id(x) not in self.data_names]
        if not arrays or frame is None:
            return
        held = [v for v in frame.f_locals.values() if isinstance(v, Tensor) and self.is_traced(v)
                and id(v) not in self.made]
        for array in arrays:
            source = next((t for t in held if t._data.shape == array.shape and
                           np.array_equal(t._data, array)), None)
            if source is None:
                continue
            name = self.traced_name(source)
            if source._data.dtype != array.dtype:
                to = self.graph.onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
                name = self.graph.op("Cast", name, to=int(to), hint="cast")
            self.data_names[id(array)] = name
            self.tracer.alive.append(array)

    def record(self, op, inputs, label, params, out, converter=None) -> None:
        """Writes the nodes of one op whose inputs include a traced value (the others are
        constants, folded into initializers when used). An op without a converter, or one on a
        tensor made outside the ops, is refused only if its output is used."""
        if not isinstance(out, Tensor):
            return
        values = (*inputs, *params.values())
        made = next((self.made[id(x)] for x in values
                     if isinstance(x, Tensor) and id(x) in self.made), None)
        if made is None and not any(self.is_traced(x) for x in values) and \
                not (op in _SHAPING and self.tracer.mentions_dynamic(tuple(params.values()))):
            return  # a constant (unless shaped by a dynamic axis's size: expand(x.size(0), -1))
        converter = converter or self.table.get(op)
        if made is None and converter is None:
            made = f"the op {op.__name__}"
        if made is not None:
            self.made[id(out)] = made
            self.tracer.alive.append(out)
            return
        try:
            name = converter(Call(self, op, inputs, label, params, out))
        except _NoConverter as exc:
            self.made[id(out)] = str(exc)
            self.tracer.alive.append(out)
            return
        self.tracer.bind(out, name)
        self.recorded += 1


def _maker(traced) -> str | None:
    """The public ember call that is making a tensor outside the ops from a traced value
    (``'argmax'``), or None when it makes a constant (a creation function, a call on constants
    alone) or is called from outside ember."""
    frame, outermost, uses_traced = sys._getframe(2), None, False
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("ember.") or module.startswith("ember.onnx"):
            break
        if module in _CONSTANT_MAKERS:
            return None
        if frame.f_code.co_name in ("forward", "call"):  # a module of ember's own
            break
        if module != "ember._tensor" and frame.f_code.co_name not in _WRAPPERS:
            if outermost is None:  # the innermost call: does it read a traced value?
                uses_traced = any(traced(v) for v in frame.f_locals.values())
            outermost = frame.f_code.co_name
        frame = frame.f_back
    return outermost if uses_traced else None


_WRAPPERS = ("wrapper", "method", "<lambda>", "<listcomp>", "<genexpr>")

