"""Keras masks: a boolean ``(batch, time)`` tensor that travels with a layer's output.

As in Keras 3, a layer that makes a mask (``Embedding(mask_zero=True)``, ``Masking``) attaches
it to its output; the next layer's ``call`` receives it as ``mask=`` (or ``<arg>_mask=`` for
layers with several tensor arguments) and its ``compute_mask`` decides what its own output
carries. Layers whose ``supports_masking`` is True pass masks on; others drop them with
Keras's warning.

Example::

    >>> from ember.keras import layers
    >>> x = layers.Embedding(10, 4, mask_zero=True)(np.array([[3, 1, 0, 0]]))
    >>> get_keras_mask(x)
    tensor([[ True,  True, False, False]])
"""
from __future__ import annotations

import inspect
import warnings
import weakref

from ..._tensor import Tensor

__all__ = ["get_keras_mask", "set_keras_mask"]

_MASKS: dict = {}       # id(tensor) -> mask; an entry goes when its tensor is collected
_MASK_ARGS: dict = {}   # layer class -> names of its call() arguments that end in "mask"


def get_keras_mask(x):
    """The mask attached to ``x`` (None if none)."""
    return _MASKS.get(id(x)) if isinstance(x, Tensor) else None


def set_keras_mask(x, mask) -> None:
    """Attaches ``mask`` to the tensor ``x`` (None removes it)."""
    if not isinstance(x, Tensor):
        return
    key = id(x)
    if mask is None:
        _MASKS.pop(key, None)
        return
    if key not in _MASKS:
        weakref.finalize(x, _MASKS.pop, key, None)
    _MASKS[key] = mask


def _mask_args(cls) -> tuple:
    names = _MASK_ARGS.get(cls)
    if names is None:
        params = inspect.signature(cls.call).parameters
        names = _MASK_ARGS[cls] = tuple(p for p in params if p.endswith("mask"))
    return names


def fill_mask_arguments(layer, args: tuple, kwargs: dict):
    """Keras's rule: ``mask=`` gets the first input's mask; with several tensor arguments,
    ``<name>_mask=`` gets argument ``<name>``'s. Returns the mask seen by the layer."""
    names = _mask_args(type(layer))
    if not names or not args:
        return get_keras_mask(args[0]) if args else None
    if "mask" in names:
        if kwargs.get("mask") is None:
            if isinstance(args[0], (list, tuple)):  # a list of inputs: the list of their masks
                found = [get_keras_mask(x) for x in args[0]]
                found = found if any(m is not None for m in found) else None
            else:
                found = get_keras_mask(args[0])
            if found is not None:
                kwargs["mask"] = found
    else:
        params = list(inspect.signature(type(layer).call).parameters)[1:]
        given = dict(zip(params, args))
        given.update({k: v for k, v in kwargs.items() if isinstance(v, Tensor)})
        for name, value in given.items():
            slot = f"{name}_mask"
            if slot in names and kwargs.get(slot) is None:
                found = get_keras_mask(value)
                if found is not None:
                    kwargs[slot] = found
    if kwargs.get("mask") is not None:
        return kwargs["mask"]
    return get_keras_mask(args[0])


def attach_output_masks(layer, inputs, outputs, previous_mask) -> None:
    """Sets ``layer.compute_mask(inputs, previous_mask)`` on the outputs that carry none yet;
    warns (as Keras does) when a layer without masking support drops a mask."""
    if not layer.supports_masking:
        if previous_mask is not None:
            warnings.warn(f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an "
                          f"input with a mask attached to it. However, this layer does not "
                          f"support masking and will therefore destroy the mask information. "
                          f"Downstream layers will not see the mask.", stacklevel=3)
        return
    flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if all(get_keras_mask(o) is not None for o in flat):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    for out, mask in zip(flat, masks):
        if mask is not None and get_keras_mask(out) is None:
            set_keras_mask(out, mask)
