"""Muon (Jordan et al., 2024): momentum, then the update orthogonalised by a Newton–Schulz
iteration, for the 2-D weights of hidden layers."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._math import decay_weights
from .optimizer import Optimizer

__all__ = ["Muon", "muon_update", "newton_schulz", "round_to_bfloat16"]

DEFAULT_NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def round_to_bfloat16(x: np.ndarray) -> np.ndarray:
    """``x`` (float32) rounded to the nearest bfloat16 value (ties to even), kept in float32: the
    top 16 bits of each float32, as torch's ``.bfloat16()`` rounds."""
    bits = np.ascontiguousarray(x, np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return rounded.view(np.float32)


def newton_schulz(x: np.ndarray, coefficients=DEFAULT_NS_COEFFICIENTS, steps: int = 5, eps: float = 1e-7, *,
                  bfloat16: bool = False, eps_added: bool = False) -> np.ndarray:
    """The quintic Newton–Schulz iteration that takes a matrix ``G = U·S·Vᵀ`` towards ``U·S'·Vᵀ``
    with ``S' ≈ 1`` (a new float32 array): ``X = G/‖G‖_F`` (on the wide orientation), then
    ``steps`` times ``A = X·Xᵀ``, ``X ← a·X + (b·A + c·A·A)·X``.

    Args:
        coefficients: ``(a, b, c)``.
        eps: the floor of the norm (torch: ``max(‖G‖, eps)``; ``eps_added``, Keras:
            ``‖G‖ + eps``).
        bfloat16: round every intermediate to bfloat16, as torch's CPU Muon computes in bfloat16.

    Example::

        >>> import numpy as np
        >>> g = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
        >>> s = np.linalg.svd(ember.optim.muon.newton_schulz(g), compute_uv=False)
        >>> bool(np.all((s > 0.6) & (s < 1.3)))
        True
    """
    if x.ndim != 2:
        raise ValueError(f"Newton-Schulz expects a 2-D matrix; got shape {x.shape}")
    a, b, c = (np.float32(v) for v in coefficients)
    cast = round_to_bfloat16 if bfloat16 else (lambda arr: arr)
    x = cast(np.asarray(x, np.float32))
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    norm = cast(np.float32(np.sqrt(np.vdot(x, x))))
    x = cast(x / (norm + np.float32(eps) if eps_added else max(norm, np.float32(eps))))
    for _ in range(int(steps)):
        gram = cast(x @ x.T)
        poly = cast(b * gram + c * (gram @ gram))
        x = cast(a * x + poly @ x)
    return x.T if tall else x


def muon_update(param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray, *, lr: float,
                weight_decay: float = 0.0, momentum: float = 0.95, nesterov: bool = True,
                ns_coefficients=DEFAULT_NS_COEFFICIENTS, eps: float = 1e-7, ns_steps: int = 5,
                adjust_lr_fn: str | None = None, rms_rate: float = 0.2, momentum_sum: bool = False,
                bfloat16: bool = True) -> None:
    """One Muon step on a 2-D parameter, in place.

    torch's form: ``B ← μ·B + (1−μ)·g`` (a lerp), the update ``O = NS(g + μ·(B − g))`` with
    Nesterov (``NS(B)`` without), ``param *= 1 − lr·weight_decay``, ``param −= lr'·O`` with
    ``lr' = lr·√max(1, A/B)`` (``adjust_lr_fn`` None or ``"original"``),
    ``lr·rms_rate·√max(A, B)`` (``"match_rms_adamw"``, rms_rate 0.2 in torch) or ``lr``
    (``"none"``). The orthogonalisation runs in bfloat16 as torch's does.

    Keras's form (``momentum_sum``, ``bfloat16=False``): ``B ← μ·B + g`` and ``O = NS(g + μ·B)``,
    with the norm's ``eps`` added, in float32. The two momenta differ by the factor ``1 − μ``,
    which the normalisation removes.
    """
    if momentum_sum:
        momentum_buffer *= momentum
        momentum_buffer += grad
        update = grad + np.float32(momentum) * momentum_buffer if nesterov else momentum_buffer
    else:
        momentum_buffer += (1 - momentum) * (grad - momentum_buffer)
        update = grad + momentum * (momentum_buffer - grad) if nesterov else momentum_buffer
    ortho = newton_schulz(update, ns_coefficients, ns_steps, eps, bfloat16=bfloat16, eps_added=momentum_sum)
    rows, cols = param.shape[:2]
    if adjust_lr_fn in (None, "original"):
        ratio = math.sqrt(max(1.0, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = rms_rate * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    decay_weights(param, lr, weight_decay)
    param -= np.float32(lr * ratio) * ortho


class Muon(Optimizer):
    """Muon: SGD with Nesterov momentum whose update is orthogonalised (Newton–Schulz), for 2-D
    parameters only (train biases, embeddings and the output layer with AdamW).

    Args:
        params: 2-D tensors or parameter groups.
        lr: learning rate (default 1e-3).
        weight_decay: decoupled weight decay ``param *= 1 − lr·weight_decay`` (default 0.1).
        momentum: the momentum factor (default 0.95).
        nesterov: use Nesterov momentum (default True).
        ns_coefficients: ``(a, b, c)`` of the quintic iteration.
        eps: the floor of the norm the iteration starts by dividing by (default 1e-7).
        ns_steps: Newton–Schulz iterations (default 5).
        adjust_lr_fn: ``None``/``"original"`` (``lr·√max(1, A/B)``) or ``"match_rms_adamw"``
            (``0.2·lr·√max(A, B)``).

    Example::

        >>> w = ember.randn(4, 3, requires_grad=True)
        >>> opt = ember.optim.Muon([w], lr=0.02)
        >>> (w * w).sum().backward()
        >>> opt.step()
    """

    _rule = staticmethod(muon_update)
    _elementwise = False
    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients=DEFAULT_NS_COEFFICIENTS, eps: float = 1e-7,
                 ns_steps: int = 5, adjust_lr_fn: str | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        if ns_steps >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if len(ns_coefficients) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": tuple(ns_coefficients), "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter "
                                     f"with size: {tuple(p.shape)}")

    def _init_state(self, p: Tensor, group: dict) -> dict:
        return {"momentum_buffer": Tensor._make(np.zeros_like(p._data))}
