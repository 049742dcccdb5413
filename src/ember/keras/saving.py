"""One-file model persistence: safetensors arrays + JSON metadata (no pickle).

The file holds every weight (``weights/<layer index>/<weight index>``), the optimizer's state
(``optimizer/…``) and, in the safetensors metadata, the model's JSON architecture and compile
configuration. Writes go to a temporary file in the same folder, then an atomic ``os.replace``.

Example::

    >>> model.save("model.keras")
    >>> same = ember.keras.models.load_model("model.keras")
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers

FORMAT = "ember.keras/1"


def _write(path, arrays: dict, metadata: dict, overwrite: bool) -> None:
    from safetensors.numpy import save_file
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".safetensors", dir=folder)
    os.close(fd)
    try:
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, tmp,
                  metadata={k: json.dumps(v) for k, v in metadata.items()})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read(path) -> tuple[dict, dict]:
    from safetensors import safe_open
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file found at {path}")
    try:
        with safe_open(path, framework="np") as f:
            meta = f.metadata() or {}
            arrays = {k: f.get_tensor(k) for k in f.keys()}
        meta = {k: json.loads(v) for k, v in meta.items()}
    except Exception as exc:  # safetensors raises its own error types for damaged files
        raise ValueError(f"{path} is not a readable ember.keras file (corrupted or truncated?): "
                         f"{exc}") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not an ember.keras file (format={meta.get('format')!r}, "
                         f"expected {FORMAT!r})")
    return arrays, meta


def _weight_arrays(model) -> dict:
    out = {}
    for i, layer in enumerate(model.layers):
        for j, w in enumerate(layer.get_weights()):
            out[f"weights/{i}/{j}"] = w
    return out


def _set_weight_arrays(model, arrays: dict, path) -> None:
    values = []
    for i, layer in enumerate(model.layers):
        for j, w in enumerate(layer.weights):
            key = f"weights/{i}/{j}"
            if key not in arrays:
                raise ValueError(f"{path} lacks the weight {key!r}; it does not match this model")
            value = arrays[key]
            if w.ndim == 0 and value.size == 1:  # safetensors reads a 0-d array back as (1,)
                value = value.reshape(())
            values.append(value)
    model.set_weights(values)


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


def save_model(model, filepath, overwrite=True) -> None:
    """Writes architecture, weights, compile config and optimizer state to ``filepath``."""
    if not model.built:
        raise ValueError("The model is not built yet: call it on data, `build(input_shape)` or fit "
                         "it before saving.")
    arrays = _weight_arrays(model)
    meta = {"format": FORMAT, "config": {"class_name": "Sequential", "config": model.get_config()},
            "compile_config": _compile_config(model)}
    opt = model.optimizer
    if opt is not None and opt.built:
        for k, v in opt.state_arrays().items():
            arrays[f"optimizer/{k}"] = v
        meta["optimizer_built"] = True
    _write(filepath, arrays, meta, overwrite)


def load_model(filepath, compile=True):  # noqa: A002 - Keras's argument name
    """Rebuilds the model saved at ``filepath``: same weights, compiled with the saved loss and
    metrics, and with the optimizer's state restored so training continues where it stopped."""
    from .models import Sequential
    arrays, meta = _read(filepath)
    model = Sequential.from_config(meta["config"]["config"])
    if not model.built:
        raise ValueError(f"{filepath}: the saved model has no input shape")
    _set_weight_arrays(model, arrays, filepath)
    cc = meta.get("compile_config")
    if compile and cc:
        model.compile(optimizer=_optimizers.deserialize(cc["optimizer"]),
                      loss=_from_cfg(cc["loss"], _losses),
                      metrics=[_from_cfg(m, _metrics) for m in cc["metrics"]],
                      weighted_metrics=[_from_cfg(m, _metrics) for m in cc["weighted_metrics"]])
        if meta.get("optimizer_built"):
            state = {k[len("optimizer/"):]: v for k, v in arrays.items() if k.startswith("optimizer/")}
            model.optimizer.load_state_arrays(state, model.trainable_weights)
    return model


def save_weights(model, filepath, overwrite=True) -> None:
    """Writes only the weights (same file layout, no architecture or optimizer)."""
    _write(filepath, _weight_arrays(model), {"format": FORMAT}, overwrite)


def load_weights(model, filepath) -> None:
    arrays, _ = _read(filepath)
    _set_weight_arrays(model, arrays, filepath)
