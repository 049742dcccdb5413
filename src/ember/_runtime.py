"""torch's process-wide switches and queries, answered for ember on the CPU: threads,
determinism, print options, matmul precision, build flags, ``compile``, ``vmap``, dtype
queries (``finfo``/``iinfo``, ``result_type``, ``can_cast``, ``promote_types``) and the small
``is_*`` predicates.

Example::

    >>> ember.finfo(ember.float32).eps
    1.1920928955078125e-07
    >>> ember.compile(ember.nn.Linear(2, 2)).__class__.__name__   # ember runs eagerly
    'Linear'
"""
from __future__ import annotations

import builtins
import math
import os
import types
import warnings

import numpy as np

from . import _dtype, _tensor_str
from ._dtype import TORCH_NAMES
from ._tensor import Tensor

__all__ = ["finfo", "iinfo", "typename", "result_type", "can_cast", "promote_types",
           "is_tensor", "is_storage", "is_floating_point", "is_complex", "is_nonzero",
           "is_same_size", "is_signed", "is_conj", "is_neg", "is_inference", "numel",
           "get_num_threads", "set_num_threads", "get_num_interop_threads",
           "set_num_interop_threads", "init_num_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "set_deterministic_debug_mode", "get_deterministic_debug_mode",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "set_flush_denormal",
           "set_warn_always", "is_warn_always_enabled", "set_printoptions", "compile", "vmap",
           "get_device_module", "is_vulkan_available", "has_lapack", "has_mkl", "has_openmp",
           "has_spectral", "e", "pi", "inf", "nan", "newaxis", "layout", "strided",
           "memory_format", "contiguous_format", "preserve_format", "channels_last",
           "channels_last_3d", "set_default_tensor_type", "OutOfMemoryError", "AcceleratorError"]

e, pi, inf, nan, newaxis = math.e, math.pi, math.inf, math.nan, None
has_lapack = has_mkl = has_openmp = has_spectral = True


# ------------------------------------------------------------------------ dtype queries
class finfo:
    """Machine limits of a floating dtype (torch's field names; ``finfo()`` is the default dtype's).

    Example::

        >>> ember.finfo(ember.float16).max
        65504.0
    """

    __module__ = "ember"   # torch's classes say "torch"

    def __init__(self, type=None) -> None:  # noqa: A002 - torch's name
        d = _dtype.from_numpy_dtype(_dtype.to_numpy_dtype(type or _dtype.get_default_dtype()))
        if not d.is_floating_point:
            raise TypeError(f"torch.finfo() requires a floating point input type. Use "
                            f"torch.iinfo to handle '{d.name}'")
        info = np.finfo(d.np)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (``bits``, ``min``, ``max``, ``dtype``)."""

    __module__ = "ember"   # torch's classes say "torch"

    def __init__(self, type) -> None:  # noqa: A002 - torch's name
        d = _dtype.from_numpy_dtype(_dtype.to_numpy_dtype(type))
        if d.is_floating_point:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to "
                            f"handle '{d.name}'")
        info = np.iinfo(d.np) if d.np.kind != "b" else types.SimpleNamespace(bits=8, min=0, max=1)
        self.bits, self.min, self.max, self.dtype = info.bits, int(info.min), int(info.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


_LEGACY_NAMES = TORCH_NAMES              # FloatTensor, LongTensor, ...


def typename(obj) -> str:
    """``'ember.FloatTensor'`` for a float32 tensor, else the object's qualified type name."""
    if isinstance(obj, Tensor):
        return f"ember.{_LEGACY_NAMES[obj.dtype.name]}Tensor"
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", None) else f"{module}.{name}"


def _as_operand(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, np.generic):
        return x.item()
    return x


def result_type(tensor, other) -> _dtype.dtype:
    """The dtype torch's promotion gives ``tensor`` op ``other`` (tensors or Python numbers)."""
    from .ops._util import result_dtype
    a, b = _as_operand(tensor), _as_operand(other)
    if not isinstance(a, np.ndarray):
        a, b = b, a
    if not isinstance(a, np.ndarray):
        a = np.asarray(a, _dtype.get_default_dtype().np if isinstance(a, builtins.float)
                       else np.int64 if isinstance(a, builtins.int) and not isinstance(a, builtins.bool)
                       else np.bool_)
        return _dtype.from_numpy_dtype(result_dtype(a, b) if not isinstance(b, np.ndarray)
                                       else result_dtype(b, a.item()))
    return _dtype.from_numpy_dtype(result_dtype(a, b))


def can_cast(from_, to) -> bool:
    """Whether torch's type promotion allows casting ``from_`` to ``to`` (no float → int, no
    int → bool)."""
    src, dst = _dtype.to_numpy_dtype(from_), _dtype.to_numpy_dtype(to)
    rank = {"b": 0, "u": 1, "i": 1, "f": 2}
    return rank[src.kind] <= rank[dst.kind]


def promote_types(type1, type2) -> _dtype.dtype:
    """The smallest dtype both ``type1`` and ``type2`` promote to."""
    from .ops._util import promote_types as _promote
    return _dtype.from_numpy_dtype(_promote(_dtype.to_numpy_dtype(type1), _dtype.to_numpy_dtype(type2)))


# ------------------------------------------------------------------------ predicates
def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    """False: ember has no storage objects."""
    return False


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def is_complex(input) -> bool:
    """False: ember has no complex dtypes."""
    return False


def is_conj(input) -> bool:
    return False


def is_neg(input) -> bool:
    return False


def is_inference(input) -> bool:
    return False


def is_signed(input) -> bool:
    return input.dtype.is_signed


def is_nonzero(input) -> bool:
    """The truth of a one-element tensor (torch's errors otherwise)."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input.item())


def is_same_size(input, other) -> bool:
    return tuple(input.shape) == tuple(other.shape)


def numel(input) -> int:
    return input.numel()


# ------------------------------------------------------------------------ runtime switches
_STATE = {"deterministic": False, "warn_only": False, "precision": "highest",
          "warn_always": False, "interop": None}


def _threadpool():
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None, None
    return threadpool_info, threadpool_limits


def get_num_threads() -> int:
    """Threads NumPy's BLAS uses (threadpoolctl's answer; the CPU count when it is missing)."""
    info, _ = _threadpool()
    if info is not None:
        counts = [i["num_threads"] for i in info() if i.get("user_api") == "blas"]
        if counts:
            return counts[0]
    return os.cpu_count() or 1


def set_num_threads(int) -> None:  # noqa: A002 - torch's name
    """Limits NumPy's BLAS to ``int`` threads (needs threadpoolctl, as torch needs its OpenMP)."""
    if not isinstance(int, builtins.int) or int < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {int!r}")
    _, limits = _threadpool()
    if limits is None:
        raise ImportError("ember.set_num_threads needs threadpoolctl: pip install threadpoolctl")
    limits(limits=int, user_api="blas")


def get_num_interop_threads() -> int:
    return _STATE["interop"] or os.cpu_count() or 1


def set_num_interop_threads(int) -> None:  # noqa: A002
    if _STATE["interop"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _STATE["interop"] = int


def init_num_threads() -> None:
    """Nothing to initialise."""


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded only: every ember op is deterministic on the CPU."""
    _STATE["deterministic"], _STATE["warn_only"] = builtins.bool(mode), builtins.bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _STATE["warn_only"]


def set_deterministic_debug_mode(debug_mode) -> None:
    modes = {"default": 0, "warn": 1, "error": 2}
    mode = modes.get(debug_mode, debug_mode)
    if mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, "
                           f"`error`, but got {debug_mode}")
    use_deterministic_algorithms(mode > 0, warn_only=mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _STATE["deterministic"]:
        return 0
    return 1 if _STATE["warn_only"] else 2


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded only: NumPy's float32 matmul is always full precision ('highest'). Like torch,
    a name other than 'highest', 'high' or 'medium' is ignored."""
    if precision in ("highest", "high", "medium"):
        _STATE["precision"] = precision


def get_float32_matmul_precision() -> str:
    return _STATE["precision"]


def set_flush_denormal(mode: bool) -> bool:
    """False: NumPy does not flush denormals (torch returns False where unsupported too)."""
    return False


def set_warn_always(b: bool) -> None:
    _STATE["warn_always"] = builtins.bool(b)


def is_warn_always_enabled() -> bool:
    return _STATE["warn_always"]


_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, math.inf, 3, 80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """How tensors print: digits after the point, the size above which they are summarised,
    the items shown at each edge, the line width (or a ``profile``)."""
    if profile is not None:
        (_tensor_str._PRECISION, _tensor_str._THRESHOLD, _tensor_str._EDGEITEMS,
         _tensor_str._LINEWIDTH) = _PROFILES[profile]
    if precision is not None:
        _tensor_str._PRECISION = precision
    if threshold is not None:
        _tensor_str._THRESHOLD = threshold
    if edgeitems is not None:
        _tensor_str._EDGEITEMS = edgeitems
    if linewidth is not None:
        _tensor_str._LINEWIDTH = linewidth


def is_vulkan_available() -> bool:
    return False


# ------------------------------------------------------------------------ compile, vmap
def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend=None,  # noqa: A001
            mode=None, options=None, name=None, disable: bool = False, recompile_limit=None,
            isolate_recompiles: bool = False, shapes_spec=None):
    """Returns ``model`` unchanged: ember runs eagerly, so there is nothing to compile (works as
    ``compile(model)``, ``@compile`` and ``@compile(mode=...)``)."""
    if model is None:
        return lambda m: m
    return model


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """``func`` mapped over a batch dimension by calling it once per slice and stacking the
    results (torch batches the ops; the values are the same)."""
    from .ops.shape import stack

    def mapped(*args):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        sizes = {a.shape[d] for a, d in zip(args, dims) if d is not None and isinstance(a, Tensor)}
        if len(sizes) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
        n = sizes.pop()
        outs = [func(*(a.select(d, i) if d is not None and isinstance(a, Tensor) else a
                       for a, d in zip(args, dims))) for i in builtins.range(n)]
        if isinstance(outs[0], tuple):
            return tuple(stack([o[k] for o in outs], out_dims) for k in builtins.range(len(outs[0])))
        return stack(outs, out_dims)
    return mapped


def get_device_module(device=None):
    """The module for ``device`` (``ember.cpu`` for the CPU, ``ember.cuda`` for CUDA)."""
    import importlib
    name = "cpu" if device is None else str(device).split(":")[0]
    if name not in ("cpu", "cuda", "mps"):
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered as "
                           f"'torch.{name}'.")
    return importlib.import_module(f"ember.{name}")


def set_default_tensor_type(t) -> None:
    """Deprecated in torch: sets the default floating dtype from a tensor type
    (``ember.DoubleTensor`` or ``'torch.DoubleTensor'``)."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
    dtype = getattr(t, "dtype", None)
    if dtype is None:
        short = name.split(".")[-1].replace("Tensor", "")
        dtype = {v: k for k, v in _LEGACY_NAMES.items()}[short]
    _dtype.set_default_dtype(dtype)


# ------------------------------------------------------------------------ layouts, formats
class layout:
    """A tensor layout; ember has one, ``ember.strided``."""

    __module__ = "ember"   # torch's classes say "torch"

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ember.{self.name}"


class memory_format:
    """A memory format; ember's tensors are always contiguous (row-major)."""

    __module__ = "ember"   # torch's classes say "torch"

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"ember.{self.name}"


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class OutOfMemoryError(RuntimeError):
    """Raised when a device runs out of memory (torch's name; ember raises MemoryError)."""

    __module__ = "ember"   # torch's classes say "torch"


class AcceleratorError(RuntimeError):
    """Raised by an accelerator (never by ember, which has none)."""

    __module__ = "ember"   # torch's classes say "torch"
