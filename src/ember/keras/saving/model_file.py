"""Model files through ``ember.io``: one safetensors file, JSON structure, no pickle.

``model.save(path)`` writes, with ``ember.io.save`` (atomic write with fsync, one checksum):
the architecture (``get_config`` of the model and each layer), every weight in ``model.weights``
order, the compile configuration and the optimizer's state. ``load_model`` reads it back with
``ember.io.load`` (a damaged file raises ``ember.io.CorruptFileError`` and loads nothing).

Example::

    >>> model.save("model.keras")
    >>> same = ember.keras.models.load_model("model.keras")
"""
from __future__ import annotations

import os

import numpy as np

from ... import io as _io
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "FORMAT"]

FORMAT = "ember.keras/2"


# ---- weights -----------------------------------------------------------------------------
def _set_weights(model, arrays, path) -> None:
    own = model.weights
    if len(arrays) != len(own):
        raise ValueError(f"{path} holds {len(arrays)} weights but model '{model.name}' has "
                         f"{len(own)}; the file does not match this model")
    values = []
    for w, value in zip(own, arrays):
        value = np.asarray(value)
        if value.shape != w._data.shape:
            raise ValueError(f"{path}: weight {w.path} has shape {value.shape} in the file but "
                             f"{w._data.shape} in model '{model.name}'")
        values.append(value)
    model.set_weights(values)


def _read(filepath) -> dict:
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file found at {path}")
    state = _io.load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{path} is not an ember.keras file (format={found!r}, expected "
                         f"{FORMAT!r})")
    return state


def _write(filepath, state: dict, overwrite: bool) -> None:
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    _io.save(state, path)


# ---- compile configuration ---------------------------------------------------------------
def _compile_config(model) -> dict | None:
    if not model.compiled:
        return None
    loss = model.loss
    loss_cfg = {"name": loss} if isinstance(loss, str) else _losses.serialize(model._loss_fn)

    def metric_cfg(m):
        return {"name": m} if isinstance(m, str) else _metrics.serialize(m)

    return {"optimizer": _optimizers.serialize(model.optimizer), "loss": loss_cfg,
            "metrics": [metric_cfg(m) for m in model._metric_ids],
            "weighted_metrics": [metric_cfg(m) for m in model._weighted_ids]}


def _from_cfg(cfg, module):
    if cfg is None:
        return None
    if "name" in cfg:
        return cfg["name"]
    if "function" in cfg:
        return cfg["function"]
    return module.get(cfg)


def _compile(model, cc, optimizer_state) -> None:
    model.compile(optimizer=_optimizers.deserialize(cc["optimizer"]),
                  loss=_from_cfg(cc["loss"], _losses),
                  metrics=[_from_cfg(m, _metrics) for m in cc["metrics"]],
                  weighted_metrics=[_from_cfg(m, _metrics) for m in cc["weighted_metrics"]])
    if optimizer_state is not None:
        model.optimizer.load_state_arrays(optimizer_state, model.trainable_weights)


# ---- public API ----------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, **kwargs) -> None:
    """Writes architecture, weights, compile config and optimizer state to ``filepath``."""
    if not model.built:
        raise ValueError("The model is not built yet: call it on data, `build(input_shape)` or "
                         "fit it before saving.")
    opt = model.optimizer
    state = {"format": FORMAT, "model": serialize_keras_object(model),
             "compile_config": _compile_config(model),
             "weights": model.get_weights(),
             "optimizer": dict(opt.state_arrays()) if opt is not None and opt.built else None}
    _write(filepath, state, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Rebuilds the model saved at ``filepath``: same weights, compiled with the saved loss and
    metrics, and with the optimizer's state restored so training continues where it stopped."""
    state = _read(filepath)
    model = deserialize_keras_object(state["model"], custom_objects)
    if not model.built:
        raise ValueError(f"{filepath}: the saved model has no input shape")
    _set_weights(model, state["weights"], filepath)
    cc = state.get("compile_config")
    if compile and cc:
        _compile(model, cc, state.get("optimizer"))
    return model


def save_weights(model, filepath, overwrite=True) -> None:
    """Writes only the weights, in ``model.weights`` order."""
    _write(filepath, {"format": FORMAT, "weights": model.get_weights()}, overwrite)


def load_weights(model, filepath) -> None:
    """Reads weights written by :func:`save_weights` (or ``save``) into ``model``."""
    _set_weights(model, _read(filepath)["weights"], filepath)
