"""Helpers shared by the distributions: broadcasting parameters, probs/logits conversions,
lazily computed parameters, and the standard samples every reparameterised draw starts from.

Example::

    >>> from ember.distributions.utils import broadcast_all, probs_to_logits
    >>> loc, scale = broadcast_all(ember.zeros(3), 2.0)
    >>> scale
    tensor([2., 2., 2.])
    >>> probs_to_logits(ember.tensor([0.5]), is_binary=True)
    tensor([0.])
"""
from __future__ import annotations

import numbers
from functools import update_wrapper

import numpy as np

import ember
import ember.nn.functional as F

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def broadcast_all(*values):
    """Broadcasts tensors and numbers together; numbers take the first tensor's dtype (the
    default dtype when all are numbers).

    Raises:
        ValueError: a value is neither a number nor a tensor (torch's message).
    """
    if not all(isinstance(v, (ember.Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, ember.Tensor)),
                 ember.get_default_dtype())
    tensors = [v if isinstance(v, ember.Tensor) else ember.tensor(v, dtype=dtype) for v in values]
    return ember.broadcast_tensors(*tensors)


def _standard_normal(shape, dtype):
    """Standard normal draws from ember's global generator."""
    return ember.randn(tuple(shape), dtype=dtype)


def _uniform(shape, dtype, low=0.0):
    """Uniform draws in ``[low, 1)`` from ember's global generator (``low=tiny`` keeps logs finite)."""
    u = ember.rand(tuple(shape), dtype=dtype)
    return u.clamp(min=low) if low else u


def _numpy_rng():
    """The NumPy generator behind ``ember.manual_seed`` (for draws with no differentiable form)."""
    return ember.random.default_generator.np


def _sample_array(draw, shape, dtype):
    """A non-differentiable sample as a tensor of ``dtype``: ``draw(rng, shape)`` gives the array."""
    out = np.asarray(draw(_numpy_rng(), tuple(shape)))
    return ember.as_tensor(out).to(dtype)


def _sum_rightmost(value, dim: int):
    """Sums the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary: bool = False):
    """Probabilities from logits: the sigmoid (binary) or a softmax over the last dimension."""
    if is_binary:
        return ember.sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamps probabilities into ``[eps, 1 - eps]`` with ``eps`` the dtype's machine epsilon."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary: bool = False):
    """Logits from probabilities: log-odds (binary) or log-probabilities over the last dimension."""
    clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(clamped) - ember.log1p(-clamped)
    return ember.log(clamped)


class lazy_property:
    """A decorator computing an attribute on first access, then storing it on the instance
    (so ``probs`` is derived from ``logits`` only when asked for)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a ``lazy_property`` reads as on the class: also a ``property`` for documentation."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag: int = 0):
    """The lower triangle (from diagonal ``diag``) of the last two dimensions, row by row."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = np.tril_indices(n, k=diag)
    return mat[..., ember.tensor(rows), ember.tensor(cols)]


def vec_to_tril_matrix(vec, diag: int = 0):
    """The inverse of :func:`tril_matrix_to_vec`: a lower-triangular matrix from its entries."""
    length = vec.shape[-1]
    n = int(round((-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * length
                                       + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2))
    eps = ember.finfo(vec.dtype).eps
    if not ember.is_grad_enabled() and abs(n * (n + 1) / 2 + n * diag - length) > eps:
        raise ValueError(f"The size of last dimension is {length} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    rows, cols = np.tril_indices(n, k=diag)
    flat = ember.zeros(tuple(vec.shape[:-1]) + (n * n,), dtype=vec.dtype)
    return flat.index_copy(-1, ember.tensor(rows * n + cols), vec).reshape(
        tuple(vec.shape[:-1]) + (n, n))


class _BinaryParams:
    """``probs``/``logits`` of a binary-outcome distribution, each derived lazily from the one
    given (sigmoid / log-odds), and ``param_shape``: shared by Bernoulli, Binomial, Geometric,
    NegativeBinomial and LogitRelaxedBernoulli."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()


class _CategoricalParams:
    """``probs``/``logits``/``param_shape`` read from a wrapped ``self._categorical``: shared by
    OneHotCategorical, ExpRelaxedCategorical and Multinomial."""

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape


class _RelaxedParams:
    """``temperature``/``logits``/``probs`` read from ``self.base_dist``: shared by the relaxed
    (transformed) distributions."""

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
