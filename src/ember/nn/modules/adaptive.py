"""``AdaptiveLogSoftmaxWithLoss`` (Grave et al., 2017, "Efficient softmax approximation for
GPUs"): frequent classes in a head softmax, rare ones in clusters reached through one head
entry each, whose projections shrink by ``div_value`` per cluster; torch's names, structure
(``head``, ``tail.i.0``/``tail.i.1``), errors and numbers, composed from ember's ops.

Example::

    >>> asm = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 100, cutoffs=[10, 40])
    >>> out = asm(ember.randn(8, 16), ember.randint(0, 100, (8,)))
    >>> out.output.shape, out.loss.shape
    (ember.Size([8]), ember.Size([]))
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import _creation
from ...ops._util import as_tensor
from ...ops.shape import cat
from .. import functional as F
from ..module import Module
from .container import ModuleList, Sequential
from .linear import Linear

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Log-probabilities of ``n_classes`` classes split at ``cutoffs``: classes below
    ``cutoffs[0]`` are scored by the head, the others by cluster ``i`` (classes
    ``cutoffs[i]..cutoffs[i+1]``) through a projection to ``in_features // div_value**(i+1)``.

    Args:
        in_features, n_classes: input size and number of classes.
        cutoffs: increasing, unique integers in ``1..n_classes-1``.
        div_value: how much each cluster's projection shrinks (default 4).
        head_bias: give the head a bias (default False).

    ``forward(input (N, in_features), target (N,))`` → ``(output, loss)``: each target's
    log-probability and the mean negative log-likelihood. ``log_prob(input)`` gives every
    class's log-probability, ``predict(input)`` the most likely class.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs, div_value: float = 4.0,
                 head_bias: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            width = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, width, bias=False, dtype=dtype),
                                        Linear(width, size, bias=False, dtype=dtype)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input_, target_):
        input_, target_ = as_tensor(input_), as_tensor(target_)
        if target_.ndim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {input_.shape}")
        elif target_.ndim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {input_.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.ndim > 0
        x = input_ if batched else input_.unsqueeze(0)
        target = (target_._data if batched else target_._data.reshape(1)).astype(np.int64)
        if target.size and (target.min() < 0 or target.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values "
                               f"in range [{int(target.min())}, {int(target.max())}] were found. ")
        head_column = target.copy()                       # the head entry each row is scored by
        output = _creation.zeros(target.shape[0], dtype=x.dtype)
        for i, (low, high) in enumerate(zip(self.cutoffs, self.cutoffs[1:])):
            rows = np.flatnonzero((target >= low) & (target < high))
            if not rows.size:
                continue
            head_column[rows] = self.shortlist_size + i
            logp = F.log_softmax(self.tail[i](x[rows]), dim=1)
            picked = logp.gather(1, as_tensor((target[rows] - low)[:, None])).squeeze(1)
            output = output.index_copy(0, as_tensor(rows), picked)
        head_logp = F.log_softmax(self.head(x), dim=1)
        output = output + head_logp.gather(1, as_tensor(head_column[:, None])).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, x, head_output):
        head_logp = F.log_softmax(head_output, dim=1)
        parts = [head_logp[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster = F.log_softmax(projection(x), dim=1)
            parts.append(cluster + head_logp[:, self.shortlist_size + i:self.shortlist_size + i + 1])
        return cat(parts, dim=1)

    def log_prob(self, input):
        """Every class's log-probability: ``(N, n_classes)`` (or ``(n_classes,)``)."""
        input = as_tensor(input)
        x = input if input.ndim > 1 else input.unsqueeze(0)
        out = self._full_log_prob(x, self.head(x))
        return out if input.ndim > 1 else out.squeeze(0)

    def predict(self, input):
        """The most likely class of each row (the head's argmax when it is a frequent class)."""
        input = as_tensor(input)
        x = input if input.ndim > 1 else input.unsqueeze(0)
        head_output = self.head(x)
        best = head_output.argmax(dim=1)
        rare = best._data >= self.shortlist_size
        if rare.any():
            rows = np.flatnonzero(rare)
            full = self._full_log_prob(x[rows], head_output[rows])
            best._data[rows] = full.argmax(dim=1)._data
        return best if input.ndim > 1 else best.squeeze(0)
