"""``Embedding``: a learnable lookup table of vectors, and ``EmbeddingBag``, which sums,
averages or takes the max of bags of its rows; torch's names and defaults."""
from __future__ import annotations

from ... import _creation
from ...autograd.grad_mode import no_grad
from .. import init
from ..functional.embedding import _padding_row, embedding, embedding_bag
from ..module import Module
from ..parameter import Parameter

__all__ = ["Embedding", "EmbeddingBag"]


def _table_shape(embeddings) -> tuple:
    """``(rows, cols)`` of a pretrained table, which must be 2-D (torch's message)."""
    if embeddings.ndim != 2:
        raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got "
                         f"{embeddings.ndim}-D of shape {tuple(embeddings.shape)}")
    return tuple(embeddings.shape)



#: the options an embedding table's repr leaves out at these values (``mode`` is always shown)
_REPR_DEFAULTS = {"padding_idx": None, "max_norm": None, "norm_type": 2, "scale_grad_by_freq": False,
                  "sparse": False}


def _table_repr(module, names) -> str:
    """torch's ``extra_repr`` of an embedding table: its size, then the options of ``names`` (in
    torch's order for the module) that differ from their defaults."""
    s = f"{module.num_embeddings}, {module.embedding_dim}"
    for name in names:
        value = getattr(module, name)
        if name == "mode":
            s += f", mode='{value}'"
        elif value != _REPR_DEFAULTS[name]:
            s += f", {name}={value}"
    return s


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``input`` holds row
    indices.

    Args:
        num_embeddings, embedding_dim: table size.
        padding_idx: this row starts at zero and gets no gradient (negative counts from the end).
        max_norm, norm_type: rows looked up are rescaled in place to norm ≤ ``max_norm``.
        scale_grad_by_freq: divide each row's gradient by its count in the batch.
        sparse: accepted for torch code; gradients are dense.
        _weight, _freeze: start from this table; ``_freeze`` makes it non-trainable.

    Weights start as N(0, 1) (torch's default). Shape: input ``(*)`` → output ``(*, dim)``.

    Example::

        >>> emb = ember.nn.Embedding(10, 3, padding_idx=0)
        >>> emb(ember.tensor([[0, 2], [4, 9]])).shape
        ember.Size([2, 2, 3])
        >>> emb.weight[0]
        tensor([0., 0., 0.], grad_fn=<SelectBackward0>)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None,
                 max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None,
                 dtype=None) -> None:
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative integer, got "
                                 f"{value!r}")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_row(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(_creation.empty(num_embeddings, embedding_dim, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Shape of weight does not match num_embeddings and "
                                 f"embedding_dim: got {tuple(_weight.shape)}, expected "
                                 f"{(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight.detach(), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """torch's default: N(0, 1), then the padding row set to zero."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        return _table_repr(self, ("padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"))

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose table is a copy of ``embeddings`` (2-D); frozen by default.

        Example::

            >>> emb = ember.nn.Embedding.from_pretrained(ember.eye(3))
            >>> emb(ember.tensor([1])), emb.weight.requires_grad
            (tensor([[0., 1., 0.]]), False)
        """
        rows, cols = _table_shape(embeddings)
        return cls(rows, cols, _weight=embeddings, _freeze=freeze, padding_idx=padding_idx,
                   max_norm=max_norm, norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq,
                   sparse=sparse)


class EmbeddingBag(Embedding):
    """An :class:`Embedding` whose output is the sum, mean or max of each bag of looked-up
    rows (see :func:`F.embedding_bag`): ``forward(input, offsets=None,
    per_sample_weights=None)``.

    Args:
        num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
        sparse, _weight: as :class:`Embedding`. mode: ``"mean"`` (default), ``"sum"`` or
        ``"max"``. include_last_offset: the last offset ends the last bag.

    Shape: ``(B, N)`` input, or 1-D input with ``offsets (B,)`` → ``(B, embedding_dim)``.

    Example::

        >>> bag = ember.nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(ember.tensor([1, 2, 4, 5, 4]), ember.tensor([0, 2])).shape
        ember.Size([2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight=None, include_last_offset: bool = False,
                 padding_idx=None, device=None, dtype=None) -> None:
        super().__init__(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
                         scale_grad_by_freq, sparse, _weight, device=device, dtype=dtype)
        self.mode, self.include_last_offset = mode, include_last_offset

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                             self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                             self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        return _table_repr(self, ("max_norm", "norm_type", "scale_grad_by_freq", "mode", "padding_idx"))

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        mode: str = "mean", sparse: bool = False,
                        include_last_offset: bool = False, padding_idx=None) -> "EmbeddingBag":
        """An EmbeddingBag over a copy of ``embeddings`` (2-D); frozen by default.

        Example::

            >>> ember.nn.EmbeddingBag.from_pretrained(ember.ones(4, 2), mode="max")
            EmbeddingBag(4, 2, mode='max')
        """
        rows, cols = _table_shape(embeddings)
        bag = cls(rows, cols, max_norm=max_norm, norm_type=norm_type,
                  scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  _weight=embeddings, include_last_offset=include_last_offset,
                  padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
