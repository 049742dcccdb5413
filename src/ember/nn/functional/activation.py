"""Activation functions of ``ember.nn.functional`` (``F.relu``, ``F.gelu``, ``F.softmax``, …)."""
from __future__ import annotations

import warnings

import numpy as np

from ... import random as _random
from ..._tensor import Tensor, _check_dim
from ...ops import activation as _act
from ...ops import pointwise
from ...ops._util import as_tensor, float_input
from ...ops.pointwise import apply_rule, require_float

__all__ = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "sigmoid", "tanh",
           "softmax", "log_softmax", "softmin", "softmax2d", "softplus", "softsign", "hardtanh",
           "silu", "mish", "logsigmoid", "threshold", "hardsigmoid", "hardswish", "hardshrink",
           "softshrink", "tanhshrink", "glu", "rrelu", "gumbel_softmax", "relu_", "elu_", "selu_",
           "celu_", "leaky_relu_", "hardtanh_", "rrelu_", "threshold_"]


def _float(x, kernel: str):
    """``x`` as a tensor; torch's NotImplementedError for integer input to a float kernel."""
    return require_float(as_tensor(x), kernel)


def _finish(x, out, inplace: bool, saves_result: bool = False):
    """Returns ``out``, or writes it into ``x`` when ``inplace`` (torch's ``inplace=True``).
    ``saves_result``: torch's in-place form of the op (``leaky_relu_``, ``elu_``, ``celu_``) saves
    its result rather than its input, and its node is named ``...Backward1``."""
    if not inplace:
        return out
    x._check_inplace()
    x._assign(out)
    node = out.grad_fn
    if saves_result and node is not None:
        node.torch_saved = ((x._data, True),)
        node.label = node.name()[:-1] + "1"
    return x


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
    x = _float(input, "leaky_relu_cpu")
    return _finish(input, _act.LeakyRelu.apply(x, negative_slope=float(negative_slope)), inplace, True)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _finish(input, _act.Elu.apply(_float(input, "elu_cpu"), alpha=float(alpha)), inplace, True)


def selu(input, inplace: bool = False):
    """ELU with torch's fixed ``alpha`` ≈ 1.6733 and ``scale`` ≈ 1.0507 (self-normalising)."""
    out = _act.Elu.apply(_float(input, "elu_cpu"), alpha=_act.SELU_ALPHA, scale=_act.SELU_SCALE)
    return _finish(input, out, inplace, True)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` (continuously differentiable ELU).

    Example::

        >>> F.celu(ember.tensor([-1.0, 2.0]), alpha=2.0)
        tensor([-0.7869,  2.0000])
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    out = apply_rule(pointwise.CELU, _float(input, "elu_cpu"), alpha=float(alpha))
    return _finish(input, out, inplace, True)


def gelu(input, approximate: str = "none"):
    """``x * Φ(x)`` (exact, with erf) or its tanh approximation (``approximate='tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return _act.Gelu.apply(_float(input, "GeluKernelImpl"), approximate=approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    return _act.Softplus.apply(_float(input, "softplus_cpu"), beta=float(beta),
                                 threshold=float(threshold))


def softsign(input):
    """``x / (1 + |x|)``."""
    return _act.Softsign.apply(float_input(as_tensor(input)))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """``clamp(x, min_val, max_val)`` (gradient 1 strictly inside, 0 outside). An integer tensor
    stays integer, with the bounds truncated toward zero, as in torch."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val, got min_val={min_val}, "
                         f"max_val={max_val}")
    x = as_tensor(input)
    if x._data.dtype.kind == "f":
        min_val, max_val = float(min_val), float(max_val)
    else:
        min_val, max_val = int(min_val), int(max_val)
    out = _act.Hardtanh.apply(x, min_val=min_val, max_val=max_val)
    return _finish(input, out, inplace)


def relu6(input, inplace: bool = False):
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def silu(input, inplace: bool = False):
    """``x * sigmoid(x)`` (a.k.a. swish)."""
    return _finish(input, _act.Silu.apply(_float(input, "silu_cpu")), inplace)


def mish(input, inplace: bool = False):
    """``x * tanh(softplus(x))`` (Misra, 2019).

    Example::

        >>> F.mish(ember.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8651])
    """
    return _finish(input, apply_rule(pointwise.MISH, _float(input, "mish_cpu")), inplace)


def hardsigmoid(input, inplace: bool = False):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between."""
    return _finish(input, apply_rule(pointwise.HARDSIGMOID, _float(input, "hardsigmoid_cpu")),
                   inplace)


def hardswish(input, inplace: bool = False):
    """``x * relu6(x + 3) / 6`` (Howard et al., 2019, MobileNetV3)."""
    return _finish(input, apply_rule(pointwise.HARDSWISH, _float(input, "hardswish_cpu")),
                   inplace)


def _check_lambd(x, lambd):
    if not 0 <= lambd <= float(np.finfo(x._data.dtype).max):
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(x._data.dtype).max:g}] for input "
                           f"dtype {pointwise.torch_dtype_name(x._data)}, but found {lambd:g}")


def hardshrink(input, lambd: float = 0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    x = _float(input, "hardshrink_cpu")
    return apply_rule(pointwise.HARDSHRINK, x, lambd=float(lambd))


def softshrink(input, lambd: float = 0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0 (``lambd`` ≥ 0)."""
    x = _float(input, "softshrink_check")
    _check_lambd(x, lambd)
    return apply_rule(pointwise.SOFTSHRINK, x, lambd=float(lambd))


def tanhshrink(input):
    """``x - tanh(x)``."""
    x = float_input(as_tensor(input))
    return x - _act.tanh(x)


def glu(input, dim: int = -1):
    """Gated linear unit: splits ``dim`` in halves ``a, b`` and returns ``a * sigmoid(b)``.

    Example::

        >>> F.glu(ember.tensor([1.0, 2.0, 0.0, 100.0]))
        tensor([0.5000, 2.0000])
    """
    x = as_tensor(input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _check_dim(dim, x.ndim)
    n = x.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    require_float(x, "glu_cpu")
    a, b = x.split(n // 2, dim=d)
    return a * _act.sigmoid(b)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False):
    """Randomized leaky ReLU (Xu et al., 2015): in training each negative element gets its own
    slope drawn from U(lower, upper) (ember's global generator); otherwise the slope is
    ``(lower + upper) / 2``."""
    x = _float(input, "leaky_relu_cpu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    arr = x._data
    slope = _random._gen(None).uniform(lower, upper, arr.shape).astype(arr.dtype)
    noise = np.where(arr > 0, np.ones((), arr.dtype), slope)
    return _finish(input, x * Tensor._make(noise), inplace)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed stably."""
    return _act.LogSigmoid.apply(_float(input, "log_sigmoid_cpu"))


def threshold(input, threshold: float, value: float, inplace: bool = False):  # noqa: A002
    """``x if x > threshold else value``, in ``x``'s dtype (on an integer tensor the threshold and
    the value are truncated toward zero, as in torch).

    Example::

        >>> F.threshold(ember.arange(-3, 3), 0, 0.5)
        tensor([0, 0, 0, 0, 1, 2])
    """
    x = as_tensor(input)
    if x._data.dtype.kind == "f":
        threshold, value = float(threshold), float(value)
    elif x._data.dtype.kind != "b":
        threshold, value = int(threshold), int(value)
    return _finish(input, apply_rule(pointwise.THRESHOLD, x, threshold=threshold, value=value),
                   inplace)


def prelu(input, weight):
    """``x if x > 0 else weight * x`` with ``weight`` per channel (axis 1) or shared."""
    x = as_tensor(input)
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{pointwise.torch_dtype_name(x._data)} and "
                           f"{pointwise.torch_dtype_name(weight._data)}")
    require_float(x, "prelu_cpu")
    n = weight.numel()
    channels = x.shape[1] if x.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {n} and channel size = {channels}.")
    return _act.Prelu.apply(x, weight)


def _softmax_dim(ndim: int, name: str, stacklevel: int) -> int:
    """torch's legacy implicit dim, with its warning pointed ``stacklevel`` frames above the
    calling functional."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  f"include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
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


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably (implicit dim as :func:`softmax`)."""
    x = as_tensor(input)
    if dim is None:
        dim = _softmax_dim(x.ndim, "log_softmax", _stacklevel)
    return _act.log_softmax(x, dim, dtype)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    x = as_tensor(input)
    if dim is None:
        dim = _softmax_dim(x.ndim, "softmin", _stacklevel)
    return _act.softmax(-x, dim, dtype)


def softmax2d(input):
    """Softmax over the channels of ``(N, C, H, W)`` or ``(C, H, W)`` input (``Softmax2d``)."""
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {x.ndim}D instead")
    return _act.softmax(x, -3)


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """Samples from the Gumbel-softmax distribution (Jang et al., 2016): ``softmax((logits + g) /
    tau)`` with Gumbel noise ``g`` from ember's global generator; ``hard=True`` returns one-hot
    samples whose gradient is the soft sample's (straight-through)."""
    x = as_tensor(logits)
    u = _random._gen(None).exponential(1.0, x.shape).astype(x._data.dtype)
    y_soft = _act.softmax((x - Tensor._make(np.log(u))) / tau, dim)
    if not hard:
        return y_soft
    index = np.argmax(y_soft._data, axis=dim)
    hard_arr = np.zeros_like(y_soft._data)
    np.put_along_axis(hard_arr, np.expand_dims(index, dim), 1, axis=dim)
    return Tensor._make(hard_arr) - y_soft.detach() + y_soft


def _inplace_form(fn, name):
    def op(input, *args, **kwargs):
        return fn(input, *args, inplace=True, **kwargs)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place :func:`{fn.__name__}` (writes into ``input`` and returns it)."
    return op


relu_ = _inplace_form(relu, "relu_")
elu_ = _inplace_form(elu, "elu_")
selu_ = _inplace_form(selu, "selu_")
celu_ = _inplace_form(celu, "celu_")
leaky_relu_ = _inplace_form(leaky_relu, "leaky_relu_")
hardtanh_ = _inplace_form(hardtanh, "hardtanh_")
rrelu_ = _inplace_form(rrelu, "rrelu_")
threshold_ = _inplace_form(threshold, "threshold_")
