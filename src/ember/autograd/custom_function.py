"""User-defined autograd functions in torch's form.

Subclass :class:`ember.autograd.Function` and write ``forward`` and ``backward`` as static
methods on Tensors; call the function with ``MyFn.apply(...)``. As in torch, ``ctx`` is the
graph node itself (an instance of a class named ``MyFnBackward``): ``forward`` runs with grad
mode off and may save tensors (``ctx.save_for_backward``) or any value (``ctx.k = k``);
``backward`` receives one gradient per output and returns one per input (None for inputs
that get none, such as non-tensor arguments), also with grad mode off.

ctx API: ``save_for_backward``, ``saved_tensors``, ``needs_input_grad``,
``mark_non_differentiable``, ``set_materialize_grads``, ``mark_dirty``. ``forward`` may
instead take only the inputs, with a static ``setup_context(ctx, inputs, output)``.

Example::

    >>> class Cube(ember.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, scale):
    ...         ctx.save_for_backward(x)
    ...         ctx.scale = scale
    ...         return x ** 3 * scale
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         x, = ctx.saved_tensors
    ...         return grad * 3 * x ** 2 * ctx.scale, None
    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Cube.apply(x, 2.0)
    >>> y
    tensor([ 2., 16.], grad_fn=<CubeBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([ 6., 24.])
"""
from __future__ import annotations

import inspect

import numpy as np

from . import function as _function
from .engine import FREED_MSG
from .function import _NO_INPUTS, Function
from .grad_mode import STATE, no_grad
from .versions import inplace_error, version_of

__all__ = ["FunctionCtx", "enable_ctx_form"]


def enable_ctx_form(cls) -> None:
    """Gives a torch-form subclass its node class (``<Name>Backward``) and torch's ``apply``."""
    name = cls.__name__ + "Backward"
    cls._backward_cls = type(name, (FunctionCtx,), {"NAME": name, "_forward_cls": cls,
                                                    "__qualname__": name, "__module__": __name__})
    cls._setup_form = any("setup_context" in k.__dict__ for k in cls.__mro__)
    cls.apply = classmethod(_apply)


class FunctionCtx(Function):
    """The node of a user function, and the ``ctx`` its forward and backward receive."""

    _forward_cls = None

    # ------------------------------------------------------------------ ctx API
    def save_for_backward(self, *tensors) -> None:
        """Keeps tensors (or None) for backward; read them back with :attr:`saved_tensors`."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, _function._Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                                f"type {type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else version_of(t) for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to :meth:`save_for_backward`, in order."""
        if self._freed:
            raise RuntimeError(FREED_MSG)
        saved = self.__dict__.get("_saved", ())
        for i, (t, expected) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and version_of(t) != expected:
                producer = t.grad_fn.name() if t.grad_fn is not None else None
                raise inplace_error(t._data, producer, version_of(t), expected)
        return saved

    def mark_non_differentiable(self, *tensors) -> None:
        """These outputs get no gradient (``requires_grad=False``); backward still receives a
        (zero) gradient for each of them."""
        self._non_diff = self._non_diff + tuple(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (instead of zeros) for outputs that got no gradient."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """Declares inputs that forward modified in place (and returns as outputs)."""
        self._dirty = self._dirty + tuple(id(t) for t in tensors)

    # ----------------------------------------------------- the engine's protocol
    def backward(self, grad):
        """Runs the user's backward on Tensors; returns checked gradient arrays for the engine."""
        make = _function._Tensor._make
        grads = grad.parts if type(grad) is _Grads else (grad,)
        given = []
        for meta, g in zip(self._out_meta, grads):
            if g is None and meta is not None and self._materialize:
                g = np.zeros(*meta)
            given.append(None if g is None else make(np.asarray(g)))
        with no_grad():
            result = self._forward_cls.backward(self, *given)
        return self._check_grads(result if isinstance(result, tuple) else (result,))

    def _check_grads(self, result: tuple) -> tuple:
        """torch's checks: one gradient per input, each of the input's shape (or one that sums
        to it); cast to the input's dtype."""
        n = len(self.next_functions)
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(result)})")
        out = []
        for i, (r, nxt, meta) in enumerate(zip(result, self.next_functions, self._in_meta)):
            if r is None or nxt is None:
                out.append(None)
                continue
            arr = r._data if isinstance(r, _function._Tensor) else np.asarray(r)
            shape, dtype = meta
            if arr.shape != shape:
                arr = _sum_to(arr, shape)
                if arr is None:
                    raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index "
                                       f"{i} - got {list(np.shape(r))} but expected shape compatible "
                                       f"with {list(shape)}")
            out.append(arr if arr.dtype == dtype else arr.astype(dtype))
        return tuple(out)


def _sum_to(arr: np.ndarray, shape: tuple):
    """``arr`` summed down to ``shape`` when ``shape`` broadcasts to it, else None."""
    try:
        if np.broadcast_shapes(arr.shape, shape) != arr.shape:
            return None
    except ValueError:
        return None
    lead = arr.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and arr.shape[lead + i] != 1)
    return arr.sum(axis=axes, keepdims=True).reshape(shape)


class _Grads:
    """The gradients of a node with several outputs, one slot per output (None: none yet)."""

    __slots__ = ("parts",)

    def __init__(self, parts) -> None:
        self.parts = parts

    def __add__(self, other: "_Grads") -> "_Grads":
        return _Grads([b if a is None else a if b is None else a + b
                       for a, b in zip(self.parts, other.parts)])


class _OutputOf(Function):
    """``grad_fn`` of output ``k`` of a user function with several outputs: hands the gradient
    to that function's node in the slot of its output (named as that node)."""

    def backward(self, grad):
        parts = [None] * self.count
        parts[self.index] = grad
        return (_Grads(parts),)


def _inputs(cls, args: tuple, kwargs: dict, with_ctx: bool) -> tuple:
    """Every argument of ``forward`` in its signature's order, defaults filled in (torch's rule
    for keyword arguments, and always for the setup_context form): ``(inputs, args, kwargs)``."""
    if with_ctx and not kwargs:
        return args, args, kwargs
    sig = inspect.signature(cls.forward)
    bound = sig.bind(*((None,) if with_ctx else ()), *args, **kwargs)
    bound.apply_defaults()
    inputs = []
    for i, (name, value) in enumerate(bound.arguments.items()):
        kind = sig.parameters[name].kind
        if with_ctx and i == 0:
            continue
        if kind is inspect.Parameter.VAR_POSITIONAL:
            inputs.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            inputs.extend(value.values())
        else:
            inputs.append(value)
    return tuple(inputs), (bound.args[1:] if with_ctx else bound.args), bound.kwargs


def _apply(cls, *args, **kwargs):
    """torch's ``Function.apply``: runs forward without recording, then records one node
    (``ctx``) whose backward is the class's ``backward``."""
    tensor = _function._Tensor
    own_setup = cls._setup_form
    inputs, args, kwargs = _inputs(cls, args, kwargs, with_ctx=not own_setup)
    ctx = cls._backward_cls()
    needs = tuple(isinstance(a, tensor) and a.requires_grad for a in inputs)  # as torch: any grad mode
    ctx.needs_input_grad = needs
    ctx.next_functions = _NO_INPUTS
    ctx._freed, ctx._retained = False, None
    ctx._materialize, ctx._non_diff, ctx._dirty = True, (), ()
    with no_grad():
        if own_setup:
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, inputs, output)
        else:
            output = cls.forward(ctx, *args, **kwargs)
    ctx._epoch = _function.EPOCH  # after forward: its own in-place changes (mark_dirty) came first
    if not (STATE.enabled and any(needs)):
        return output
    ctx.next_functions = tuple((a.grad_fn or a) if need else None for a, need in zip(inputs, needs))
    ctx._in_meta = tuple((a._data.shape, a._data.dtype) if isinstance(a, tensor) else None for a in inputs)
    several = isinstance(output, tuple)
    outputs = output if several else (output,)
    ctx._out_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, tensor) else None for o in outputs)
    results = [_attach(ctx, o, k, len(outputs), several, inputs) if isinstance(o, tensor) else o
               for k, o in enumerate(outputs)]
    return tuple(results) if several else results[0]


def _attach(ctx, out, k: int, count: int, several: bool, inputs: tuple):
    """Output ``k`` with the node as its ``grad_fn`` (a new tensor when it is an input)."""
    tensor = _function._Tensor
    if out._data.dtype.kind != "f" or id(out) in ctx._non_diff:  # no gradient flows from it
        return tensor._make(out._data) if out.requires_grad else out
    node = ctx
    if several:
        node = _OutputOf()
        node.next_functions, node._retained, node._freed, node._epoch = (ctx,), None, False, ctx._epoch
        node.label, node.index, node.count = ctx.name(), k, count
    if id(out) in ctx._dirty:
        if out.grad_fn is None and out.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    elif out.requires_grad or any(out is a for a in inputs):
        return tensor._make(out._data, node)
    out.grad_fn, out.requires_grad = node, True
    return out
