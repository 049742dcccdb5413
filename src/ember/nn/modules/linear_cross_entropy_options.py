"""``LinearCrossEntropyOptions``: torch's settings for a chunked ``linear_cross_entropy``.

torch uses them to process the batch in pieces so the full ``(N, C)`` logits are never held at
once (a memory saving for very large class counts). ember accepts and validates them, and always
computes the same numbers by the reference path (linear, then cross-entropy).

Example::

    >>> opts = ember.nn.LinearCrossEntropyOptions(batch_chunk_size=1024)
    >>> opts.acc_policy
    'auto'
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LinearCrossEntropyOptions"]

_ACC_POLICIES = ("accurate", "balanced", "compact", "auto")


@dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """Chunking options of :func:`ember.nn.functional.linear_cross_entropy` (torch's fields and
    defaults; the result does not depend on them)."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.batch_chunk_size is not None and (not isinstance(self.batch_chunk_size, int)
                                                  or self.batch_chunk_size < 1):
            raise ValueError(f"batch_chunk_size must be positive int or None, got "
                             f"{self.batch_chunk_size!r}")
