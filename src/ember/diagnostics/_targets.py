"""Finding what to watch in a model, and attaching to it: ember.nn modules or ember.keras models.

A target lists the weight matrices to follow (``weights``: name → Tensor, in forward order as far
as known) and the activations to watch (``watches``), and ``attach(record)`` makes every watched
activation call ``record(watch, pre_activation_or_None, output)`` on each training forward pass.
It returns handles whose ``remove()`` undoes the attachment.
"""
from __future__ import annotations

import numpy as np

_NN_KINDS = {"ReLU": "relu", "ReLU6": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}
_KERAS_KINDS = {"relu": "relu", "relu6": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}


class Watch:
    """Accumulators for one activation: ``kind`` is ``"relu"``, ``"sigmoid"`` or ``"tanh"``."""

    def __init__(self, name: str, kind: str) -> None:
        self.name, self.kind = name, kind
        self.active: np.ndarray | None = None   # relu: unit was > 0 at least once in the window
        self.saturated = 0                       # sigmoid/tanh: entries beyond the threshold
        self.total = 0                           # sigmoid/tanh: entries seen since the last step

    @property
    def dies(self) -> bool:
        return self.kind == "relu"


def _is_matrix(t) -> bool:
    return t is not None and hasattr(t, "_data") and t._data.ndim >= 2


def discover(model):
    """The target for ``model``: an :class:`NNTarget` or a :class:`KerasTarget`."""
    if hasattr(model, "layers") and hasattr(model, "fit"):  # a Keras model (also a Module)
        return KerasTarget(model)
    if hasattr(model, "named_modules"):
        return NNTarget(model)
    raise TypeError(f"TrainingMonitor expects an ember.nn.Module or an ember.keras model, got "
                    f"{type(model).__name__}")


class NNTarget:
    """Weights: every module's ``weight`` with 2+ dims. Watches: ReLU/ReLU6/Sigmoid/Tanh modules,
    through forward hooks (only while the module is in training mode)."""

    def __init__(self, module) -> None:
        self.module = module
        self.weights, self.watches, self._modules = {}, [], []
        for name, mod in module.named_modules():
            label = name or type(mod).__name__
            if _is_matrix(getattr(mod, "weight", None)):
                self.weights[label] = mod.weight
                self._modules.append((label, mod, None))
            kind = _NN_KINDS.get(type(mod).__name__)
            if kind is not None:
                watch = Watch(label, kind)
                self.watches.append(watch)
                self._modules.append((label, mod, watch))

    def attach(self, record, seen) -> list:
        """``record(watch, pre, out)`` for activations; ``seen((kind, name))`` when a watched
        module runs, so that the monitor learns the forward order."""
        handles = []
        for label, mod, watch in self._modules:
            if watch is None:
                def hook(m, inputs, output, label=label):
                    seen(("weight", label))
            else:
                def hook(m, inputs, output, watch=watch):
                    seen(("activation", watch.name))
                    if getattr(m, "training", True):
                        record(watch, inputs[0] if inputs else None, output)
            handles.append(_hook(mod, hook))
        return handles

    def output_watches(self, order) -> set:
        """Activations first run after the last weight layer (the model's output activation)."""
        weights = [i for i, (kind, _) in enumerate(order) if kind == "weight"]
        if not weights:
            return set()
        return {name for i, (kind, name) in enumerate(order)
                if kind == "activation" and i > weights[-1]}


def _hook(module, fn):
    if hasattr(module, "register_forward_hook"):
        return module.register_forward_hook(fn)
    return _ForwardWrapper(module, fn)


class _ForwardWrapper:
    """Calls ``fn(module, inputs, output)`` after ``module.forward`` for modules without hooks."""

    def __init__(self, module, fn) -> None:
        self.module = module
        original = module.forward

        def forward(*args, **kwargs):
            out = original(*args, **kwargs)
            fn(module, args, out)
            return out
        module.forward = forward

    def remove(self) -> None:
        self.module.__dict__.pop("forward", None)


class KerasTarget:
    """Weights: each layer's ``kernel``. Watches: layers whose activation is relu/relu6/sigmoid/
    tanh (``Dense(…, activation="relu")``, ``Activation("tanh")``) and ``ReLU`` layers, by wrapping
    the layer's ``call`` (the saturation is read from the output, which is monotone in the input).
    Records only while the callback says a training batch runs."""

    def __init__(self, model) -> None:
        self.model = model
        self.recording = False
        self.weights, self.watches, self._layers = {}, [], []
        for layer in model.layers:
            if _is_matrix(getattr(layer, "kernel", None)):
                self.weights[layer.name] = layer.kernel
            fn = getattr(layer, "activation", None)
            kind = _KERAS_KINDS.get(getattr(fn, "__name__", None)) if callable(fn) else None
            if kind is None and type(layer).__name__ == "ReLU":
                kind = "relu"
            if kind is not None:
                watch = Watch(layer.name, kind)
                self.watches.append(watch)
                self._layers.append((layer, watch))

    def output_watches(self, order) -> set:
        """Watches on or after the last layer with a kernel (the model's output activation)."""
        names = [layer.name for layer in self.model.layers]
        last = max(names.index(n) for n in self.weights)
        return {w.name for layer, w in self._layers if names.index(layer.name) >= last}

    def attach(self, record, seen) -> list:
        handles = []
        for layer, watch in self._layers:
            handles.append(_CallWrapper(layer, watch, record, self))
        return handles


class _CallWrapper:
    def __init__(self, layer, watch, record, target) -> None:
        self.layer = layer
        original = layer.call

        def call(inputs, *args, **kwargs):
            out = original(inputs, *args, **kwargs)
            if target.recording:
                record(watch, None, out)
            return out
        layer.call = call

    def remove(self) -> None:
        self.layer.__dict__.pop("call", None)
