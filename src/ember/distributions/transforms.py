"""Invertible transforms with log-determinant Jacobians, for ``TransformedDistribution``.

A ``Transform`` maps ``x`` to ``y = t(x)``; ``t.inv`` maps back, and
``log_abs_det_jacobian(x, y)`` gives ``log |dy/dx|``. ``domain``/``codomain`` are
:mod:`constraints`. Transforms compose with ``ComposeTransform`` and cache the last pair when
``cache_size=1``, as torch.distributions.transforms' do.

Example::

    >>> from ember.distributions.transforms import AffineTransform, ExpTransform, ComposeTransform
    >>> t = ComposeTransform([AffineTransform(1.0, 2.0), ExpTransform()])
    >>> x = ember.tensor([0.0, 0.5])
    >>> t(x)
    tensor([2.7183, 7.3891])
    >>> ember.allclose(t.inv(t(x)), x, atol=1e-6)
    True
    >>> t.log_abs_det_jacobian(x, t(x))
    tensor([1.6931, 2.6931])
"""
from __future__ import annotations

from ember.distributions._transform_base import (ComposeTransform, IndependentTransform,
                                                 ReshapeTransform, Transform, identity_transform)
from ember.distributions._transform_pointwise import (AbsTransform, AffineTransform, ExpTransform,
                                                      LowerCholeskyTransform, PowerTransform,
                                                      SigmoidTransform, SoftmaxTransform,
                                                      SoftplusTransform, TanhTransform)
from ember.distributions._transform_structured import (CatTransform, CorrCholeskyTransform,
                                                       CumulativeDistributionTransform,
                                                       PositiveDefiniteTransform, StackTransform,
                                                       StickBreakingTransform)

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
           "CorrCholeskyTransform", "CumulativeDistributionTransform", "ExpTransform",
           "PositiveDefiniteTransform", "StackTransform", "StickBreakingTransform",
           "IndependentTransform", "LowerCholeskyTransform", "PowerTransform",
           "ReshapeTransform", "SigmoidTransform", "SoftplusTransform", "TanhTransform",
           "SoftmaxTransform", "Transform", "identity_transform"]

# the classes report this module, as torch's do (torch.distributions.transforms.ExpTransform)
for _cls in (AbsTransform, AffineTransform, ComposeTransform, ExpTransform, IndependentTransform,
             LowerCholeskyTransform, PowerTransform, ReshapeTransform, SigmoidTransform,
             SoftmaxTransform, SoftplusTransform, TanhTransform, Transform, CatTransform,
             CorrCholeskyTransform, CumulativeDistributionTransform, PositiveDefiniteTransform,
             StackTransform, StickBreakingTransform):
    _cls.__module__ = __name__
del _cls
