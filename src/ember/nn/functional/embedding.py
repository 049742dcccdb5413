"""``F.embedding`` looks rows up in a table; ``F.embedding_bag`` reduces bags of them (one
graph node each, :mod:`ember.ops.embedding`)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.embedding import Embedding, EmbeddingBag
from ...ops._util import as_tensor

__all__ = ["embedding", "embedding_bag"]

_TORCH_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                "bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor",
                "int16": "ShortTensor"}


def _check_indices(idx: np.ndarray, rows: int, op: str = "embedding") -> None:
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch."
                           f"{_TORCH_TYPES.get(idx.dtype.name, idx.dtype.name)} instead (while "
                           f"checking arguments for {op})")
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise IndexError(f"index out of range in self: index {bad} for an embedding table of "
                         f"{rows} rows (valid indices 0..{rows - 1})")


def _padding_row(padding_idx, rows: int):
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"Padding_idx must be within num_embeddings, got padding_idx="
                         f"{padding_idx} for num_embeddings={rows}")
    return padding_idx % rows


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's ``embedding_renorm_``: rows used by ``idx`` whose norm exceeds ``max_norm`` are
    scaled down to it, in place and without a gradient."""
    rows = np.unique(idx)
    w = weight._data
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    w[rows[big]] *= scale[:, None].astype(w.dtype)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """Rows of ``weight`` at the integer ``input`` indices.

    Args:
        input: int64/int32 indices of any shape. weight: the table ``(num_embeddings, dim)``.
        padding_idx: this row gets no gradient. max_norm: rows looked up whose ``norm_type``
            norm exceeds it are rescaled in place first. scale_grad_by_freq: divide each row's
            gradient by its count in ``input``. sparse: accepted; gradients are dense.

    Shape: input ``(*)`` → output ``(*, dim)``.

    Example::

        >>> import ember.nn.functional as F
        >>> F.embedding(ember.tensor([1, 1]), ember.eye(2))
        tensor([[0., 1.],
                [0., 1.]])
    """
    idx = as_tensor(input)._data
    rows = weight.shape[0]
    _check_indices(idx, rows)
    pad = _padding_row(padding_idx, rows)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx.astype(np.int64, copy=False), padding_idx=pad,
                           scale_grad_by_freq=scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2.0,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False, padding_idx=None):
    """The sum, mean or max of each bag of rows of ``weight``, without the per-row tensor.

    Args:
        input: ``(B, N)`` indices (B bags of N), or 1-D indices cut into bags at ``offsets``.
        offsets: 1-D start of each bag in a 1-D ``input`` (``include_last_offset``: the last
            entry ends the last bag instead of starting one).
        mode: ``"sum"``, ``"mean"`` (default) or ``"max"``.
        per_sample_weights: like ``input``; each row's weight in a ``"sum"``.
        padding_idx: entries with this index are left out of their bag (and of the mean).
        max_norm, norm_type, scale_grad_by_freq, sparse: as :func:`embedding`.

    Shape: ``(B, dim)``; an empty bag gives zeros.

    Example::

        >>> import ember.nn.functional as F
        >>> F.embedding_bag(ember.tensor([0, 2, 1]), ember.eye(3), ember.tensor([0, 2]),
        ...                 mode="sum")
        tensor([[1., 0., 1.],
                [0., 1., 0.]])
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    idx = as_tensor(input)._data
    _check_indices(idx, weight.shape[0], "embedding_bag")
    psw = None if per_sample_weights is None else as_tensor(per_sample_weights)
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as "
                           f"tensor for argument #1 'per_sample_weights'; but type "
                           f"ember.{_TORCH_TYPES.get(weight.dtype.name, weight.dtype.name)} does "
                           f"not equal ember.{_TORCH_TYPES.get(psw.dtype.name, psw.dtype.name)} "
                           f"(while checking arguments for embedding_bag)")
    if psw is not None and tuple(psw.shape) != tuple(idx.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights (ember.Size({list(psw.shape)})) "
                         f"is not None, then it must have the same shape as the input "
                         f"(ember.Size({list(idx.shape)}))")
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        starts = np.arange(0, idx.size, max(idx.shape[1], 1), dtype=np.int64)[:idx.shape[0]]
        idx = idx.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        starts = np.asarray(as_tensor(offsets)._data).astype(np.int64).reshape(-1)
        if starts.size and starts[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                               f"mini-batch has to start from position 0. However, got "
                               f"{int(starts[0])}")
        if starts.size and starts[-1] > idx.size:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {idx.size} "
                               f"but got offsets[-1] of {int(starts[-1])}")
        if np.any(np.diff(starts) < 0):
            raise RuntimeError(f"embedding_bag: offsets must not decrease; got "
                               f"{starts.tolist()}")
        if include_last_offset:
            if starts.size:  # entries past the last offset belong to no bag
                idx = idx[:starts[-1]]
                psw = None if psw is None else psw[:int(starts[-1])]
            starts = starts[:-1]
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{idx.ndim}")
    pad = _padding_row(padding_idx, weight.shape[0])
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return EmbeddingBag.apply(weight, idx.astype(np.int64, copy=False), starts, mode, psw,
                              padding_idx=pad, scale_grad_by_freq=scale_grad_by_freq)
