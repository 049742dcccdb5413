"""``keras.ops`` functions and Python operators on ``KerasTensor``\\ s: nodes of a functional model.

In Keras 3 every op is an ``Operation``: called on symbolic tensors (``keras.Input`` and what
layers make of it) it records a node instead of computing, so a functional model may mix layers
with ``keras.ops.relu(x)``, ``x + residual``, ``x[:, -1]`` or ``ops.concatenate([a, b])``.
ember does the same with one layer class per op (named as Keras names its operation class:
``relu`` -> ``Relu``): the op's function and its non-tensor arguments are kept, the tensors
are filled in when the model runs, and the output shape is found by running the function on
zeros (``_symbolic.infer_output_spec``).

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> x = keras.Input((4,))
    >>> h = keras.layers.Dense(4)(x)
    >>> y = keras.ops.relu(h + x)[:, :2] * 2.0
    >>> y.shape
    (None, 2)
    >>> keras.Model(x, y)(np.ones((3, 4), np.float32)).shape
    ember.Size([3, 2])
"""
from __future__ import annotations

import functools

from ..saving.object_registration import register_keras_serializable
from .base import Layer
from .keras_tensor import KerasTensor

__all__ = ["SymbolicOp", "symbolic_op", "dispatching", "get_item"]

_CLASSES: dict = {}


@register_keras_serializable(package="ember", name="SymbolicOp")
class SymbolicOp(Layer):
    """One call of a ``keras.ops`` function in a functional model: ``call`` applies it to the
    tensors that arrive in place of the KerasTensors it was called on."""

    def __init__(self, fn, op_name=None, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn
        self.op_name = op_name or fn.__name__
        self.built = True  # no weights; the output shape comes from running fn on zeros

    def call(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "op": self.op_name}

    @classmethod
    def from_config(cls, config):
        from .. import ops
        config = dict(config)
        name = config.pop("op")
        fn = get_item if name == "get_item" else getattr(ops, name, None)
        if not callable(fn):
            raise ValueError(f"A saved functional model calls keras.ops.{name}, which "
                             f"ember.keras.ops does not have")
        return _class_for(name)(getattr(fn, "__wrapped__", fn), op_name=name, **config)


def get_item(x, key):
    """``x[key]`` (Keras's ``GetItem`` operation); a key read back from a saved config as a
    list of slices/ints/None/Ellipsis is the tuple it was."""
    if isinstance(key, list) and any(k is None or k is Ellipsis or isinstance(k, slice)
                                     for k in key):
        key = tuple(key)
    return x[key]


#: Keras's operation class for the ops whose class is not their name in CamelCase
_KERAS_CLASS = {"abs": "Absolute", "allclose": "AllClose", "cdist": "CDist",
                "conj": "Conjugate", "ctc_decode": "CTCDecode", "ctc_loss": "CTCLoss",
                "fft": "FFT", "fft2": "FFT2", "ifft2": "IFFT2", "rfft": "RFFT", "irfft": "IRFFT",
                "stft": "STFT", "istft": "ISTFT", "hard_swish": "HardSilu", "swish": "Silu",
                "isin": "IsIn", "layer_normalization": "LayerNorm", "psnr": "PSNR",
                "rms_normalization": "RMSNorm", "svd": "SVD", "ssim": "SSIM",
                "rgb_to_grayscale": "RGBToGrayscale", "rgb_to_hsv": "RGBToHSV",
                "hsv_to_rgb": "HSVToRGB"}


def _class_for(name: str) -> type:
    """The node class of ``keras.ops.<name>``, named as Keras names its operation class."""
    cls = _CLASSES.get(name)
    if cls is None:
        title = _KERAS_CLASS.get(name) or \
            "".join(part[:1].upper() + part[1:] for part in name.split("_"))
        cls = _CLASSES[name] = type(title, (SymbolicOp,), {"__module__": __name__,
                                                           "_functional_of": SymbolicOp})
    return cls


def symbolic_op(fn, args, kwargs, name=None):
    """``fn(*args, **kwargs)`` recorded as a node: the output KerasTensor(s). ``name`` is the
    op's public name when it differs from ``fn.__name__`` (``true_divide`` is ``divide``)."""
    return _class_for(name or fn.__name__)(fn, op_name=name)(*args, **kwargs)


_CONTAINERS = (KerasTensor, list, tuple, dict)


def _symbolic_in(value) -> bool:
    """True when ``value`` is, or a list/tuple/dict in it holds, a KerasTensor (a plain walk:
    this runs on every eager op call, where ``_tree.flatten`` costs several times the op)."""
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_symbolic_in(v) for v in value)
    if isinstance(value, dict):
        return any(_symbolic_in(v) for v in value.values())
    return False


def dispatching(fn, name=None):
    """``fn`` that records a node when any argument is a KerasTensor and computes otherwise;
    ``name``: the op's public name when it is an alias (``true_divide = divide``)."""
    name = None if name == fn.__name__ else name

    @functools.wraps(fn)
    def op(*args, **kwargs):
        for a in args:
            if isinstance(a, _CONTAINERS) and _symbolic_in(a):
                return symbolic_op(fn, args, kwargs, name)
        if kwargs and _symbolic_in(kwargs):
            return symbolic_op(fn, args, kwargs, name)
        return fn(*args, **kwargs)

    return op
