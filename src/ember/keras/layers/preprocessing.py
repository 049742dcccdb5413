"""Numeric preprocessing layers: Discretization (values to bucket indices, with ``adapt`` to
quantile boundaries) and CategoryEncoding (integer ids to one-hot, multi-hot or count vectors).
Their outputs carry no gradient.

Example::

    >>> keras.layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))
    tensor([0, 1, 2], dtype=ember.int32)
    >>> keras.layers.CategoryEncoding(4, output_mode="one_hot")(np.array([0, 3]))
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .base import Layer

_MODES = ("int", "one_hot", "multi_hot", "count")


def encode_categorical(inputs, output_mode, depth, dtype, count_weights=None):
    """Integer ids as Keras's preprocessing layers encode them (``int``, ``one_hot``,
    ``multi_hot`` or ``count`` vectors of length ``depth``)."""
    if output_mode == "int":
        return ops.cast(inputs, dtype)
    inputs = ops.convert_to_tensor(inputs)
    if inputs.ndim == 0:
        inputs = ops.expand_dims(inputs, -1)
    if output_mode == "multi_hot":
        return ops.multi_hot(inputs, depth, dtype=dtype)
    if output_mode == "one_hot":
        if inputs.ndim > 1 and inputs.shape[-1] == 1:
            inputs = ops.reshape(inputs, tuple(inputs.shape[:-1]))
        return ops.one_hot(inputs, depth, dtype=dtype)
    axis = 1 if inputs.ndim > 1 else 0
    hot = ops.one_hot(inputs, depth, dtype=dtype if count_weights is None else
                      count_weights.dtype.name)
    if count_weights is not None:
        hot = hot * ops.expand_dims(count_weights, -1)
    return ops.sum(hot, axis=axis)


def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    share = cum / cum[-1]
    bins = np.interp(percents, share, summary[0])
    cum = np.interp(percents, share, cum)
    return np.stack((bins, cum - np.concatenate(([0], cum[:-1])))).astype("float32")


class Discretization(Layer):
    """Replaces each value by the index of its bucket among ``bin_boundaries`` (or, with
    ``num_bins``, among approximate quantiles learned by ``adapt(data)``).

    Args:
        bin_boundaries: sorted edges; bucket i holds ``edges[i-1] <= x < edges[i]``.
        num_bins: instead of edges, how many buckets ``adapt`` finds.
        epsilon: the quantile approximation's error.
        output_mode: ``'int'`` (indices), ``'one_hot'``, ``'multi_hot'`` or ``'count'``.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` cannot be used with backend torch")
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{list(_MODES)}. Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries, self.num_bins = bin_boundaries, num_bins
        self.epsilon, self.output_mode, self.sparse = epsilon, output_mode, sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    def adapt(self, data, steps=None):
        """Learns ``num_bins`` boundaries at the data's approximate quantiles."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead.")
        self.summary = np.array([[], []], dtype="float32")
        batches = [data] if isinstance(data, np.ndarray) or hasattr(data, "_data") or \
            not hasattr(data, "__iter__") else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        values = np.asarray(ops.convert_to_numpy(data), dtype="float32")
        merged = np.concatenate((_summarize(values, self.epsilon), self.summary), axis=1)
        merged = np.take(merged, np.argsort(merged[0]), axis=1)
        self.summary = _compress(merged, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        indices = ops.digitize(inputs, self.bin_boundaries)
        dtype = "int32" if self.output_mode == "int" else "float32"
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1, dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": "float32"}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


class CategoryEncoding(Layer):
    """Integer ids (below ``num_tokens``) as one-hot rows, one multi-hot vector per sample or
    per-sample counts (optionally weighted by ``count_weights``)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is "
                             "not known beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` cannot be used with backend torch")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def compute_output_shape(self, input_shape):
        if input_shape is not None and len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return tuple(input_shape) + (self.num_tokens,)
        return tuple(input_shape[:-1]) + (self.num_tokens,)

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"`count_weights` is not used when `output_mode` is not "
                                 f"`'count'`. Received `count_weights={count_weights}`.")
            count_weights = ops.convert_to_tensor(count_weights, dtype="float32")
        return encode_categorical(inputs, self.output_mode, self.num_tokens, "float32",
                                  count_weights)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
