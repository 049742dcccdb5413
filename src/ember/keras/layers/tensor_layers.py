"""Layers that pass, mask, repeat or reorder their input: Identity, Masking, RepeatVector and
Permute.

Example::

    >>> tuple(keras.layers.RepeatVector(3)(np.ones((2, 4), np.float32)).shape)
    (2, 3, 4)
    >>> tuple(keras.layers.Permute((2, 1))(np.ones((2, 5, 3), np.float32)).shape)
    (2, 3, 5)
"""
from __future__ import annotations

from .. import ops
from .base import InputSpec, Layer
from .masking import set_keras_mask


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs


class Masking(Layer):
    """Marks the timesteps whose features all equal ``mask_value`` as masked: they become 0 and
    the mask (``(batch, time)`` booleans) travels with the output to mask-aware layers."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        outputs = ops.where(keep, inputs, ops.cast(0, inputs.dtype.name))
        set_keras_mask(outputs, ops.squeeze(keep, axis=-1))
        return outputs

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorders the non-batch axes: ``dims`` is a permutation of ``1 .. rank - 1``
    (``Permute((2, 1))`` swaps the two axes of a sequence)."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of "
                             f"indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, inputs):
        return ops.transpose(inputs, axes=(0,) + self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
