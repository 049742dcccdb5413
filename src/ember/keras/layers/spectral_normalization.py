"""``SpectralNormalization``: Keras's wrapper that divides a layer's kernel by its largest singular
value, estimated by power iteration (Miyato et al., 2018), to bound the layer's Lipschitz
constant (GAN discriminators).

As in Keras 3, each call with ``training=True`` runs ``power_iterations`` steps from the stored
vector ``u`` (a non-trainable weight, shape ``(1, kernel.shape[-1])``) and writes the normalised
kernel back into the wrapped layer's kernel; the gradient then reaches the kernel directly, not
through the estimate of sigma. At inference the kernel is used as it is.

Example::

    >>> import numpy as np
    >>> from ember.keras import layers
    >>> sn = layers.SpectralNormalization(layers.Dense(4))
    >>> sn(np.ones((2, 3), np.float32), training=True).shape
    ember.Size([2, 4])
    >>> [w.name for w in sn.weights]
    ['kernel', 'vector_u', 'bias']
"""
from __future__ import annotations

from ... import autograd
from .. import initializers, ops
from .base import InputSpec
from .wrappers import Wrapper

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Spectral normalisation of ``layer``'s ``kernel`` (or an Embedding's ``embeddings``).

    Args:
        layer: a built-in or custom layer with a ``kernel`` or ``embeddings`` weight.
        power_iterations: power-iteration steps per training call (at least 1).
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(f"`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             f"nor 'embeddings'")
        self.kernel = kernel  # tracked as the wrapper's own weight too, first (Keras's order)
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=kernel.dtype)

    def call(self, inputs, training=False):
        if training:
            with autograd.no_grad():
                if bool(ops.any(ops.not_equal(self.kernel, 0))):
                    vector_u, kernel = self.normalized_weights()
                    self.vector_u.assign(vector_u)
                    self.kernel.assign(kernel)
        output = self.layer(inputs)
        return ops.cast(output, inputs.dtype)

    def normalized_weights(self):
        """The new ``u`` and the kernel divided by its estimated spectral norm ``sigma``."""
        weights = ops.reshape(self.kernel, (-1, self.kernel_shape[-1]))
        vector_u = self.vector_u
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(ops.matmul(vector_u, ops.transpose(weights)), axis=None)
            vector_u = ops.normalize(ops.matmul(vector_v, weights), axis=None)
        sigma = ops.matmul(ops.matmul(vector_v, weights), ops.transpose(vector_u))
        return vector_u, ops.reshape(ops.divide(self.kernel, sigma), self.kernel_shape)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
