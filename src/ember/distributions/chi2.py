"""``Chi2``: the chi-squared distribution, ``Gamma(df / 2, 1 / 2)``.

Example::

    >>> from ember.distributions import Chi2
    >>> Chi2(2.0).log_prob(ember.tensor(1.0))
    tensor(-1.1931)
"""
from __future__ import annotations

from ember.distributions import constraints
from ember.distributions.gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom (``Gamma(df/2, 1/2)``).

    Args:
        df: the degrees of freedom (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import Chi2
        >>> Chi2(ember.tensor([4.0])).mean
        tensor([4.])
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2
