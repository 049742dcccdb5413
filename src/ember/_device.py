"""Devices, answered as a CPU-only torch install answers.

``ember.device("cuda")`` is a valid description of a device, as in torch; what fails is putting
a tensor on it, with the error a CPU-only torch gives (``AssertionError: Torch not compiled with
CUDA enabled``). So the usual boilerplate runs unchanged::

    >>> device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    >>> ember.zeros(2, device=device).device
    device(type='cpu')
"""
from __future__ import annotations

import builtins
import re

__all__ = ["device", "check_device", "get_default_device", "set_default_device"]

# the device types torch's parser knows (anything else is a RuntimeError naming them)
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_NOT_COMPILED = {"cuda": "CUDA", "hip": "CUDA", "xpu": "XPU", "mtia": "MTIA"}


class device:
    """A device description: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 1)``.

    Only ``cpu`` can hold tensors; asking to put one anywhere else raises the error a CPU-only
    torch raises.

    Example::

        >>> ember.device("cuda", 1)
        device(type='cuda', index=1)
    """

    __module__ = "ember"   # torch's classes say "torch"

    __slots__ = ("type", "index")

    def __init__(self, type, index=None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, builtins.int) and not isinstance(type, builtins.bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), but expected a device string "
                            f"such as 'cpu' or 'cuda:0'")
        else:
            m = re.fullmatch(r"([a-z_]+)(?::(\d+))?", type)
            if m is None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            type = m.group(1)
            if m.group(2) is not None:
                if index is not None:
                    raise RuntimeError(f"type (string) must not include an index because index "
                                       f"was passed explicitly: {type}:{m.group(2)}")
                index = builtins.int(m.group(2))
            if type not in _TYPES:
                raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of "
                                   f"device string: {type}")
        if index is not None and not isinstance(index, builtins.int):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{builtins.type(index).__name__}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_CPU = device("cpu")
_device_class = device
_DEFAULT = [None]   # the device set by set_default_device (None: the CPU)


def check_device(d, factory: bool = True) -> device:
    """The CPU device when ``d`` names it (or is None); else torch's CPU-only error (which for
    ``mps`` differs between making a tensor there, ``factory``, and moving one)."""
    if d is None:
        d = _DEFAULT[0]
        if d is None:
            return _CPU
    if not isinstance(d, device):
        d = device(d)
    if d.type == "cpu":
        return _CPU
    if d.type in _NOT_COMPILED:
        raise AssertionError(f"Torch not compiled with {_NOT_COMPILED[d.type]} enabled")
    if d.type == "mps":
        if factory:
            raise NotImplementedError("Could not run 'aten::empty.memory_format' with arguments "
                                      "from the 'MPS' backend (PyTorch is not linked with support "
                                      "for mps devices)")
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    raise NotImplementedError(f"ember runs on the CPU only; it cannot place tensors on {d.type!r}")


def get_default_device() -> device:
    """The device new tensors are made on: the CPU unless :func:`set_default_device` said
    otherwise (and then using it raises torch's CPU-only error)."""
    return _DEFAULT[0] or _CPU


def set_default_device(device) -> None:  # noqa: F811 - torch's parameter name
    """Sets the device factories use when given none; ``None`` restores the CPU."""
    _DEFAULT[0] = None if device is None else _device_class(device)
