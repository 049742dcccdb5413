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


def _public_name(layer, name: str, child) -> str:
    """The name Keras saves ``child`` under: Keras walks ``dir(layer)``, public names first, so
    a sublayer kept as ``_key_dense`` and shown as the property ``key_dense`` is saved as the
    latter."""
    public = name.lstrip("_")
    if public != name and public and getattr(type(layer), public, None) is not None and \
            getattr(layer, public, None) is child:
        return public
    return name


def _name_key(name: str) -> str:
    """Keras's order of attributes: private ones last."""
    return f"~{name}" if name.startswith("_") else name


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
            [(_public_name(layer, name, m), m) for name, m in layer._modules.items()
             if isinstance(m, Layer)]
        if _is_graph_model(layer) or hasattr(layer, "layers"):
            children.append(("layers", list(getattr(layer, "layers", []))))
        for name, child in sorted(children, key=lambda item: _name_key(item[0])):
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


#: at most this many objects (groups and datasets) are visited beyond the model's own groups
#: when looking for weights the model lacks: a file of millions of empty groups stops early.
MAX_EXTRA_OBJECTS = 10_000


def _dataset(h5py, stored, i, v, key, layer, path):
    """The HDF5 dataset of variable ``v``, its declared shape and dtype checked before any data
    is read: the reader allocates only the model's own variables."""
    link = stored.get(str(i), getlink=True)
    if link is None:
        raise ValueError(f"{path}: group {key!r} lacks variable {i} of layer '{layer.name}'")
    if not isinstance(link, h5py.HardLink):
        raise ValueError(f"{path}: {key}/{i} of layer '{layer.name}' is a {type(link).__name__} "
                         f"(links to other objects or files are not followed)")
    item = stored[str(i)]
    if not isinstance(item, h5py.Dataset):
        raise ValueError(f"{path}: {key}/{i} of layer '{layer.name}' is a {type(item).__name__}, "
                         f"expected a dataset")
    if tuple(item.shape or ()) != tuple(v.shape):
        raise ValueError(f"{path}: variable {v.path} has shape {tuple(item.shape or ())} in the "
                         f"file (group {key!r}) but {tuple(v.shape)} in the model")
    kind = item.dtype.kind
    if kind not in "iuf" or item.dtype.itemsize > 8:
        raise ValueError(f"{path}: variable {v.path} is stored as {item.dtype} (group {key!r}); "
                         f"expected a numeric dtype of at most 8 bytes")
    return item


def load(model, filepath, name=None) -> None:
    """Reads a Keras 3 ``.weights.h5`` file (a path, or an open binary file named ``name`` in
    messages) into ``model``; nothing is assigned unless every layer's group, variable count,
    shape and dtype match. Shapes and dtypes are checked before any data is read, and each
    dataset is read into an array of its variable's own shape and dtype, so a file declaring
    huge datasets allocates nothing beyond the model's size."""
    h5py = _h5py()
    source = filepath if hasattr(filepath, "read") else os.fspath(filepath)
    path = name or str(source)
    plan, expected = [], set()
    with h5py.File(source, "r") as f:
        for inner, layer in walk(model):
            own = _own_variables(layer)
            key = f"{inner}/vars" if inner else "vars"
            expected.add(key)
            stored = f.get(key)
            if stored is None:
                if not own:
                    continue
                raise ValueError(f"{path} has no group {key!r} for layer '{layer.name}' "
                                 f"({type(layer).__name__}); the file was written for another "
                                 f"architecture")
            if not isinstance(stored, h5py.Group):
                raise ValueError(f"{path}: {key!r} of layer '{layer.name}' is not a group")
            if len(stored) != len(own):
                raise ValueError(f"{path}: layer '{layer.name}' ({type(layer).__name__}, group "
                                 f"{key!r}) expects {len(own)} variables, the file holds "
                                 f"{len(stored)}")
            datasets = [_dataset(h5py, stored, i, v, key, layer, path) for i, v in enumerate(own)]
            plan.extend(zip(own, datasets))
        values = []
        for v, item in plan:
            value = np.empty(tuple(v.shape), dtype=np.asarray(v._data).dtype)
            if value.size:
                item.read_direct(value)
            values.append((v, value))
        extra, seen = [], [0]

        def visit(name):
            seen[0] += 1
            if seen[0] > len(expected) * 4 + MAX_EXTRA_OBJECTS:
                raise ValueError(f"{path} holds more than {seen[0] - 1} objects; a weights file "
                                 f"of model '{model.name}' has about {len(expected)} groups")
            if name.endswith("vars") and name not in expected and not name.startswith("optimizer"):
                group = f[name]
                if isinstance(group, h5py.Group) and len(group):
                    extra.append(name)
        f.visit(visit)
    if extra:
        raise ValueError(f"{path} holds weights for {sorted(extra)} that model '{model.name}' does "
                         f"not have; the file was written for another architecture")
    for v, value in values:
        np.copyto(v._data, value, casting="unsafe")
