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

import contextlib
import os

import numpy as np

from ... import io as _io
from ...io import schema as _schema
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .._load_budget import load_budget
from . import h5_weights as _h5
from . import keras_archive as _archive
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


def _read(filepath, need_model: bool = False) -> dict:
    """The checked contents of an ember.keras file: ``format``, ``weights`` (a list of numeric
    arrays), and for ``need_model`` the model's config, ``compile_config`` and ``optimizer``."""
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file found at {path}")
    state = _io.load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        found = state.get("format") if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"{path} is not an ember.keras file (format={found!r}, expected "
                         f"{FORMAT!r})")
    if need_model and "model" not in state:
        raise ValueError(f"{path} holds only weights (written by save_weights), not a model: "
                         f"build the model in code and call model.load_weights({path!r})")
    schema = _FILE if need_model else _WEIGHTS_FILE
    state = _schema.check(state, schema, path)
    for i, value in enumerate(state["weights"]):
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
            raise _schema.SchemaError(f"{path}: weights[{i}] must be a numeric array, got "
                                      f"{type(value).__name__}")
    return state


_ARRAYS = _schema.ListOf(_schema.Any(), max_len=1 << 20)
_WEIGHTS_FILE = _schema.Record({"format": _schema.Str(), "weights": _ARRAYS}, extra=True)
_FILE = _schema.Record(
    {"format": _schema.Str(), "weights": _ARRAYS,
     "model": _schema.Record({"class_name": _schema.Str(), "config": _schema.MapOf(_schema.Any())},
                             extra=True)},
    {"compile_config": _schema.Either(_schema.Null(), _schema.MapOf(_schema.Any())),
     "optimizer": _schema.Either(_schema.Null(), _schema.MapOf(_schema.Any()))})


@contextlib.contextmanager
def _rebuilding(path: str, what: str):
    """Turns a lookup that failed on a file's (checksummed but edited) contents into one
    ``ValueError`` naming the file; a ``TypeError`` (Keras's error for a config that does not
    fit a class) stays one, with the file named; a ``ValueError`` passes as it is."""
    try:
        yield
    except (KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise ValueError(f"{path}: the saved {what} cannot be restored "
                         f"({type(exc).__name__}: {exc})") from None
    except TypeError as exc:  # Keras's error type for a config that does not fit; name the file
        if str(exc).startswith(path):
            raise
        raise TypeError(f"{path}: the saved {what} cannot be restored: {exc}") from exc


def _build(state, path, custom_objects):
    """The model the file's config describes, built while every weight it creates is counted
    against the weights the file holds (a config asking for more is refused before it
    allocates)."""
    n_values = sum(int(w.size) for w in state["weights"])
    with _rebuilding(path, "model config"), load_budget(n_values, path):
        return deserialize_keras_object(state["model"], custom_objects)


def _write(filepath, state: dict, overwrite: bool) -> None:
    path = os.fspath(filepath)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    _io.save(state, path)


# ---- compile configuration ---------------------------------------------------------------
def _is_leaf_cfg(x) -> bool:
    return isinstance(x, dict) and bool({"name", "class_name", "function"} & set(x))


def _map(fn, struct, leaf=lambda x: not isinstance(x, (list, tuple, dict))):
    """``fn`` on each leaf of a (possibly nested) compile argument."""
    if struct is None or leaf(struct):
        return None if struct is None else fn(struct)
    if isinstance(struct, dict):
        return {k: _map(fn, v, leaf) for k, v in struct.items()}
    return [_map(fn, v, leaf) for v in struct]


def _loss_cfg(loss):
    return {"name": loss} if isinstance(loss, str) else \
        _losses.serialize(_losses.to_loss_object(loss))


def _metric_cfg(metric):
    return {"name": metric} if isinstance(metric, str) else _metrics.serialize(metric)


def _compile_config(model) -> dict | None:
    if not model.compiled:
        return None
    cc = model._compile_config
    return {"optimizer": _optimizers.serialize(model.optimizer),
            "loss": _map(_loss_cfg, cc["loss"]), "loss_weights": cc["loss_weights"],
            "metrics": _map(_metric_cfg, cc["metrics"]),
            "weighted_metrics": _map(_metric_cfg, cc["weighted_metrics"])}


def _from_cfg(module):
    def rebuild(cfg):
        if "name" in cfg:
            return cfg["name"]
        if "function" in cfg:
            return cfg["function"]
        return module.get(cfg)
    return rebuild


def _compile(model, cc, optimizer_state) -> None:
    model.compile(optimizer=_optimizers.deserialize(cc["optimizer"]),
                  loss=_map(_from_cfg(_losses), cc["loss"], _is_leaf_cfg),
                  loss_weights=cc.get("loss_weights"),
                  metrics=_map(_from_cfg(_metrics), cc["metrics"], _is_leaf_cfg),
                  weighted_metrics=_map(_from_cfg(_metrics), cc["weighted_metrics"], _is_leaf_cfg))
    if optimizer_state is not None:
        model.optimizer.load_state_arrays(optimizer_state, model.trainable_weights)


def _check_savable(value, where: str, path: str = "config") -> None:
    """Raises a clear error for a config value a file cannot hold (a function, an object)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"Cannot save {where}: {path} has the non-string key {key!r}")
            _check_savable(item, where, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_savable(item, where, f"{path}[{i}]")
    elif not isinstance(value, (str, int, float, bool, type(None), np.generic)):
        hint = (" A Python lambda or closure cannot be saved (ember stores no code): use a named "
                "function, registered with `@keras.saving.register_keras_serializable()` or "
                "passed in `custom_objects` when loading.") if callable(value) else ""
        raise ValueError(f"Cannot save {where}: {path} holds {value!r} of type "
                         f"{type(value).__name__}, which is not a plain value.{hint}")


# ---- public API ----------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, **kwargs) -> None:
    """Writes architecture, weights, compile config and optimizer state to ``filepath``."""
    if not model.built:
        raise ValueError("The model is not built yet: call it on data, `build(input_shape)` or "
                         "fit it before saving.")
    opt = model.optimizer
    spec = serialize_keras_object(model)
    _check_savable(spec, f"model '{model.name}'")
    state = {"format": FORMAT, "model": spec,
             "compile_config": _compile_config(model),
             "weights": model.get_weights(),
             "optimizer": dict(opt.state_arrays()) if opt is not None and opt.built else None}
    _write(filepath, state, overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """Rebuilds the model saved at ``filepath``: same weights, compiled with the saved loss and
    metrics, and with the optimizer's state restored so training continues where it stopped.
    A ``.keras`` zip archive written by Keras 3 itself loads too (``keras_archive``)."""
    path = os.fspath(filepath)
    if os.path.exists(path) and _archive.is_keras_archive(path):
        return _archive.load_keras_archive(path, custom_objects, compile=compile)
    state = _read(filepath, need_model=True)
    model = _build(state, os.fspath(filepath), custom_objects)
    if not model.built:
        raise ValueError(f"{filepath}: the saved model has no input shape")
    _set_weights(model, state["weights"], filepath)
    cc = state.get("compile_config")
    if compile and cc:
        with _rebuilding(os.fspath(filepath), "compile configuration or optimizer state"):
            _compile(model, cc, state.get("optimizer"))
    return model


def save_weights(model, filepath, overwrite=True) -> None:
    """Writes only the weights: a ``.h5`` path gets Keras 3's ``.weights.h5`` layout (that
    Keras loads), any other path ember's safetensors file in ``model.weights`` order."""
    if os.fspath(filepath).endswith(".h5"):
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{os.fspath(filepath)} exists and overwrite=False")
        _h5.save(model, filepath)
        return
    _write(filepath, {"format": FORMAT, "weights": model.get_weights()}, overwrite)


def load_weights(model, filepath) -> None:
    """Reads weights written by :func:`save_weights`, ``save``, or Keras 3 (an HDF5
    ``.weights.h5`` file) into ``model``."""
    if _h5.is_hdf5(filepath):
        _h5.load(model, filepath)
        return
    _set_weights(model, _read(filepath)["weights"], filepath)
