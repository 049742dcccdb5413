"""Reading a ``.keras`` file written by Keras 3 itself: a zip archive holding ``config.json``
(the model's architecture, as ``model.to_json()`` writes it, and its ``compile_config``) and
``model.weights.h5`` (the weights, in Keras's ``.weights.h5`` layout). ``load_model`` reads
one when the file is a zip archive; ember's own ``model.save`` writes ember's single
safetensors file (``model_file``), which Keras does not read.

The archive is checked before it is trusted: the members' declared sizes are bounded before
anything is decompressed, and building the model from the config is held to the number of
weight values the weights file holds (``_load_budget``). The optimizer's saved variables (step
count, then each trainable variable's slots in Keras's order) are restored when they are what
this optimizer keeps; otherwise (moving averages, gradient accumulation, a learning-rate
schedule, another layout) it starts fresh with Keras's warning.

Example::

    >>> model = keras.saving.load_model("made_by_keras.keras")   # keras.Model.save's zip
"""
from __future__ import annotations

import io
import json
import os
import warnings
import zipfile

import numpy as np

from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from .._load_budget import load_budget
from ..optimizers.schedules import LearningRateSchedule
from . import h5_weights as _h5
from .serialization import deserialize_keras_object

__all__ = ["is_keras_archive", "load_keras_archive"]

MAX_CONFIG_BYTES = 64 << 20  # a config.json larger than this is not a model's architecture
MAX_WEIGHTS_BYTES = 16 << 30


def is_keras_archive(filepath) -> bool:
    """Whether ``filepath`` is a zip archive (what Keras 3's ``model.save`` writes)."""
    try:
        return zipfile.is_zipfile(os.fspath(filepath))
    except OSError:
        return False


def _member(archive: zipfile.ZipFile, name: str, limit: int, path: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{path} is a zip archive without {name}: not a model saved by "
                         f"Keras 3 (members: {archive.namelist()[:10]})") from None
    if info.file_size > limit:
        raise ValueError(f"{path}: {name} declares {info.file_size:,} bytes, more than the "
                         f"{limit:,} a model file may hold")
    data = archive.read(name)
    if len(data) != info.file_size:
        raise ValueError(f"{path}: {name} holds {len(data):,} bytes, not the {info.file_size:,} "
                         f"it declares")
    return data


def _n_values(h5_bytes: bytes) -> int:
    """The number of weight values the ``.weights.h5`` bytes hold (their datasets' sizes)."""
    h5py = _h5._h5py()
    total = [0]

    def visit(_, item):
        if isinstance(item, h5py.Dataset):
            total[0] += int(item.size)

    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        f.visititems(visit)
    return total[0]


def _compile_arg(value, module):
    """A saved loss/metric argument: names stay names, serialized objects are rebuilt, lists
    and dicts of them are mapped."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and "class_name" in value:
        return module.deserialize(value)
    if isinstance(value, dict):
        return {k: _compile_arg(v, module) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_compile_arg(v, module) for v in value]
    raise ValueError(f"a saved compile argument must be a name, a serialized object or a "
                     f"list/dict of them; got {value!r:.80}")


def load_keras_archive(filepath, custom_objects=None, compile=True):  # noqa: A002
    """The model a Keras 3 ``.keras`` archive holds: rebuilt from its config, its weights read
    from ``model.weights.h5``, compiled with its loss and metrics when ``compile``."""
    path = os.fspath(filepath)
    with zipfile.ZipFile(path) as archive:
        config = json.loads(_member(archive, "config.json", MAX_CONFIG_BYTES, path))
        weights = _member(archive, "model.weights.h5", MAX_WEIGHTS_BYTES, path)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{path}: config.json does not describe a model")
    with load_budget(_n_values(weights), path):
        model = deserialize_keras_object(config, custom_objects)
    _h5.load(model, io.BytesIO(weights), name=f"{path}/model.weights.h5")
    cc = config.get("compile_config")
    if compile and cc:
        model.compile(optimizer=_optimizers.deserialize(cc["optimizer"]),
                      loss=_compile_arg(cc.get("loss"), _losses),
                      loss_weights=cc.get("loss_weights"),
                      metrics=_compile_arg(cc.get("metrics"), _metrics),
                      weighted_metrics=_compile_arg(cc.get("weighted_metrics"), _metrics))
        _restore_optimizer(model, weights)
    return model


def _restore_optimizer(model, h5_bytes: bytes) -> None:
    """Keras's ``optimizer/vars``: ``iteration``, ``learning_rate``, then for each trainable
    variable its slots (Adam's momentum, velocity), in order."""
    h5py = _h5._h5py()
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        group = f.get("optimizer/vars")
        if not isinstance(group, h5py.Group) or not len(group):
            return
        values = [np.asarray(group[str(i)]) if str(i) in group else None
                  for i in range(len(group))]
    opt, variables = model.optimizer, model.trainable_weights
    opt.build(variables)
    slots = list(opt._variable_state())
    plain = not opt.use_ema and not opt.gradient_accumulation_steps and \
        not isinstance(opt._learning_rate, LearningRateSchedule)
    if not plain or len(values) != 2 + len(slots) * len(variables) or any(
            v is None for v in values):
        warnings.warn(f"Skipping variable loading for optimizer '{opt.name}', because it has "
                      f"{2 + len(slots) * len(variables)} variables whereas the saved optimizer "
                      f"has {len(values)} variables.", stacklevel=3)
        return
    arrays = {"iterations": np.asarray(values[0]).astype(np.int64).reshape(1)}
    for i in range(len(variables)):
        for j, name in enumerate(slots):
            arrays[f"{i}/{name}"] = values[2 + i * len(slots) + j]
    opt.load_state_arrays(arrays, variables)
