"""Keras's layer wrappers: the ``Wrapper`` base (a layer around another), ``Bidirectional`` (a
forward and a backward copy of a recurrent layer, merged) and ``TimeDistributed`` (one layer
applied to every time step)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops.shape import cat, flip, stack
from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from .base import Layer, _call_spec
from .masking import _mask_args

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class _Nested(Layer):
    """A layer around another: its config nests the wrapped layer's."""

    def _inner(self):
        return self.layer

    def get_config(self):
        return {**super().get_config(), "layer": serialize_keras_object(self._inner())}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize_keras_object(config.pop("layer")), **config)


class Wrapper(_Nested):
    """Keras's abstract base of the layers that wrap another (``TimeDistributed``,
    ``SpectralNormalization``): it keeps ``layer``, builds it with the wrapper's input shape, and
    nests its config under ``"layer"``. Subclasses write ``call``.

    Example::

        >>> class Twice(layers.Wrapper):
        ...     def call(self, x):
        ...         return 2 * self.layer(x)
        >>> Twice(layers.Dense(3))(np.ones((2, 4), np.float32)).shape
        ember.Size([2, 3])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             f"Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        self.layer._build_once(input_shape)


class Bidirectional(_Nested):
    """Runs a copy of ``layer`` forwards and another backwards over the sequence, and merges
    their outputs (``merge_mode``: ``concat`` (default), ``sum``, ``ave``, ``mul`` or None for
    both). The copies are made from ``layer``'s config (fresh weights), named ``forward_…`` and
    ``backward_…``; with ``return_state`` the forward states come before the backward ones.

    Example::

        >>> bi = layers.Bidirectional(layers.LSTM(4, return_sequences=True))
        >>> bi(np.zeros((2, 5, 3), np.float32)).shape
        ember.Size([2, 5, 8])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             f"one of {{\"sum\", \"mul\", \"ave\", \"concat\", None}}")
        super().__init__(**kwargs)
        config = layer.get_config()
        config["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = type(layer).from_config(config)
        if backward_layer is None:
            config = layer.get_config()
            config["go_backwards"] = not config.get("go_backwards", False)
            config["name"] = "backward_" + _strip(layer.name, "backward_")
            backward_layer = type(layer).from_config(config)
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(f"Forward layer and backward layer should have different "
                             f"`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{self.forward_layer.go_backwards}, backward_layer.go_backwards="
                             f"{self.backward_layer.go_backwards}")
        for attr in ("return_sequences", "return_state"):
            fv, bv = getattr(self.forward_layer, attr), getattr(self.backward_layer, attr)
            if fv != bv:
                raise ValueError(f"Forward layer and backward layer are expected to have the same "
                                 f"value for attribute \"{attr}\", got \"{fv}\" for forward layer "
                                 f"and \"{bv}\" for backward layer")
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = False
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._build_once(sequences_shape)
        self.backward_layer._build_once(sequences_shape)
        if self._initial_weights is not None:
            n = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:n])
            self.backward_layer.set_weights(self._initial_weights[n:])
            self._initial_weights = None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        out = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            out, states = out[0], tuple(out[1:])
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (out[-1] * 2,)
        elif self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            return (tuple(out) if self.merge_mode is None else (out,)) + states + states
        return out

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"mask": mask}
        if _call_spec(type(self.forward_layer))[0]:
            kwargs["training"] = training
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = flip(y_rev, (1,))
        if self.merge_mode == "concat":
            output = cat([y, y_rev], -1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output + states) if self.merge_mode is None else (output,) + states
        return output

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        out = [out, out] if self.merge_mode is None else out
        if self.return_state:
            states = [None] * (2 * len(self.forward_layer.state_size))
            return (out if isinstance(out, list) else [out]) + states
        return out

    def _inner(self):
        return self.forward_layer

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode}


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time step of ``(batch, time, ...)`` input (the same weights
    at each step), step by step as Keras does; a ``mask`` is passed on per step when the
    layer takes one.

    Example::

        >>> td = layers.TimeDistributed(layers.Dense(3))
        >>> td(np.zeros((2, 5, 4), np.float32)).shape
        ember.Size([2, 5, 3])
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    @staticmethod
    def _child_shape(input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape}")
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        self.layer._build_once(self._child_shape(input_shape))

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1], *child[1:])

    def call(self, inputs, training=None, mask=None):
        if mask is not None:
            mshape, ishape = tuple(mask.shape), tuple(inputs.shape)
            if len(mshape) < 2:
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer must be at "
                                 f"least 2D (e.g., `(batch_size, timesteps)`), but it has "
                                 f"{len(mshape)} dimension(s) with shape {mshape}.")
            if mshape[:2] != ishape[:2]:
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape "
                                 f"{mshape} that is incompatible with the input shape {ishape}. "
                                 f"The first two dimensions of the mask (batch size and "
                                 f"timesteps) must match the input's first two dimensions. "
                                 f"Expected mask shape prefix: ({ishape[0]}, {ishape[1]}).")
        kwargs = {}
        if _call_spec(type(self.layer))[0]:
            kwargs["training"] = training
        takes_mask = "mask" in _mask_args(type(self.layer))
        steps = []
        for t in range(inputs.shape[1]):
            if takes_mask and mask is not None:
                kwargs["mask"] = Tensor._make(np.asarray(mask._data[:, t]))
            steps.append(self.layer.call(inputs[:, t], **kwargs))
        return stack(steps, 1)
