"""Variable-length sequences, as ``torch.nn.utils.rnn``: pad a list of sequences, pack a padded
batch (``PackedSequence``) for the recurrent layers, and unpack their output.

A ``PackedSequence`` stores, step by step, the rows of the sequences still running at that
step (sequences sorted by length, longest first): ``data`` is ``(Σ lengths, *)`` and
``batch_sizes[t]`` the number of sequences longer than ``t``. Every conversion is one
differentiable gather, so gradients flow back to the padded input.

Example::

    >>> from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> x = ember.tensor([[1., 2., 0.], [3., 0., 0.], [4., 5., 6.]])
    >>> packed = pack_padded_sequence(x, [2, 1, 3], batch_first=True, enforce_sorted=False)
    >>> packed.data, packed.batch_sizes
    (tensor([4., 1., 3., 5., 2., 6.]), tensor([3, 2, 1]))
    >>> pad_packed_sequence(packed, batch_first=True)[0]
    tensor([[1., 2., 0.],
            [3., 0., 0.],
            [4., 5., 6.]])
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import _creation
from ..._tensor import Tensor
from ...ops._util import as_tensor
from ...ops.shape import cat

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_SORT_MSG = ("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
             "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
             "sidestep this requirement if you do not need ONNX exportability.")


class PackedSequence(NamedTuple):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``; made by
    :func:`pack_padded_sequence` or :func:`pack_sequence`, accepted by every recurrent layer."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args, **kwargs) -> "PackedSequence":
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def float(self) -> "PackedSequence":
        return self._replace(data=self.data.float())

    def double(self) -> "PackedSequence":
        return self._replace(data=self.data.double())

    @property
    def is_cuda(self) -> bool:
        return False

    def lengths(self) -> np.ndarray:
        """Length of each sequence, in sorted order (longest first)."""
        bs = self.batch_sizes._data
        return (np.arange(int(bs[0]))[None, :] < bs[:, None]).sum(axis=0) if bs.size else bs


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None)."""
    if permutation is None:
        return None
    p = as_tensor(permutation)._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._make(out)


def _lengths_array(lengths) -> np.ndarray:
    arr = np.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        if arr.ndim == 1 and arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{arr.ndim}D {arr.dtype} values")
    return arr.astype(np.int64)


def _time_major(x: Tensor, batch_first: bool) -> Tensor:
    return x.transpose(0, 1) if batch_first else x


def _packed_index(lengths: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``lengths``: the flat (step·batch + row) position of every packed row, and
    the batch sizes."""
    steps = int(lengths[0]) if lengths.size else 0
    batch_sizes = (lengths[None, :] > np.arange(steps)[:, None]).sum(axis=1).astype(np.int64)
    index = np.concatenate([t * batch + np.arange(n) for t, n in enumerate(batch_sizes)]) \
        if steps else np.zeros(0, np.int64)
    return index, batch_sizes


def pack_padded_sequence(input, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Packs a padded batch ``(T, B, *)`` (``(B, T, *)`` when ``batch_first``) of sequences
    with the given ``lengths``.

    Args:
        enforce_sorted: require ``lengths`` in decreasing order; False sorts them (and the
            batch) and records ``sorted_indices`` to restore the order.
    """
    x = as_tensor(input)
    lens = _lengths_array(lengths)
    batch = x.shape[0] if batch_first else x.shape[1]
    if lens.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.size} (batch_size={batch})")
    sorted_indices = None
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(_SORT_MSG)
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = Tensor._make(order.astype(np.int64))
        lens = lens[order]
        x = x[order] if batch_first else x[:, order]
    if lens.size and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    steps = x.shape[1] if batch_first else x.shape[0]
    if lens.size and lens[0] > steps:
        raise RuntimeError(f"lengths must not exceed the padded length: got a length of "
                           f"{int(lens[0])} for {steps} steps")
    tm = _time_major(x, batch_first)
    index, batch_sizes = _packed_index(lens, batch)
    flat = tm.reshape((tm.shape[0] * batch,) + tuple(tm.shape[2:]))
    return PackedSequence(flat[index], Tensor._make(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def _padded_from_packed(sequence: PackedSequence, padding_value: float, steps: int) -> Tensor:
    """The time-major padded batch, rows in sorted order."""
    data = sequence.data
    batch_sizes = sequence.batch_sizes._data
    batch = int(batch_sizes[0])
    index, _ = _packed_index(sequence.lengths(), batch)
    rest = tuple(data.shape[1:])
    pad_row = _creation.full((1,) + rest, padding_value, dtype=data.dtype)
    source = cat([data, pad_row], 0)
    where = np.full(steps * batch, data.shape[0], np.int64)
    where[index] = np.arange(index.size)
    return source[where].reshape((steps, batch) + rest)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """Inverse of :func:`pack_padded_sequence`: ``(padded, lengths)`` in the original order.

    Args:
        total_length: pad to this many steps (at least the longest sequence).
    """
    steps = int(sequence.batch_sizes.shape[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    padded = _padded_from_packed(sequence, padding_value, steps)
    lengths = sequence.lengths()
    if sequence.unsorted_indices is not None:
        back = sequence.unsorted_indices._data
        padded = padded[:, back]
        lengths = lengths[back]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor._make(np.asarray(lengths, np.int64))


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stacks sequences ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` when ``batch_first``),
    padding each to the longest with ``padding_value`` on ``padding_side``."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = [as_tensor(s) for s in sequences]
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    rest = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != rest:
            raise RuntimeError(f"The size of tensor a ({rest[0] if rest else 0}) must match the "
                               f"size of tensor b ({s.shape[1] if s.ndim > 1 else 0}) at "
                               f"non-singleton dimension 1")
    lens = [s.shape[0] for s in sequences]
    steps, batch = max(lens), len(sequences)
    dtype = sequences[0].dtype
    pad_row = _creation.full((1,) + rest, padding_value, dtype=dtype)
    source = cat([s.to(dtype) for s in sequences] + [pad_row], 0)
    where = np.full((steps, batch), source.shape[0] - 1, np.int64)
    start = 0
    for b, n in enumerate(lens):
        offset = 0 if padding_side == "right" else steps - n
        where[offset:offset + n, b] = np.arange(start, start + n)
        start += n
    out = source[where.reshape(-1)].reshape((steps, batch) + rest)
    return out.transpose(0, 1) if batch_first else out


def unpad_sequence(padded_sequences, lengths, batch_first: bool = False) -> list:
    """Splits a padded batch back into a list of sequences of the given ``lengths``."""
    x = as_tensor(padded_sequences)
    x = x if batch_first else x.transpose(0, 1)
    return [x[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of sequences ``(L_i, *)`` (longest first unless ``enforce_sorted=False``)."""
    lengths = [as_tensor(s).shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences in a ``PackedSequence``, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

