"""Activation functions of ``ember.nn.functional`` (``F.relu``, ``F.gelu``, ``F.softmax``, …)."""
from __future__ import annotations

import warnings

from ...ops import activation as _act
from ...ops import nn_ops
from ...ops._util import as_tensor, float_input

__all__ = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "gelu", "sigmoid", "tanh",
           "softmax", "log_softmax", "softmin", "softplus", "softsign", "hardtanh", "silu",
           "logsigmoid", "threshold"]


def _float(x):
    return float_input(as_tensor(x))


def _finish(x, out, inplace: bool):
    """Returns ``out``, or writes it into ``x`` when ``inplace`` (torch's ``inplace=True``)."""
    if not inplace:
        return out
    x._check_inplace()
    return x._assign(out)


def relu(input, inplace: bool = False):
    """``max(x, 0)``.

    Example::

        >>> F.relu(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return _finish(input, _act.relu(input), inplace)


def sigmoid(input):
    """``1 / (1 + exp(-x))``, computed stably."""
    return _act.sigmoid(input)


def tanh(input):
    return _act.tanh(input)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """``x if x > 0 else negative_slope * x``."""
    x = _float(input)
    return _finish(input, nn_ops.LeakyRelu.apply(x, negative_slope=float(negative_slope)), inplace)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _finish(input, nn_ops.Elu.apply(_float(input), alpha=float(alpha)), inplace)


def selu(input, inplace: bool = False):
    """ELU with torch's fixed ``alpha`` ≈ 1.6733 and ``scale`` ≈ 1.0507 (self-normalising)."""
    out = nn_ops.Selu.apply(_float(input), alpha=nn_ops.SELU_ALPHA, scale=nn_ops.SELU_SCALE)
    return _finish(input, out, inplace)


def gelu(input, approximate: str = "none"):
    """``x * Φ(x)`` (exact, with erf) or its tanh approximation (``approximate='tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return nn_ops.Gelu.apply(_float(input), approximate=approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    return nn_ops.Softplus.apply(_float(input), beta=float(beta), threshold=float(threshold))


def softsign(input):
    """``x / (1 + |x|)``."""
    return nn_ops.Softsign.apply(_float(input))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """``clamp(x, min_val, max_val)`` (gradient 1 strictly inside, 0 outside)."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val, got min_val={min_val}, "
                         f"max_val={max_val}")
    out = nn_ops.Hardtanh.apply(_float(input), min_val=float(min_val), max_val=float(max_val))
    return _finish(input, out, inplace)


def relu6(input, inplace: bool = False):
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def silu(input, inplace: bool = False):
    """``x * sigmoid(x)`` (a.k.a. swish)."""
    return _finish(input, nn_ops.Silu.apply(_float(input)), inplace)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed stably."""
    return nn_ops.LogSigmoid.apply(_float(input))


def threshold(input, threshold: float, value: float, inplace: bool = False):  # noqa: A002
    """``x if x > threshold else value``."""
    x = as_tensor(input)
    out = _tensor_where(x > threshold, x, value)
    return _finish(input, out, inplace)


def _tensor_where(cond, a, b):
    from ...ops.elementwise import where
    return where(cond, a, b)


def prelu(input, weight):
    """``x if x > 0 else weight * x`` with ``weight`` per channel (axis 1) or shared."""
    x = _float(input)
    n = weight.numel()
    channels = x.shape[1] if x.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {n} and channel size = {channels}.")
    return nn_ops.Prelu.apply(x, weight)


def _softmax_dim(ndim: int, name: str, stacklevel: int) -> int:
    """torch's legacy implicit dim, with its warning pointed ``stacklevel`` frames above the
    calling functional."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  f"include dim=X as an argument.", UserWarning, stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel: int = 2, dtype=None):
    """``exp(x) / Σ exp(x)`` along ``dim``. Without ``dim``, torch's legacy choice (0 for 0-, 1-
    and 3-D input, else 1) with a UserWarning.

    Example::

        >>> F.softmax(ember.tensor([[1.0, 2.0]]), dim=-1)
        tensor([[0.2689, 0.7311]])
    """
    x = as_tensor(input)
    if dim is None:
        dim = _softmax_dim(x.ndim, "softmax", _stacklevel)
    return _act.softmax(x, dim, dtype)


def log_softmax(input, dim=None, _stacklevel: int = 2, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably (implicit dim as :func:`softmax`)."""
    x = as_tensor(input)
    if dim is None:
        dim = _softmax_dim(x.ndim, "log_softmax", _stacklevel)
    return _act.log_softmax(x, dim, dtype)


def softmin(input, dim=None, _stacklevel: int = 2, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    x = as_tensor(input)
    if dim is None:
        dim = _softmax_dim(x.ndim, "softmin", _stacklevel)
    return _act.softmax(-x, dim, dtype)


