"""The node of the autograd graph, and the base of every differentiable op.

Two ways to write one:

* **torch's form, for user code** (``class MyFn(ember.autograd.Function)`` with
  ``@staticmethod forward(ctx, *args)`` and ``@staticmethod backward(ctx, *grads)`` on
  Tensors, ``ctx.save_for_backward``, ``MyFn.apply(...)``; or ``forward(*args)`` plus
  ``setup_context(ctx, inputs, output)``). See :mod:`ember.autograd.custom_function`.
* **the engine's form, for ember's own ops** under ``ember/ops/``: instance methods on
  ndarrays. ``forward(self, *arrays, **params)`` returns the output array and saves on
  ``self`` only what backward needs (``self.needs_grad(i)`` says which gradients will
  be asked for); ``backward(self, grad)`` returns one gradient array (or None) per
  input and never modifies ``grad`` in place. ``ember.nn.functional`` and the Tensor
  methods wrap these ops.

Naming (what ``grad_fn=<...>`` prints) is data on the node, never a subclass or a
branch: ``ClassName + "Backward0"`` by default; a class whose torch name differs sets
``NAME = "AddmmBackward0"``; where the name depends on the call, the caller passes
``label="SqueezeBackward1"`` to :meth:`Function.apply`, or forward sets ``self.label``
from its arrays. :meth:`Function.name` reads them; subclasses never override it.

Example (the engine's form)::

    >>> import numpy as np
    >>> from ember.autograd import Function
    >>> class Cube(Function):
    ...     def forward(self, x):
    ...         self.x = x
    ...         return x ** 3
    ...     def backward(self, grad):
    ...         return (3 * self.x ** 2 * grad,)
    >>> t = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Cube.apply(t)
    >>> y
    tensor([1., 8.], grad_fn=<CubeBackward0>)
    >>> y.sum().backward()
    >>> t.grad
    tensor([ 3., 12.])
"""
from __future__ import annotations

import numpy as np

from .grad_mode import STATE

__all__ = ["Function", "once_differentiable"]


class Function:
    """Base of every op; an instance is one node of the recorded graph.

    ``next_functions`` holds, per tensor input, the input's node, the input itself
    when it is a leaf that requires grad, or None.
    """

    __slots__ = ("next_functions", "_retained", "_freed", "_epoch", "label", "__weakref__", "__dict__")

    #: torch's node name when it differs from ``ClassName + "Backward0"``; an instance's
    #: ``label`` (a slot, so it survives :meth:`release`) overrides it.
    NAME = None

    #: What torch saves for backward (its SavedVariables), which an in-place change must not
    #: touch before backward (:mod:`ember.autograd.versions`): input positions and ``"out"``.
    #: None: what forward keeps on ``self`` is what torch saves. Set it where forward keeps
    #: derived arrays instead (columns, masks, a normalised input) or views torch does not save;
    #: forward may set it per call (``self.SAVES = ...``) where torch's choice depends on the
    #: call (which gradients are needed, whether an input is contiguous).
    SAVES = None

    def __init_subclass__(cls, **kwargs) -> None:
        """A subclass written in torch's form (static ``forward``) gets torch's ``apply``."""
        super().__init_subclass__(**kwargs)
        if any(isinstance(k.__dict__.get("forward"), staticmethod) or "setup_context" in k.__dict__
               for k in cls.__mro__):
            from .custom_function import enable_ctx_form
            enable_ctx_form(cls)

    def forward(self, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: subclasses implement forward")

    def backward(self, grad):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: subclasses implement backward")

    def name(self) -> str:
        """The node's name as torch prints it in ``grad_fn=<...>``."""
        try:
            return self.label
        except AttributeError:
            return self.NAME or type(self).__name__ + "Backward0"

    def __repr__(self) -> str:
        return f"<{self.name().rpartition('::')[2]} object>"

    def release(self) -> None:
        """Drops what forward saved, after the backward pass used it."""
        self.__dict__.clear()
        self._freed = True

    @classmethod
    def apply(cls, *inputs, label=None, **params):
        """Runs forward on the inputs' arrays and records the node when grad is needed.

        ``inputs`` are Tensors or plain values (those get no gradient); ``params`` are
        keyword values passed to forward as they are; ``label`` names this node.
        """
        node = cls()
        nxt = None
        if STATE.enabled:
            arrays = []
            for i, t in enumerate(inputs):
                if isinstance(t, _Tensor):
                    arrays.append(t._data)
                    if t.requires_grad:
                        if nxt is None:
                            nxt = [None] * len(inputs)
                        nxt[i] = t.grad_fn or t
                else:
                    arrays.append(t)
        else:
            arrays = [t._data if isinstance(t, _Tensor) else t for t in inputs]
        if nxt is None:  # nothing to record: forward sees no input needing a gradient
            node.next_functions = _NO_INPUTS
            out = node.forward(*arrays, **params)
            res = _Tensor._make(out if type(out) is np.ndarray else np.asarray(out), None)
            if res._data.base is not None and inputs:  # maybe a view (ember.autograd.views)
                _note_view(res, inputs[0])
            return res
        node.next_functions = tuple(nxt)
        node._retained = None
        node._freed = False
        node._epoch = EPOCH
        if label is not None:
            node.label = label
        out = node.forward(*arrays, **params)
        if type(out) is not np.ndarray:  # ufuncs on 0-d arrays return NumPy scalars
            out = np.asarray(out)
        saves = node.SAVES
        if saves is not None:  # references only: torch keeps these tensors alive as well
            node.torch_saved = tuple((out, True) if i == "out" else (arrays[i], False) for i in saves)
        res = _Tensor._make(out, node)
        if out.base is not None:  # maybe a view of input 0 (ember.autograd.views)
            _note_view(res, inputs[0])
        return res

    def needs_grad(self, i: int) -> bool:
        """True when input ``i`` needs a gradient (backward may skip the others)."""
        return self.next_functions[i] is not None


def once_differentiable(fn):
    """torch's decorator for a ``backward`` that cannot itself be differentiated; every ember
    backward runs outside the graph, so it returns ``fn`` unchanged."""
    return fn


class _NoInputs:
    """``next_functions`` of a node that records nothing: no input needs a gradient."""

    __slots__ = ()

    def __getitem__(self, i):
        return None


_NO_INPUTS = _NoInputs()
#: How many in-place changes tensors have had (:mod:`ember.autograd.versions` counts them); a
#: node records the value current when it was made.
EPOCH = 0
_Tensor = None  # set by ember._tensor to break the import cycle
_note_view = None  # set by ember.autograd.views (which imports this module)


def _bind_tensor(cls) -> None:
    global _Tensor
    _Tensor = cls
