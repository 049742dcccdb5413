"""``F.embedding``: looks rows up in a table (one graph node, :mod:`ember.ops.embedding`)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.embedding import Embedding
from ...ops._util import as_tensor

__all__ = ["embedding"]

_TORCH_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                "bool": "BoolTensor", "uint8": "ByteTensor", "int8": "CharTensor",
                "int16": "ShortTensor"}


def _check_indices(idx: np.ndarray, rows: int) -> None:
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch."
                           f"{_TORCH_TYPES.get(idx.dtype.name, idx.dtype.name)} instead (while "
                           f"checking arguments for embedding)")
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
