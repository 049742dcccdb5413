"""Layers called on ``KerasTensor``\\ s: output shapes without data, and the graph's nodes.

A layer's output shape comes from its ``compute_output_shape``; a layer that does not define one
(a custom layer, a ``Lambda``) is run on zeros instead: twice, with the unknown sizes as 2 and
then 3, the sizes that differ are reported as None. Weights changed by such a run (a layer that
counts its calls) are restored, ``add_loss`` is ignored and no gradient is recorded.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from .. import _tree
from .._load_budget import check_probe
from . import _tracking
from .input_spec import assert_input_compatibility
from .keras_tensor import KerasTensor
from .node import Node, is_symbolic

__all__ = ["symbolic_call", "infer_output_spec", "is_shape", "any_symbolic", "build_shapes_by_name"]


def is_shape(x) -> bool:
    """True for one shape (a tuple/list of ints and Nones), False for a structure of shapes."""
    return isinstance(x, (tuple, list)) and all(s is None or isinstance(s, (int, np.integer))
                                                for s in x)


def any_symbolic(args, kwargs) -> bool:
    return any(is_symbolic(x) for x in _tree.flatten((args, kwargs)))


def _zeros(x, fill: int, layer_name: str = "?"):
    if not is_symbolic(x):
        return x
    shape = tuple(fill if s is None else s for s in x.shape)
    check_probe(shape, layer_name)  # loading a model file: no input larger than its weights
    return Tensor._make(np.zeros(shape, np.dtype(x.dtype)))


def infer_output_spec(layer, args, kwargs):
    """The output of ``layer.call(*args, **kwargs)`` as (unconnected) KerasTensors, found by
    running ``call`` on zeros in place of the KerasTensors in ``args``/``kwargs``."""
    ctx, entry = _tracking.enter_context(layer)
    saved, ctx.symbolic = ctx.symbolic, True
    state = [(w, w._data.copy()) for w in layer.weights]
    runs = []
    try:
        with no_grad():
            for fill in (2, 3):
                a, k = _tree.map_structure(lambda x: _zeros(x, fill, layer.name), (list(args), dict(kwargs)))
                if layer._accepts_training() and "training" not in k:
                    k["training"] = False
                runs.append(layer.call(*a, **k))
    finally:
        for w, arr in state:
            w._data[...] = arr
        ctx.symbolic = saved
        if entry:
            _tracking.exit_context(ctx)
    flat = [KerasTensor(tuple(x if x == y else None for x, y in zip(a.shape, b.shape)),
                        a.dtype.name)
            for a, b in zip(_tree.flatten(runs[0]), _tree.flatten(runs[1]))]
    return _tree.pack_sequence_as(runs[0], flat)


def symbolic_call(layer, args, kwargs):
    """``layer(*args, **kwargs)`` on KerasTensors: builds the layer from the input shapes,
    checks the input spec, records a Node and returns the output KerasTensor(s)."""
    inputs = args[0] if args else next(iter(kwargs.values()))
    shapes = _tree.map_structure(lambda t: tuple(t.shape) if hasattr(t, "shape") else t, inputs)
    if not layer.built:
        named = build_shapes_by_name(layer, args, kwargs)
        if named is None:
            layer._build_once(shapes)
        else:
            layer.build(**named)
            layer.built = True
            layer._build_shapes = [shapes, None]
            layer._build_shapes_dict = named  # saved as Keras saves it (build_config)
    assert_input_compatibility(layer.input_spec, inputs, layer.name)
    if layer._defines_output_shape():
        out_shapes = layer.compute_output_shape(shapes)
        dtype = "float32"
        flat_in = _tree.flatten(inputs)
        if len(flat_in) == 1 and getattr(layer, "_keeps_dtype", False):
            dtype = flat_in[0].dtype
        if is_shape(out_shapes):
            outputs = KerasTensor(out_shapes, dtype)
        else:
            outputs = _map_shapes(lambda s: KerasTensor(s, dtype), out_shapes)
    else:
        outputs = infer_output_spec(layer, args, kwargs)
    Node(layer, args, kwargs, outputs)
    return outputs


def build_shapes_by_name(layer, args, kwargs):
    """Keras's rule for a ``build`` with several arguments, all named ``<arg>_shape`` (as
    ``MultiHeadAttention.build(query_shape, value_shape, key_shape=None)``): each gets the
    shape of the call's argument ``<arg>``. None where ``build`` takes one argument (it gets
    the first input's shape) or the call does not bind.

    Example: ``call(self, x, y)`` with ``build(self, x_shape, y_shape)`` is built with
    ``build(x_shape=x.shape, y_shape=y.shape)``."""
    import inspect
    params = list(inspect.signature(type(layer).build).parameters.values())[1:]
    if len(params) < 2 or not all(p.name.endswith("_shape") for p in params):
        return None
    try:
        bound = inspect.signature(layer.call).bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None
    named = {}
    for p in params:
        value = bound.get(p.name[:-len("_shape")])
        if value is not None:
            named[p.name] = _tree.map_structure(lambda t: tuple(t.shape), value)
    return named


def _map_shapes(fn, shapes):
    if is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)
