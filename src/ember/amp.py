"""``ember.amp``: mixed-precision training's ``autocast`` and ``GradScaler``, as torch behaves
on a CPU-only install.

ember computes in the dtypes it is given. ``autocast`` on ``cuda`` is disabled with torch's
warning (there is no GPU); on ``cpu`` it would lower precision to bfloat16, which NumPy has not,
so it is disabled too, with a warning saying so. ``GradScaler`` on a machine without CUDA is
disabled with torch's warning and then passes everything through: ``scale(loss)`` is ``loss``,
``step(optimizer)`` is ``optimizer.step()``. So an AMP training loop runs unchanged, in float32.

Example::

    >>> scaler = ember.amp.GradScaler(enabled=False)
    >>> scaler.scale(ember.tensor(2.0))
    tensor(2.)
"""
from __future__ import annotations

import functools
import types
import warnings

__all__ = ["autocast", "GradScaler", "is_autocast_available", "custom_fwd", "custom_bwd"]


def is_autocast_available(device_type: str) -> bool:
    """True for the devices torch's autocast knows (it is always disabled in ember)."""
    return device_type in ("cpu", "cuda", "xpu", "mps", "hpu", "mtia", "maia", "xla", "ipu")


class autocast:
    """Context manager (and decorator) for automatic mixed precision: disabled in ember.

    Args:
        device_type: ``'cuda'`` or ``'cpu'``.
        dtype: the low-precision dtype torch would use (float16/bfloat16).
        enabled: when False, does nothing (and says nothing).
        cache_enabled: accepted for torch.
    """

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True,
                 cache_enabled=None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
        elif enabled:
            warnings.warn(f"ember has no {device_type} autocast (NumPy has no bfloat16): "
                          f"disabling; the model runs in its own dtypes", UserWarning,
                          stacklevel=2)
        self._enabled = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


def custom_fwd(fwd=None, *, device_type: str = "cuda", cast_inputs=None):
    """Decorator for a custom Function's forward under autocast: returns it unchanged."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd=None, *, device_type: str = "cuda"):
    """Decorator for a custom Function's backward under autocast: returns it unchanged."""
    if bwd is None:
        return lambda f: f
    return bwd


class GradScaler:
    """Loss scaling for float16 training. Without CUDA it is disabled (torch warns when asked
    to enable it) and every method passes through.

    Example::

        >>> scaler = ember.amp.GradScaler("cuda", enabled=False)
        >>> scaler.is_enabled(), scaler.get_scale()
        (False, 1.0)
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
        elif enabled:
            warnings.warn(f"ember has no {device} loss scaling: GradScaler is disabled",
                          UserWarning, stacklevel=2)
        self._device = device
        self._enabled = False
        self._init_scale = init_scale
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        """``outputs`` unchanged (a disabled scaler does not scale)."""
        return outputs

    def unscale_(self, optimizer) -> None:
        """Nothing to unscale."""

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)``."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        """Nothing to update."""

    def get_scale(self) -> float:
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def state_dict(self) -> dict:
        """Empty, as a disabled torch scaler's."""
        return {}

    def load_state_dict(self, state_dict) -> None:
        """Accepts what :meth:`state_dict` returned."""


def cuda_namespace() -> types.SimpleNamespace:
    """``ember.cuda.amp``: the deprecated ``torch.cuda.amp.autocast/GradScaler`` spellings."""
    return types.SimpleNamespace(
        autocast=functools.partial(autocast, "cuda"), GradScaler=functools.partial(GradScaler, "cuda"),
        custom_fwd=custom_fwd, custom_bwd=custom_bwd)
