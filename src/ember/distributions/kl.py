"""``kl_divergence(p, q)`` and the ``register_kl`` registry of closed forms.

``kl_divergence`` looks up the most specific registered ``(type_p, type_q)`` pair (ordered by
subclass, as torch's ``_dispatch_kl``: an ambiguous match warns and takes the left-most), and
raises ``NotImplementedError`` when no pair matches. The closed forms for the pairs ember
implements are registered here and in ``_kl_forms``.

Example::

    >>> from ember.distributions import Normal, kl_divergence
    >>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
    tensor(0.5000)
"""
from __future__ import annotations

import math
import warnings
from functools import total_ordering

import ember
import ember.nn.functional as F
from ember.distributions.bernoulli import Bernoulli
from ember.distributions.categorical import Categorical
from ember.distributions.distribution import Distribution
from ember.distributions.normal import Normal
from ember.distributions.uniform import Uniform

__all__ = ["register_kl", "kl_divergence"]

_KL_REGISTRY: dict = {}
_KL_MEMOIZE: dict = {}


def register_kl(type_p, type_q):
    """A decorator registering a pairwise KL function ``fun(p, q)``.

    Lookup returns the most specific ``(type, type)`` match ordered by subclass; an ambiguous
    match raises a ``RuntimeWarning`` (register the most specific pair to break the tie).

    Args:
        type_p: a subclass of :class:`Distribution`.
        type_q: a subclass of :class:`Distribution`.

    Example::

        >>> from ember.distributions import Normal, register_kl, kl_divergence
        >>> class Wide(Normal):
        ...     pass
        >>> @register_kl(Wide, Wide)
        ... def _kl_wide(p, q):
        ...     return ember.zeros(p.batch_shape)
        >>> kl_divergence(Wide(0.0, 1.0), Wide(3.0, 1.0))
        tensor(0.)
    """
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)):
        raise TypeError(f"Expected type_p to be a Distribution subclass but got {type_p}")
    if not (isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError(f"Expected type_q to be a Distribution subclass but got {type_q}")

    def decorator(fun):
        _KL_REGISTRY[type_p, type_q] = fun
        _KL_MEMOIZE.clear()  # the lookup order may have changed
        return fun

    return decorator


@total_ordering
class _Match:
    """A registered type pair, ordered lexicographically by specificity."""

    __slots__ = ["types"]

    def __init__(self, *types):
        self.types = types

    def __eq__(self, other):
        return self.types == other.types

    def __le__(self, other):
        for x, y in zip(self.types, other.types):
            if not issubclass(x, y):
                return False
            if x is not y:
                break
        return True


def _dispatch_kl(type_p, type_q):
    matches = [(sp, sq) for sp, sq in _KL_REGISTRY
               if issubclass(type_p, sp) and issubclass(type_q, sq)]
    if not matches:
        return NotImplemented
    left_p, left_q = min(_Match(*m) for m in matches).types
    right_q, right_p = min(_Match(*reversed(m)) for m in matches).types
    left_fun, right_fun = _KL_REGISTRY[left_p, left_q], _KL_REGISTRY[right_p, right_q]
    if left_fun is not right_fun:
        warnings.warn(f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
                      f"Please register_kl({left_p.__name__}, {right_q.__name__})",
                      RuntimeWarning, stacklevel=2)
    return left_fun


def kl_divergence(p, q):
    """``KL(p || q)``, batched over the distributions' ``batch_shape``.

    Raises:
        NotImplementedError: no closed form is registered for the pair of types.

    Example::

        >>> from ember.distributions import Categorical, kl_divergence
        >>> p = Categorical(probs=ember.tensor([0.5, 0.5]))
        >>> kl_divergence(p, Categorical(probs=ember.tensor([0.9, 0.1])))
        tensor(0.5108)
    """
    try:
        fun = _KL_MEMOIZE[type(p), type(q)]
    except KeyError:
        fun = _dispatch_kl(type(p), type(q))
        _KL_MEMOIZE[type(p), type(q)] = fun
    if fun is NotImplemented:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{p.__class__.__name__} and q type {q.__class__.__name__}")
    return fun(p, q)


def _infinite_like(tensor):
    return ember.full_like(tensor, math.inf)


def _set_where(mask, value, tensor):
    """``tensor`` with ``value`` where ``mask`` holds (torch's ``t[mask] = value``)."""
    return ember.where(mask, ember.full_like(tensor, value), tensor)


def _x_log_x(tensor):
    return ember.xlogy(tensor, tensor)


def _batch_trace_XXT(bmat):
    """The trace of ``X @ X.T`` for a batch of matrices."""
    n, m = bmat.size(-1), bmat.size(-2)
    return bmat.reshape(-1, m * n).pow(2).sum(-1).reshape(tuple(bmat.shape[:-2]))


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (F.softplus(-q.logits) - F.softplus(-p.logits))
    t1 = _set_where(p.probs == 0, 0.0, _set_where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (F.softplus(q.logits) - F.softplus(p.logits))
    t2 = _set_where(p.probs == 1, 0.0, _set_where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    t = _set_where((q.probs == 0).expand_as(t), math.inf, t)
    t = _set_where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _set_where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    common_term = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / common_term).log()
    t2 = common_term.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)


@register_kl(Normal, Uniform)
def _kl_normal_infinity(p, q):
    return _infinite_like(p.loc)

