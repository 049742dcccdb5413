"""``ember.func`` (torch's ``torch.func``), as far as ember goes: :func:`functional_call` (a
module called with other parameters and buffers, the usual way to write meta-learning and
per-example code) and ``vmap`` (``ember.vmap``: one call per slice, stacked). torch.func's
function transforms (``grad``, ``jacrev``, ``jvp``, …) are not here: ember's backward builds no
graph of its own.

Example::

    >>> m = ember.nn.Linear(2, 1)
    >>> params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
    >>> ember.func.functional_call(m, params, (ember.tensor([[1.0, 2.0]]),))
    tensor([[3.]])
"""
from __future__ import annotations

from collections.abc import Sequence

from ._runtime import vmap
from .nn.utils.stateless import call_with

__all__ = ["functional_call", "vmap"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the tensors of ``parameter_and_buffer_dicts`` (one dict,
    or several with distinct keys; dotted names as in ``state_dict``) in place of its own.

    Args:
        module: the module to call.
        parameter_and_buffer_dicts: ``{name: tensor}`` or a sequence of such dicts.
        args: one positional argument or a tuple of them.
        kwargs: keyword arguments of the call.
        tie_weights: a value given for one name of a shared tensor is used for all its names.
        strict: the names must be exactly the module's parameters and buffers.
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional "
                             "call is ambiguous")
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    return call_with(module, values, args, kwargs, tie_weights=tie_weights, strict=strict)
