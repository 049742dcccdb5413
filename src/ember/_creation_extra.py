"""More factories: window functions, Poisson and binomial samples, tensors from raw buffers.

Example::

    >>> ember.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._creation import _finish, _float_dtype
from ._tensor import Tensor
from .random import _gen

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window", "poisson", "binomial", "frombuffer"]


def _window(fn, window_length: int, periodic: bool, dtype, requires_grad, device, *args):
    np_dtype = _float_dtype(dtype)
    if np_dtype.kind != "f":
        raise RuntimeError(f"window function expects a floating point dtype, got "
                           f"{_dtype.from_numpy_dtype(np_dtype)}")
    if window_length == 0:
        return _finish(np.zeros(0, np_dtype), requires_grad, device)
    if window_length == 1:
        return _finish(np.ones(1, np_dtype), requires_grad, device)
    n = window_length + 1 if periodic else window_length
    w = fn(n, *args)
    return _finish((w[:-1] if periodic else w).astype(np_dtype), requires_grad, device)


def _factory_doc(name: str, formula: str):
    return (f"The {name} window of ``window_length`` points ({formula}); ``periodic=True`` "
            f"drops the last point of the symmetric window one longer, as for spectral analysis.")


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    return _window(np.bartlett, window_length, periodic, dtype, requires_grad, device)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    return _window(np.blackman, window_length, periodic, dtype, requires_grad, device)


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, requires_grad: bool = False) -> Tensor:
    return _window(np.hanning, window_length, periodic, dtype, requires_grad, device)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False) -> Tensor:
    def general(n):
        return alpha - beta * np.cos(2 * np.pi * np.arange(n) / (n - 1))
    return _window(general, window_length, periodic, dtype, requires_grad, device)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None,
                  layout=None, device=None, requires_grad: bool = False) -> Tensor:
    return _window(np.kaiser, window_length, periodic, dtype, requires_grad, device, beta)


bartlett_window.__doc__ = _factory_doc("Bartlett", "triangular")
blackman_window.__doc__ = _factory_doc("Blackman", "three cosines")
hann_window.__doc__ = _factory_doc("Hann", "raised cosine")
hamming_window.__doc__ = _factory_doc("Hamming", "``alpha - beta cos(2πn / (N - 1))``")
kaiser_window.__doc__ = _factory_doc("Kaiser", "Bessel-shaped, sharpness ``beta``")


def poisson(input, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (same shape and dtype)."""
    rates = input._data
    return Tensor._make(_gen(generator).poisson(rates).astype(rates.dtype))


def binomial(count, prob, generator=None) -> Tensor:
    """Binomial samples: successes in ``count`` trials of probability ``prob``."""
    n, p = count._data, prob._data
    return Tensor._make(_gen(generator).binomial(n.astype(np.int64), p).astype(p.dtype))


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor sharing memory with a Python buffer (``bytes``, ``bytearray``, ``array``)."""
    arr = np.frombuffer(buffer, dtype=_dtype.to_numpy_dtype(dtype), count=count, offset=offset)
    return _finish(arr, requires_grad)
