"""``keras.random``: seeded random tensors with Keras 3's seeding rules.

* ``seed=None`` draws from a global :class:`SeedGenerator` (reproducible after
  ``keras.utils.set_random_seed``);
* an integer ``seed`` is stateless: the same seed gives the same numbers on every call;
* a :class:`SeedGenerator` is stateful: each call advances it, so successive calls differ.

As on Keras's torch backend, each call seeds a fresh generator from ``seed + counter``; the
numbers come from NumPy's PCG64, so they are not torch's numbers, but the same program run twice
gives the same ones.

Example::

    >>> from ember.keras import random
    >>> gen = random.SeedGenerator(1337)
    >>> a = random.normal((2, 3), seed=gen)       # differs from the next draw
    >>> b = random.uniform((2,), seed=42)         # equal to any other draw with seed=42
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

from .._tensor import Tensor
from ..nn import functional as F
from ._utils import unique_name
from .ops._base import standardize_dtype, t

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]


class SeedGenerator:
    """A stateful seed: ``next()`` returns the current ``(seed, counter)`` and advances it.

    Args:
        seed: an int; None draws one from Python's ``random`` (seeded by ``set_random_seed``).
        name: the generator's name.

    Example::

        >>> gen = SeedGenerator(seed=7)
        >>> keras.random.normal((2,), seed=gen)   # a new draw on each call
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = _pyrandom.randint(1, int(1e9))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        from .variables import Variable
        as_int32 = (int(seed) & 0xFFFFFFFF ^ 0x80000000) - 0x80000000  # Keras's uint32 bit-cast
        self.state = Variable(np.array([as_int32, 0], np.int32), dtype="int32", trainable=False,
                              name="seed_generator_state")

    def next(self, ordered=True):
        """The current state (a copy); the state then advances by one."""
        current = self.state._data.copy()
        if ordered:
            self.state._data[1] += 1
        else:
            self.state._data[...] = (self.state._data + 1) * 5387 % 933199
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}, seed={self._initial_seed}>"


_GLOBAL = [None]


def global_seed_generator() -> SeedGenerator:
    """The generator unseeded calls use (re-created by ``keras.utils.set_random_seed``)."""
    if _GLOBAL[0] is None:
        _GLOBAL[0] = SeedGenerator()
    return _GLOBAL[0]


def reset_global_seed_generator() -> None:
    _GLOBAL[0] = None


def _rng(seed) -> np.random.Generator:
    """A NumPy generator seeded as Keras's torch backend seeds its generator for ``seed``."""
    if seed is None:
        first, second = global_seed_generator().next()
    elif isinstance(seed, SeedGenerator):
        first, second = seed.next()
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        first, second = int(seed), 0
    else:
        raise ValueError(f"Argument `seed` must be either an integer or an instance of "
                         f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")
    return np.random.Generator(np.random.PCG64((int(first) + int(second)) & 0xFFFFFFFF))


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)


def _out(values, dtype) -> Tensor:
    return Tensor._make(np.asarray(values).astype(standardize_dtype(dtype)))


def _float_dtype(dtype, what: str) -> str:
    name = standardize_dtype(dtype)
    if np.dtype(name).kind != "f":
        raise ValueError(f"`keras.random.{what}` requires a floating point `dtype`. Received: "
                         f"dtype={dtype} ")
    return name


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(``mean``, ``stddev``²)."""
    name = standardize_dtype(dtype)
    return _out(_rng(seed).standard_normal(_shape(shape)) * stddev + mean, name)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[``minval``, ``maxval``)."""
    name = _float_dtype(dtype, "uniform")
    return _out((maxval - minval) * _rng(seed).random(_shape(shape)) + minval, name)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers in [``minval``, ``maxval``)."""
    name = standardize_dtype(dtype)
    if np.dtype(name).kind not in "iu":
        raise ValueError(f"`keras.random.randint` requires an integer `dtype`. Received: "
                         f"dtype={dtype} ")
    return _out(_rng(seed).integers(minval, maxval, _shape(shape)), name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(``mean``, ``stddev``²) limited to two standard deviations: of four draws per value,
    the first inside (-2, 2) is kept (Keras's torch backend's method)."""
    name = standardize_dtype(dtype)
    x = _rng(seed).standard_normal(_shape(shape) + (4,))
    valid = (x > -2) & (x < 2)
    first = np.argmax(valid, axis=-1)[..., None]
    return _out(np.take_along_axis(x, first, -1)[..., 0] * stddev + mean, name)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row, drawn from ``softmax(logits)``."""
    logits = t(logits)
    if logits.ndim != 2:
        raise ValueError(f"`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits={logits}")
    z = logits._data.astype(np.float64)
    probs = np.exp(z - z.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    rng = _rng(seed)
    draws = np.stack([rng.choice(len(p), size=num_samples, p=p) for p in probs])
    return _out(draws, dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes a fraction ``rate`` of ``inputs`` and scales the rest by ``1 / (1 - rate)``;
    ``noise_shape`` (None entries follow the input) shares one mask along broadcast axes."""
    x = t(inputs)
    if rate == 1.0:
        return x * 0.0
    if rate == 0.0:
        return x
    seeded = seed is not None and not (isinstance(seed, SeedGenerator) and
                                       seed._initial_seed is None)
    if not seeded and noise_shape is None:
        return F.dropout(x, p=rate, training=True)
    keep = 1.0 - rate
    shape = tuple(x.shape) if noise_shape is None else tuple(
        s if n is None else int(n) for s, n in zip(x.shape, noise_shape))
    mask = np.broadcast_to(_rng(seed).random(shape) < keep, x.shape)
    scale = Tensor._make(np.where(mask, 1.0 / keep, 0.0).astype(x._data.dtype))
    return x * scale


def shuffle(x, axis=0, seed=None):
    """``x`` with its entries permuted along ``axis`` (independently for each index of the
    axes before it, as Keras's torch backend does)."""
    x = t(x)
    order = np.argsort(_rng(seed).random(x.shape[:axis + 1]), axis=axis)
    order = order.reshape(order.shape + (1,) * (x.ndim - axis - 1))
    from .. import gather
    index = np.broadcast_to(order, x.shape).copy()
    return gather(x, axis, Tensor._make(index))


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from Gamma(``alpha``, 1)."""
    return _out(_rng(seed).gamma(alpha, size=_shape(shape)), standardize_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from Binomial(``counts``, ``probabilities``)."""
    counts = np.asarray(t(counts)._data if isinstance(counts, Tensor) else counts)
    probs = np.asarray(t(probabilities)._data if isinstance(probabilities, Tensor) else probabilities)
    return _out(_rng(seed).binomial(counts, probs, size=_shape(shape)), standardize_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):  # noqa: A002 - Keras's names
    """Samples from Beta(``alpha``, ``beta``)."""
    a = np.asarray(t(alpha)._data if isinstance(alpha, Tensor) else alpha)
    b = np.asarray(t(beta)._data if isinstance(beta, Tensor) else beta)
    return _out(_rng(seed).beta(a, b, size=_shape(shape)), standardize_dtype(dtype))
