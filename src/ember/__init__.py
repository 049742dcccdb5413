"""ember: a small neural-network library on NumPy with PyTorch- and Keras-style front doors.

Example::

    >>> import ember
    >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x ** 2).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
"""
from ._dtype import (bool, double, dtype, float, float16, float32, float64, get_default_dtype,  # noqa: A004
                     half, int, int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from ._device import device, get_default_device, set_default_device
from ._size import Size
from ._tensor import Tensor
from . import _tensor_methods  # noqa: F401 - binds the ops onto Tensor
from ._creation import *  # noqa: F401,F403 - tensor, zeros, randn, arange, ... (see __all__)
from ._legacy import *  # noqa: F401,F403 - FloatTensor, LongTensor, ...
from ._runtime import *  # noqa: F401,F403 - finfo, get_num_threads, compile, is_tensor, ...
from ._creation_extra import *  # noqa: F401,F403 - windows, poisson, binomial, frombuffer
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                    set_detect_anomaly as set_anomaly_enabled)
from .autograd.grad_mode import is_inference_mode_enabled
from .ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from .ops.elementwise import (abs, add, allclose, bitwise_and, bitwise_not, bitwise_or,  # noqa: A004
                              bitwise_xor, ceil, clamp, clip, cos, div, divide, eq, equal, exp,
                              expm1, floor, floor_divide, ge, gt, isfinite, isinf, isnan, le, log,
                              log1p, log2, log10, logical_and, logical_not, logical_or,
                              logical_xor, lt, maximum, minimum, mul, multiply, ne, neg, negative,
                              pow, reciprocal, remainder, round, rsqrt, sign, sin, sqrt, square,
                              sub, subtract, tan, trunc, where)
from .ops.linalg import bmm, dot, matmul, mm, mv, outer
from .ops.reduction import (all, amax, amin, any, argmax, argmin, count_nonzero, cumsum,  # noqa: A004
                            logsumexp, max, mean, min, prod, std, sum, var)
from .ops.sorting import argsort, masked_fill, sort, topk
from .ops.shape import (broadcast_to, cat, chunk, concat, concatenate, expand, flatten, flip, gather,
                        index_put, permute, repeat, reshape, select, split, squeeze, stack,
                        swapaxes, t, transpose, unbind, unflatten, unsqueeze)
from .ops.unary_math import *  # noqa: F401,F403 - acos, erf, lgamma, ...
from .ops.binary_math import *  # noqa: F401,F403 - atan2, hypot, lerp, isclose, ...
from .ops.scan import *  # noqa: F401,F403 - cumprod, cummax, logcumsumexp, diff
from .ops.stats import *  # noqa: F401,F403 - median, quantile, unique, histc, ...
from .ops.indexing import *  # noqa: F401,F403 - scatter, index_select, tril, diagonal, ...
from .ops.layout import *  # noqa: F401,F403 - roll, tile, movedim, hstack, meshgrid, ...
from .ops.linalg_more import *  # noqa: F401,F403 - det, inverse, einsum, kron, cdist, ...
from .ops.linalg_solvers import *  # noqa: F401,F403 - triangular_solve, qr, matrix_exp, ...
from .ops.linalg_factor import *  # noqa: F401,F403 - svd, lu, lu_unpack, lu_solve, geqrf, ...
from .ops.lobpcg import lobpcg
from ._nn_aliases import *  # noqa: F401,F403 - selu, dropout, kl_div, ... (torch's own names)
from ._kernel_aliases import *  # noqa: F401,F403 - torch.lstm, lstm_cell, embedding, ctc_loss
from . import _tensor_api  # noqa: E402,F401 - the remaining Tensor methods and in-place forms
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from . import accelerator, amp, autograd, backends, cpu, cuda, mps, random  # noqa: E402
from .amp import GradScaler, autocast  # noqa: E402
from ._namespace import *  # noqa: E402,F401,F403 - heaviside, norm, in-place functions, aliases

__version__ = "0.1.0"

_namespace.wrap_namespace(globals())


def _lazy_submodule(name):
    import importlib
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name):
    """Imports the larger subpackages (nn, optim, utils, keras, …) on first use."""
    if name in {"nn", "optim", "utils", "keras", "datasets", "io", "diagnostics", "models", "cli",
                "onnx", "sklearn", "linalg", "distributed", "distributions", "func",
                "special"}:
        module = _lazy_submodule(name)
        globals()[name] = module
        return module
    if name in {"save", "load"}:
        io = _lazy_submodule("io")
        return getattr(io, name)
    raise AttributeError(f"module 'ember' has no attribute {name!r}")
