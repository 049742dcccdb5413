"""``einsum`` on ember's differentiable ops: operands are aligned on one index space by
``permute``/``reshape``, multiplied with broadcasting, and indices are summed out as soon as no
remaining operand or the output needs them.

Example::

    >>> einsum("ij,jk->ik", a, b)        # the same values (and gradients) as a @ b
"""
from __future__ import annotations

import string

import numpy as np

import ember

from ..._tensor import Tensor


def _parse(subscripts: str, operands):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
    else:
        lhs, out = subscripts, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: {len(terms)} terms in {subscripts!r} for {len(operands)} operands")
    used = set(lhs.replace(".", ""))
    spare = iter(c for c in string.ascii_letters if c not in used)
    ell_len = max((op.ndim - len(term.replace("...", "")) for term, op in zip(terms, operands)
                   if "..." in term), default=0)
    ell = "".join(next(spare) for _ in range(ell_len))
    expanded = []
    for term, op in zip(terms, operands):
        if "..." in term:
            n = op.ndim - len(term.replace("...", ""))
            term = term.replace("...", ell[ell_len - n:])
        if len(term) != op.ndim:
            raise ValueError(f"einsum: term {term!r} does not match an operand of rank {op.ndim}")
        expanded.append(term)
    if out is None:
        counts = {}
        for c in "".join(expanded):
            counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return expanded, out


def _take_diagonals(term: str, x: Tensor):
    """Repeated letters in one term (``'ii'``) become one axis holding the diagonal."""
    while len(set(term)) < len(term):
        c = next(c for c in term if term.count(c) > 1)
        i, j = term.index(c), term.index(c, term.index(c) + 1)
        n = x.shape[i]
        idx = [slice(None)] * x.ndim
        ar = Tensor._make(np.arange(n))
        idx[i], idx[j] = ar, ar
        perm = [k for k in range(x.ndim) if k not in (i, j)]
        x = ember.permute(x, [i, j] + perm)[(ar, ar)]  # diagonal moves to the front
        term = c + "".join(term[k] for k in perm)
    return term, x


def einsum(subscripts: str, *operands: Tensor) -> Tensor:
    terms, out = _parse(subscripts, operands)
    pairs = [_take_diagonals(term, x) for term, x in zip(terms, operands)]
    letters = "".join(dict.fromkeys("".join(t for t, _ in pairs) + out))
    acc, acc_term = None, ""
    for k, (term, x) in enumerate(pairs):
        later = set(out).union(*(set(t) for t, _ in pairs[k + 1:]))
        if acc is None:
            acc, acc_term = x, term
        else:
            space = "".join(c for c in letters if c in acc_term or c in term)
            acc = ember.mul(_align(acc, acc_term, space), _align(x, term, space))
            acc_term = space
        done = [i for i, c in enumerate(acc_term) if c not in later]
        if done:
            acc = ember.sum(acc, dim=tuple(done))
            acc_term = "".join(c for c in acc_term if c in later)
    return ember.permute(acc, [acc_term.index(c) for c in out]) if out else acc


def _align(x: Tensor, term: str, space: str) -> Tensor:
    """``x`` (axes named by ``term``) permuted to ``space``'s order with size-1 axes inserted."""
    order = [term.index(c) for c in space if c in term]
    x = ember.permute(x, order) if order != list(range(len(order))) else x
    present = [c for c in space if c in term]
    shape = [x.shape[present.index(c)] if c in term else 1 for c in space]
    return x.reshape(shape)
