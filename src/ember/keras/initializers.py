"""Weight initializers with Keras's names and formulas, drawing from ember's global generator.

An initializer is called with a shape and returns a float32 ember Tensor; pass ``seed`` for a
private, reproducible stream.

Example::

    >>> from ember.keras.initializers import GlorotUniform
    >>> GlorotUniform()((64, 32)).shape
    (64, 32)
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as _random
from .._tensor import Tensor
from ._utils import lookup, snake_case

_TRUNC_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[float, float]:
    """Keras's fans: (in, out) for a Dense kernel; receptive field × channels for conv kernels;
    or the products of the sizes on ``input_axes`` and ``output_axes`` when both are given."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (float(np.prod([shape[a] for a in input_axes])),
                float(np.prod([shape[a] for a in output_axes])))
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` returns a new Tensor."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise TypeError(f"seed must be an int or None, received: seed={seed!r}")
        self.seed = seed
        self._gen = None if seed is None else _random.Generator().manual_seed(seed)

    def _rng(self) -> np.random.Generator:
        return _random._gen(self._gen)

    def __call__(self, shape, dtype=None) -> Tensor:
        shape = tuple(int(s) for s in shape)
        arr = np.asarray(self.generate(shape), dtype=np.float32 if dtype is None else dtype)
        return Tensor._make(arr)

    def generate(self, shape):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def get_config(self) -> dict:
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    def __init__(self):
        super().__init__()

    def generate(self, shape):
        return np.zeros(shape)

    def get_config(self):
        return {}


class Ones(Zeros):
    def generate(self, shape):
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value=0.0):
        super().__init__()
        self.value = float(value)

    def generate(self, shape):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def generate(self, shape):
        return self._rng().normal(self.mean, self.stddev, shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal values re-drawn until they lie within two standard deviations of the mean."""

    def generate(self, shape):
        return self.mean + self.stddev * _truncated_unit(self._rng(), shape)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def generate(self, shape):
        return self._rng().uniform(self.minval, self.maxval, shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_unit(rng: np.random.Generator, shape) -> np.ndarray:
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out


class VarianceScaling(Initializer):
    """``scale / n`` variance, n = fan_in, fan_out or their mean; normal (truncated) or uniform."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}; expected one of {self._MODES}")
        distribution = str(distribution).lower()
        # Keras 3 reads "normal" as the truncated normal
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in self._DISTS:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}; expected one of "
                             f"{self._DISTS}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def generate(self, shape):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        var = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            return _truncated_unit(rng, shape) * (math.sqrt(var) / _TRUNC_STD)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(var), shape)
        limit = math.sqrt(3.0 * var)
        return rng.uniform(-limit, limit, shape)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                            "__doc__": doc})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in ±sqrt(6 / (fan_in + fan_out)) (Xavier/Glorot).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal with std sqrt(2 / (fan_in + fan_out)).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal with std sqrt(2 / fan_in) (He/Kaiming, for ReLU).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "Uniform in ±sqrt(6 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal with std sqrt(1 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in ±sqrt(3 / fan_in).")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal draw, times ``gain``."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def generate(self, shape):
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        super().__init__()
        self.gain = float(gain)

    def generate(self, shape):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, received: shape={shape}")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


_CLASSES = [Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
            Identity]
ALL = {snake_case(c.__name__): c for c in _CLASSES}
ALL.update({c.__name__: c for c in _CLASSES})
ALL.update({"zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal})

# Keras's function-style aliases: ``keras.initializers.glorot_uniform()``
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal, he_normal, he_uniform = GlorotUniform, GlorotNormal, HeNormal, HeUniform
lecun_normal, lecun_uniform, orthogonal, identity = LecunNormal, LecunUniform, Orthogonal, Identity
variance_scaling = VarianceScaling
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal


def get(identifier):
    """A name (``'he_normal'``), a config dict, an Initializer or a callable → an initializer."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return lookup("initializer", identifier, ALL)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret initializer identifier: {identifier!r}")


def deserialize(config, custom_objects=None):
    """A config from :func:`serialize` back to an initializer."""
    cls = lookup("initializer", config["class_name"], {**ALL, **(custom_objects or {})})
    return cls.from_config(config.get("config", {}))


def serialize(initializer) -> dict:
    if not isinstance(initializer, Initializer):
        raise ValueError(f"Cannot save the custom initializer {initializer!r}; use a keras "
                         f"initializer")
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
