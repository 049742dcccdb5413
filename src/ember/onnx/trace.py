"""Tracing a model's forward pass at the level of its layers, and of the ops between them.

The model runs once on the example input, in eval mode, with a forward hook on every module
that has a converter. Each hook writes that module's ONNX nodes, its inputs named by the values
earlier modules produced. The ops a custom ``forward`` runs between them (``x + y``,
``F.relu``, ``x.view(x.size(0), -1)``) are written by ``OpRecorder`` (``ember.onnx.op_trace``);
tensors that do not depend on the inputs become initializers. An op without a converter, or
one of ember's own modules without a converter (unless listed in ``TRACED``), stops the export
with an error naming it.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .graph import ExportError
from .op_trace import OpRecorder


def flatten(tree) -> list:
    """The tensors (or names) of a nested tuple/list, in order."""
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in flatten(item)]
    return [tree]


def _map(tree, fn):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_map(item, fn) for item in tree) if isinstance(tree, tuple) else \
            [_map(item, fn) for item in tree]
    return fn(tree)


class Tracer:
    """Runs ``model(*args)`` and records its supported modules into ``graph``.

    Args:
        graph: the ``Graph`` being built.
        lookup: ``lookup(module)`` returns the converter of a module, or None.
        methods: ``methods(module)`` returns ``{method name: converter or refusal message}``
            for modules exported through methods other than ``forward`` (``ember.onnx.METHODS``).
    """

    def __init__(self, graph, lookup, methods=None, hooks=(), ops=None, traced=(),
                 functions=None, dims=None) -> None:
        self.graph, self.lookup, self.methods = graph, lookup, methods or (lambda module: {})
        self.ops, self.traced = ops or {}, tuple(traced)  # op converters; classes traced through
        self.functions = functions or {}  # converters of calls without a Function node
        self.dims = dims or {}  # size -> (input name, axis): the dynamic axes' traced sizes
        self._dim_names: dict = {}
        self.data_names: dict = {}  # id(ndarray) -> name: the arrays of traced tensors
        self.constants: dict = {}  # id(constant tensor or array) -> its initializer's name
        self.hooks = list(hooks)  # hook(graph, module, args, kwargs) before each conversion
        self.names: dict = graph.values  # id(tensor) -> ONNX value name
        self.alive: list = []  # keeps traced tensors alive so their ids stay unique
        self.depth = 0  # > 0 inside an exported module (its children are not separate nodes)
        self.paths: dict = {}
        self.stack: list = []  # the containers whose forward is running, outermost first
        self.kwargs: dict = {}  # id(module) -> keyword arguments of its current call

    def bind(self, tensor: Tensor, name: str) -> None:
        self.names[id(tensor)] = name
        self.data_names[id(tensor._data)] = name  # x.detach() and other aliases of its array
        self.alive += [tensor, tensor._data]

    def name_of(self, value, module):
        if not isinstance(value, Tensor):
            raise ExportError(f"ember.onnx.export cannot export {self._where(module)}: it is called "
                              f"with a {type(value).__name__} argument, expected tensors")
        if id(value) in self.names or self.recorder.traced_name(value) is not None or \
                self._converted_input(value):
            return self.names[id(value)]
        return self.constant(value, value.numpy())

    def dim(self, size: int):
        """A 1-D int64 ONNX value holding ``size`` read at run time when it is the traced size
        of a dynamic axis (or a multiple of one), else None."""
        size = int(size)
        if size in self._dim_names:
            return self._dim_names[size]
        g, name = self.graph, None
        if size in self.dims:
            source, axis = self.dims[size]
            name = g.op("Slice", g.op("Shape", source), g.ints([axis]), g.ints([axis + 1]),
                        hint="dim")
        else:
            base = next((d for d in self.dims if size > d and size % d == 0), None)
            if base is not None:
                name = g.op("Mul", self.dim(base), g.ints([size // base]), hint="dim")
        self._dim_names[size] = name
        return name

    def sizes(self, values) -> str:
        """A 1-D int64 ONNX value of ``values`` (a shape, starts, ends), its dynamic sizes read at
        run time."""
        values = [int(v) for v in values]
        parts = [self.dim(v) if v > 1 else None for v in values]
        if not any(parts):
            return self.graph.ints(values)
        return self.graph.op("Concat", *[p or self.graph.ints([v]) for p, v in zip(parts, values)],
                             axis=0, hint="sizes")

    def mentions_dynamic(self, value) -> bool:
        """Whether ``value`` (a parameter: ints, tuples, slices) holds a dynamic axis's size."""
        if not self.dims:
            return False
        if isinstance(value, slice):
            value = (value.start, value.stop)
        if isinstance(value, (tuple, list)):
            return any(self.mentions_dynamic(v) for v in value)
        return isinstance(value, int) and not isinstance(value, bool) and \
            self.dim(value) is not None

    def constant(self, value, array) -> str:
        """The initializer holding ``array``, the value of a tensor (or array, or number) that does
        not depend on the inputs; one per tensor. One the same along axes of a dynamic size
        (``ember.zeros(x.size(0), n)``) is expanded to that size at run time."""
        key = id(value) if isinstance(value, Tensor) or hasattr(value, "shape") else None
        if key is not None and key in self.constants:
            return self.constants[key]
        array = np.asarray(array)
        axes = [a for a, n in enumerate(array.shape) if n > 1 and self.dim(n) is not None]
        one = array[tuple(slice(0, 1) if a in axes else slice(None) for a in range(array.ndim))]
        if axes and np.array_equal(np.broadcast_to(one, array.shape), array):
            name = self.graph.op("Expand", self.graph.const(one, "constant"),
                                 self.sizes(array.shape), hint="constant")
        else:
            name = self.graph.const(array, "constant")
        if key is not None:
            self.constants[key] = name
            self.alive.append(value)
        return name

    def _converted_input(self, value) -> bool:
        """A copy of a graph input, possibly cast (a Keras Sequential casts integer inputs to
        float32 before its layers), stands for that input through a Cast node."""
        import numpy as np
        data = value.numpy()
        for given in self.inputs:
            if tuple(given.shape) == tuple(value.shape) and \
                    np.array_equal(given.numpy().astype(data.dtype), data):
                name = self.names[id(given)]
                if given.numpy().dtype != data.dtype:
                    to = self.graph.onnx.helper.np_dtype_to_tensor_dtype(data.dtype)
                    name = self.graph.op("Cast", name, to=int(to), hint="cast")
                self.bind(value, name)
                return True
        return False

    def _where(self, module) -> str:
        path = self.paths.get(id(module))
        return type(module).__name__ + (f" ({path!r})" if path else "")

    def run(self, model, args):
        self.inputs = list(args)
        self.paths = {id(m): name for name, m in model.named_modules()}
        handles = []
        for module in model.modules():
            converter = self.lookup(module)
            for method, target in self.methods(module).items():
                handles.append(self._wrap_method(module, method, target))
            if converter is not None:
                self._capture_kwargs(module)
                handles.append(_Unwrap(module))
                handles.append(module.register_forward_pre_hook(self._enter))
                handles.append(module.register_forward_hook(self._make_hook(converter)))
            elif not list(module.children()) and type(module).__module__.startswith("ember.") \
                    and not isinstance(module, self.traced):
                handles.append(module.register_forward_pre_hook(self._unsupported))
            else:
                handles.append(module.register_forward_pre_hook(self._push))
                handles.append(module.register_forward_hook(self._pop))
        self.recorder = OpRecorder(self, self.ops, self.functions)
        try:
            with self.recorder:
                return model(*args)
        finally:
            for handle in handles:
                handle.remove()

    def _push(self, module, args):
        if self.depth == 0:
            self.stack.append(module)

    def _pop(self, module, args, output):
        if self.depth == 0 and self.stack and self.stack[-1] is module:
            self.stack.pop()
            for tensor in flatten(output):  # the innermost container computing outside modules
                if isinstance(tensor, Tensor):
                    self.stack.append(module)
                    self.name_of(tensor, module)
                    self.stack.pop()

    def _capture_kwargs(self, module) -> None:
        """Wraps the instance's ``forward`` so the keyword arguments of each call are known to
        its converter (hooks only see positional ones)."""
        forward, kwargs_of = module.forward, self.kwargs

        def recording(*args, **kwargs):
            kwargs_of[id(module)] = kwargs
            return forward(*args, **kwargs)
        module.__dict__["forward"] = recording

    def _wrap_method(self, module, method: str, target):
        """Replaces the instance's ``method`` by one that, called outside exported modules,
        runs it with the modules it calls hidden and writes ``target``'s nodes (or raises
        ``target``, a refusal message)."""
        original = getattr(module, method)

        def traced(*args, **kwargs):
            if self.depth:
                return original(*args, **kwargs)
            where = self._where(module)
            if isinstance(target, str):
                raise ExportError(f"ember.onnx.export cannot export {where}: {target}")
            if kwargs:
                raise ExportError(f"ember.onnx.export cannot export {where}.{method} called with "
                                  f"keyword arguments {sorted(kwargs)}")
            self.depth += 1
            try:
                output = original(*args)
            finally:
                self.depth -= 1
            self._convert(target, module, args, output)
            return output
        module.__dict__[method] = traced
        return _Unwrap(module, method)

    def _enter(self, module, args):
        self.depth += 1

    def _unsupported(self, module, args):
        if self.depth == 0:
            raise ExportError(f"ember.onnx.export cannot export {self._where(module)}: "
                              f"{type(module).__name__} has no ONNX converter (see "
                              f"ember.onnx.SUPPORTED for the modules it can export)")

    def _make_hook(self, converter):
        def hook(module, args, output):
            if self.depth > 1:
                self.depth -= 1
                return None
            try:  # still inside the module: a parametrized weight the converter reads is computed, not traced
                self._convert(converter, module, args, output)
            except ExportError as exc:
                inside = self.stack[1:]  # name the innermost container below the model
                if not inside:
                    raise
                raise ExportError(f"{exc} (inside {self._where(inside[-1])})") from None
            finally:
                self.depth -= 1
            return None
        return hook

    def _convert(self, converter, module, args, output) -> None:
        """Writes ``module``'s nodes and binds its outputs to their ONNX names."""
        shapes = [tuple(t.shape) for t in flatten(args) if isinstance(t, Tensor)]
        keep_none = getattr(converter, "keeps_none", False)  # positions of omitted arguments
        inputs = _map(tuple(a for a in args if a is not None or keep_none),
                      lambda t: None if t is None else self.name_of(t, module))
        kwargs = self.kwargs.pop(id(module), {})
        for hook in self.hooks:
            hook(self.graph, module, args, kwargs)
        if getattr(converter, "takes_kwargs", False):
            names = converter(self.graph, module, list(inputs), shapes, kwargs)
        else:
            used = sorted(k for k, v in kwargs.items()
                          if v is not None and v is not False and k != "training")
            if used:
                raise ExportError(f"ember.onnx.export cannot export {self._where(module)} "
                                  f"called with keyword arguments {used}")
            names = converter(self.graph, module, list(inputs), shapes)
        got, want = flatten(names), flatten(output)
        if len(got) != len(want):
            raise ExportError(f"ember.onnx.export: the converter of {self._where(module)} "
                              f"returned {len(got)} values for {len(want)} outputs")
        for tensor, name in zip(want, got):
            if tensor is not None and name is not None:
                self.bind(tensor, name)


#: sizes a dynamic axis is traced at: primes unlikely to be any other size of the model, so a
#: size a forward reads from it (``x.size(0)``) is recognised in the ops' arguments
_SIZES = (29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97)


def resize_dynamic(args, names, axes):
    """``args`` with each dynamic axis resized (its elements repeated) to a distinct size of
    ``_SIZES`` per label, and ``{size: (input name, axis)}``; ``args`` itself and ``{}`` when no
    axis is dynamic. ``axes``: ``{input name: {axis: label}}``."""
    taken = {int(n) for t in args for n in t.shape}
    free = iter(s for s in _SIZES if s not in taken)
    by_label, dims, out = {}, {}, []
    for tensor, name in zip(args, names):
        data = original = tensor.detach().numpy()
        for axis, label in sorted(axes.get(name, {}).items()):
            size = by_label.get(label) or by_label.setdefault(label, next(free, None))
            if size is None or data.shape[axis] == 0:
                return args, {}
            data = np.take(data, np.arange(size) % data.shape[axis], axis=axis)
            dims.setdefault(size, (name, axis))
        out.append(tensor if data is original else Tensor._make(np.ascontiguousarray(data)))
    return (tuple(out), dims) if dims else (args, {})


class _Unwrap:
    """Removes the recording ``forward`` of ``Tracer._capture_kwargs`` (or another wrapped
    method) from the instance (a handle like hooks')."""

    def __init__(self, module, method: str = "forward") -> None:
        self.module, self.method = module, method

    def remove(self) -> None:
        self.module.__dict__.pop(self.method, None)
