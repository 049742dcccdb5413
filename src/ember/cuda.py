"""``ember.cuda``: answers as torch's ``cuda`` module answers on a CPU-only install.

Queries report no GPU (``is_available()`` is False, ``device_count()`` is 0, memory counters
are 0); seeding and cache calls do nothing; anything that needs a GPU raises the same
``AssertionError: Torch not compiled with CUDA enabled`` a CPU-only torch raises. So the usual
device boilerplate runs unchanged and picks the CPU.

Example::

    >>> ember.cuda.is_available(), ember.cuda.device_count()
    (False, 0)
"""
from __future__ import annotations

from collections import OrderedDict

from . import amp as _amp

__all__ = ["is_available", "device_count", "is_initialized", "is_bf16_supported",
           "is_tf32_supported", "get_arch_list", "current_device", "get_device_name",
           "get_device_properties", "get_device_capability", "set_device", "synchronize", "init",
           "empty_cache", "ipc_collect", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "initial_seed", "get_rng_state", "set_rng_state", "get_rng_state_all",
           "set_rng_state_all", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "memory_stats", "reset_peak_memory_stats", "mem_get_info",
           "set_per_process_memory_fraction", "current_stream", "default_stream", "device",
           "OutOfMemoryError", "amp"]

_MESSAGE = "Torch not compiled with CUDA enabled"


def _no_cuda(*args, **kwargs):
    raise AssertionError(_MESSAGE)


def is_available() -> bool:
    """False: ember runs on the CPU."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def is_tf32_supported() -> bool:
    return False


def get_arch_list() -> list:
    return []


current_device = get_device_name = get_device_properties = get_device_capability = _no_cuda
set_device = synchronize = init = ipc_collect = initial_seed = get_rng_state = _no_cuda
mem_get_info = set_per_process_memory_fraction = current_stream = default_stream = _no_cuda


def empty_cache() -> None:
    """Nothing to free."""


def manual_seed(seed: int) -> None:
    """Does nothing (there is no GPU generator), as on a CPU-only torch; seed with
    :func:`ember.manual_seed`."""


def manual_seed_all(seed: int) -> None:
    """Does nothing, as :func:`manual_seed`."""


def seed() -> None:
    """Does nothing."""


def seed_all() -> None:
    """Does nothing."""


def set_rng_state(new_state, device="cuda") -> None:
    _no_cuda()


def get_rng_state_all() -> list:
    return []


def set_rng_state_all(new_states) -> None:
    for state in new_states:
        set_rng_state(state)


def memory_allocated(device=None) -> int:
    return 0


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def memory_stats(device=None) -> OrderedDict:
    return OrderedDict()


def reset_peak_memory_stats(device=None) -> None:
    _no_cuda()


class device:
    """Context manager that selects a GPU; entering it needs one (on a CPU-only install,
    ``device(None)`` and ``device(-1)`` do nothing)."""

    def __init__(self, device) -> None:
        self.idx = -1 if device is None else getattr(device, "index", device)

    def __enter__(self):
        if self.idx not in (-1, None):
            _no_cuda()
        return self

    def __exit__(self, *exc) -> bool:
        return False


from ._runtime import OutOfMemoryError  # noqa: E402 - one class, as torch.cuda's is torch's

amp = _amp.cuda_namespace()
