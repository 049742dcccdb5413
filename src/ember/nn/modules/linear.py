"""``Linear`` (fully connected), ``Bilinear`` and ``Identity``."""
from __future__ import annotations

import math

from ... import _creation
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Linear", "Identity", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, like torch)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Args:
        in_features: size of each input sample's last axis.
        out_features: size of each output sample's last axis.
        bias: learn an additive bias (default True).

    Shape: input ``(*, in_features)`` → output ``(*, out_features)``.

    Weights start as ``kaiming_uniform_(a=√5)``, i.e. U(±1/√in_features), and the bias as
    U(±1/√in_features), drawn from ember's global generator (torch's default init).

    Example::

        >>> layer = ember.nn.Linear(3, 2)
        >>> layer(ember.ones(4, 3)).shape
        ember.Size([4, 2])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative integer, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty(out_features, in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default: weight ``kaiming_uniform_(a=√5)``, bias U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)  # checks dtype, then width, like torch

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """``y = x1ᵀ W x2 + b``: one bilinear form per output feature.

    Args:
        in1_features, in2_features: sizes of the two inputs' last dims.
        out_features: size of the output's last dim.
        bias: learn an additive bias (default True).

    Shape: input1 ``(*, in1)``, input2 ``(*, in2)`` → output ``(*, out)``. Weight and bias start
    as U(±1/√in1_features), as in torch.

    Example::

        >>> layer = ember.nn.Bilinear(2, 3, 4)
        >>> layer(ember.ones(5, 2), ember.ones(5, 3)).shape
        ember.Size([5, 4])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_creation.empty(out_features, in1_features, in2_features,
                                                dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")

