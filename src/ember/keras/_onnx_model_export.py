"""``keras.Model.export(path, format="onnx")``: example inputs from the model's ``keras.Input``\ s
(or ``input_signature``), dynamic batch axes (and every axis an input leaves as None), then
``ember.onnx.export`` with the Keras layers' converters (``ember.keras._onnx_export`` and its
siblings, registered when ``ember.keras`` is imported).

Example::

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="relu")])
    >>> model.export("model.onnx", format="onnx")   # batch axis dynamic
"""
from __future__ import annotations

from .. import onnx as _onnx
from .._tensor import Tensor
from ..nn import Module

__all__ = ["export_model"]

#: the size an example input gets on an axis the input's shape leaves as None (dynamic)
EXAMPLE_SIZE = 8


def _example_inputs(model, input_signature):
    """(example tensors, input names, dynamic axes per name): the batch axis and every axis
    the input's shape leaves as None are dynamic."""
    import ember
    specs = input_signature
    if specs is None:
        layer = model.__dict__.get("_input_layer")
        specs = [layer] if layer is not None else getattr(model, "inputs", None)
    if not specs:
        raise ValueError(f"model.export needs the input shape of model '{model.name}': build it "
                         f"with keras.Input, or pass input_signature=[keras.InputSpec(shape=...)]")
    specs = specs if isinstance(specs, (list, tuple)) and not isinstance(specs[0], int) else [specs]
    tensors, names, axes = [], [], {}
    for i, spec in enumerate(specs):
        shape = tuple(spec) if isinstance(spec, (list, tuple)) else \
            tuple(getattr(spec, "batch_shape", None) or spec.shape)
        dtype = str(getattr(spec, "input_dtype", None) or getattr(spec, "dtype", None) or "float32")
        dtype = "bool" if dtype == "bool" else "int64" if "int" in dtype else "float32"
        name = getattr(spec, "name", None) or f"input_{i}"
        size = (2,) + tuple(EXAMPLE_SIZE if s is None else s for s in shape[1:])
        tensors.append(spec if isinstance(spec, Tensor) else
                       ember.zeros(size, dtype=getattr(ember, dtype)))
        names.append(name)
        axes[name] = {0: "batch", **{a: f"{name}_{a}" for a, s in enumerate(shape) if a and s is None}}
    return tuple(tensors), names, axes


class _ListInputs(Module):
    """Calls a multi-input Keras model with its inputs as one list (as Keras expects), so the
    exporter can pass them positionally."""

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model

    def forward(self, *inputs):
        return self.model(list(inputs))


def export_model(model, filepath, format="onnx", verbose=True, input_signature=None, **kwargs):
    """``keras.Model.export`` for ``format="onnx"``: the batch axis of every input and output
    is dynamic, and so is every axis an input's shape leaves as None (the outputs' shapes are
    then left to the runtime); the other formats need TensorFlow and are refused."""
    if format != "onnx":
        raise ValueError(f"ember.keras can export format='onnx' only (got format={format!r}; "
                         f"'tf_saved_model' and 'openvino' need TensorFlow)")
    args, names, axes = _example_inputs(model, input_signature)
    target = _ListInputs(model) if len(args) > 1 else model
    output = target(*args)
    n_out = len(output) if isinstance(output, (list, tuple)) else 1
    outputs = [f"output_{i}" for i in range(n_out)]
    if all(len(a) == 1 for a in axes.values()):
        axes.update({name: {0: "batch"} for name in outputs})
    _onnx.export(target, args, filepath, input_names=names, output_names=outputs,
                 dynamic_axes=axes, **kwargs)
    if verbose:
        print(f"Saved artifact at '{filepath}'.")
