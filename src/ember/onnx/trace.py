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
                 functions=None) -> None:
        self.graph, self.lookup, self.methods = graph, lookup, methods or (lambda module: {})
        self.ops, self.traced = ops or {}, tuple(traced)  # op converters; classes traced through
        self.functions = functions or {}  # converters of calls without a Function node
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

    def constant(self, value, array) -> str:
        """The initializer holding ``array``, the value of a tensor (or array, or number) that does
        not depend on the inputs; one per tensor."""
        key = id(value) if isinstance(value, Tensor) or hasattr(value, "shape") else None
        if key is not None and key in self.constants:
            return self.constants[key]
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
            self.depth -= 1
            if self.depth:
                return None
            try:
                self._convert(converter, module, args, output)
            except ExportError as exc:
                inside = self.stack[1:]  # name the innermost container below the model
                if not inside:
                    raise
                raise ExportError(f"{exc} (inside {self._where(inside[-1])})") from None
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


class _Unwrap:
    """Removes the recording ``forward`` of ``Tracer._capture_kwargs`` (or another wrapped
    method) from the instance (a handle like hooks')."""

    def __init__(self, module, method: str = "forward") -> None:
        self.module, self.method = module, method

    def remove(self) -> None:
        self.module.__dict__.pop(self.method, None)
