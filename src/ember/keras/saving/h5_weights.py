"""Keras 3's ``.weights.h5`` layout, read and written with ``h5py`` (the optional extra ``h5``).

Keras stores each layer's own variables (trainable first, then non-trainable) as datasets
``<path>/vars/0``, ``<path>/vars/1``…, where ``<path>`` is built as Keras's ``saving_lib`` walks
the model: a Sequential or functional model's layers sit under ``layers/<snake_case class
name>[_<n>]``; any other layer's sublayers under their attribute names (``lstm/cell``), in sorted
order, with a subclassed model's remaining layers in the ``layers`` container. A file Keras
wrote loads here and a file written here loads in Keras. Reading checks every group, count and
shape before assigning anything; writing is atomic.

Example::

    >>> model.save_weights("model.weights.h5")   # Keras 3 can load_weights() this file
    >>> model.load_weights("keras_model.weights.h5")
"""
from __future__ import annotations

import io
import os
import re

import numpy as np

from ...io.atomic import atomic_write_bytes

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _h5py():
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading or writing .h5 weights needs h5py: pip install 'ember[h5]'") \
            from exc
    return h5py


def is_hdf5(path) -> bool:
    """Whether ``path`` starts with the HDF5 signature."""
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def snake_case(name: str) -> str:
    """Keras's ``naming.to_snake_case`` (``MaxPooling2D`` -> ``max_pooling2d``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _own_variables(layer) -> list:
    out, seen = [], set()
    for v in list(layer._trainable_variables) + list(layer._non_trainable_variables):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _is_graph_model(layer) -> bool:
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    return isinstance(layer, (Sequential, Functional))


def walk(model) -> list:
    """``[(path, layer)]`` for every layer, with the paths Keras's saving gives them."""
    from ..layers.base import Layer
    out, visited = [], set()

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        out.append((path, layer))
        children = [] if _is_graph_model(layer) else \
            [(name, m) for name, m in layer._modules.items() if isinstance(m, Layer)]
        if _is_graph_model(layer) or hasattr(layer, "layers"):
            children.append(("layers", list(getattr(layer, "layers", []))))
        for name, child in sorted(children, key=lambda item: item[0]):
            inner = f"{path}/{name}" if path else name
            if isinstance(child, list):
                used: dict = {}
                for sub in child:
                    key = snake_case(type(sub).__name__)
                    used[key] = used.get(key, -1) + 1
                    visit(sub, f"{inner}/{key}_{used[key]}" if used[key] else f"{inner}/{key}")
            else:
                visit(child, inner)

    visit(model, "")
    return out


def save(model, filepath) -> None:
    """Writes ``model``'s weights in Keras 3's ``.weights.h5`` layout (atomically)."""
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for path, layer in walk(model):
            group = f.create_group(f"{path}/vars" if path else "vars")
            group.attrs["name"] = layer.name
            for i, v in enumerate(_own_variables(layer)):
                group.create_dataset(str(i), data=np.asarray(v._data))
    atomic_write_bytes(filepath, buffer.getvalue())


def load(model, filepath) -> None:
    """Reads a Keras 3 ``.weights.h5`` file into ``model``; nothing is assigned unless every
    layer's group, variable count and shapes match."""
    h5py = _h5py()
    path = os.fspath(filepath)
    plan, expected = [], set()
    with h5py.File(path, "r") as f:
        for inner, layer in walk(model):
            own = _own_variables(layer)
            key = f"{inner}/vars" if inner else "vars"
            expected.add(key)
            if key not in f:
                if not own:
                    continue
                raise ValueError(f"{path} has no group {key!r} for layer '{layer.name}' "
                                 f"({type(layer).__name__}); the file was written for another "
                                 f"architecture")
            stored = f[key]
            if len(stored) != len(own):
                raise ValueError(f"{path}: layer '{layer.name}' ({type(layer).__name__}, group "
                                 f"{key!r}) expects {len(own)} variables, the file holds "
                                 f"{len(stored)}")
            for i, v in enumerate(own):
                if str(i) not in stored:
                    raise ValueError(f"{path}: group {key!r} lacks variable {i} of layer "
                                     f"'{layer.name}'")
                value = np.asarray(stored[str(i)])
                if value.shape != tuple(v.shape):
                    raise ValueError(f"{path}: variable {v.path} has shape {value.shape} in the "
                                     f"file (group {key!r}) but {tuple(v.shape)} in the model")
                plan.append((v, value))
        extra = []
        f.visit(lambda name: extra.append(name) if name.endswith("vars") and name not in expected
                and len(f[name]) and not name.startswith("optimizer") else None)
    if extra:
        raise ValueError(f"{path} holds weights for {sorted(extra)} that model '{model.name}' does "
                         f"not have; the file was written for another architecture")
    for v, value in plan:
        np.copyto(v._data, value, casting="unsafe")
