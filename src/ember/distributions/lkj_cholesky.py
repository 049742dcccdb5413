"""``LKJCholesky``: the LKJ prior over Cholesky factors of correlation matrices, sampled by
the onion method (beta-distributed radii, uniform directions), as torch's.

Example::

    >>> from ember.distributions import LKJCholesky
    >>> L = LKJCholesky(3, 0.5).sample()
    >>> ember.allclose((L @ L.mT).diagonal(), ember.ones(3))
    True
"""
from __future__ import annotations

import math

import ember
from ember.distributions import constraints
from ember.distributions.beta import Beta
from ember.distributions.distribution import Distribution
from ember.distributions.utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """The LKJ distribution over lower Cholesky factors of ``dim × dim`` correlation matrices.

    Args:
        dim: the matrix size (at least 2).
        concentration: the shape ``eta`` (positive; 1 is uniform over correlation matrices).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import LKJCholesky
        >>> LKJCholesky(2, ember.tensor([1.0, 2.0])).log_prob(ember.eye(2))
        tensor([-0.6931, -0.2877])
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = ember.arange(self.dim - 1, dtype=self.concentration.dtype)
        offset = ember.cat([ember.zeros(1, dtype=offset.dtype), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), ember.Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(LKJCholesky, batch_shape, _instance, ("concentration",))
        new.dim = self.dim
        new._beta = self._beta.expand(tuple(batch_shape) + (self.dim,))
        return new

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u_normal = ember.randn(tuple(self._extended_shape(sample_shape)),
                                   dtype=y.dtype).tril(-1)
            norm = u_normal.norm(dim=-1, keepdim=True)
            u_hypersphere = u_normal / ember.where(norm == 0, ember.ones_like(norm), norm)
            w = ember.sqrt(y) * u_hypersphere  # row 0 is zero: its direction is 0/1 above
            eps = ember.finfo(w.dtype).tiny
            diag = ember.clamp(1 - ember.sum(w ** 2, dim=-1), min=eps).sqrt()
            return w + ember.diag_embed(diag)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ember.arange(2, self.dim + 1, dtype=self.concentration.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = ember.sum(order * diag_elems.log(), dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = ember.lgamma(alpha) * dm1
        numerator = ember.mvlgamma(alpha - 0.5, dm1)
        return unnormalized - (0.5 * dm1 * math.log(math.pi) + numerator - denominator)
