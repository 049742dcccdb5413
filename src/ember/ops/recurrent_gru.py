"""The GRU as one graph node over the whole sequence (see :mod:`ember.ops.recurrent`).

Gates ``r`` (reset), ``z`` (update) and ``n`` (candidate): ``h' = n + z ⊙ (h - n)``, with
``n = act(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))`` (torch, and Keras's default
``reset_after=True``) or ``n = act(x W_inᵀ + b_in + (r ⊙ h) W_hnᵀ + b_hn)``
(``reset_after=False``). ``order`` is ``"rzn"`` (torch) or ``"zrn"`` (Keras).

Example::

    >>> from ember.ops.recurrent_gru import GRURecurrence
    >>> x, h0 = ember.zeros(3, 1, 2), ember.zeros(1, 2)
    >>> GRURecurrence.apply(x, h0, None, ember.ones(6, 2), ember.ones(6, 2), None, None,
    ...                     None, order="zrn").shape
    ember.Size([8])
"""
from __future__ import annotations

import numpy as np

from . import _workspace
from .recurrent import ACTIVATIONS, _Recurrence

__all__ = ["GRURecurrence"]


class GRURecurrence(_Recurrence):
    """GRU over a whole sequence, one node; options as the other recurrences plus ``order``
    and ``reset_after``."""

    GATES = 3
    INNER = (0, 1, 2)
    CELL_SAVES_OUTPUT = False

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask=None, reverse=False,
                masked_output="zero", x_mask=None, h_mask=None, activation="tanh",
                recurrent_activation="sigmoid", order="rzn", reset_after=True, cell=False):
        self._begin(x, h0, w_ih, w_hh, mask, reverse, masked_output, x_mask, h_mask, cell)
        act, self.dact = ACTIVATIONS[activation]
        self.ract, self.dract = ACTIVATIONS[recurrent_activation]
        T, B, H, dt = self.T, self.B, self.H, self.dtype
        r_at = 0 if order == "rzn" else 1
        self.rs, self.zs = self._blocks(r_at), self._blocks(1 - r_at)
        self.reset_after = reset_after
        fold = None
        if b_hh is not None:
            fold = b_hh.copy()
            fold[2 * H:] = 0
        gates = self._project(b_ih, fold)
        bhn = b_hh[2 * H:] if b_hh is not None else None
        S = _workspace.empty((T, B, H), dt)
        HN = _workspace.empty((T, B, H), dt)  # reset_after: h W_hnᵀ + b_hn; else r ⊙ h
        tmp = np.empty((B, 3 * H), dt)
        ract, rs, zs, idle = self.ract, self.rs, self.zs, self.idle
        h = h0
        with np.errstate(over="ignore"):
            for t in self.order:
                z = gates[t]
                if reset_after:
                    self._recurrent(h, tmp, w_hh, h_mask)
                    if bhn is not None:
                        tmp[:, 2 * H:] += bhn
                    HN[t] = tmp[:, 2 * H:]
                    z[:, :2 * H] += tmp[:, :2 * H]
                    ract(z[:, :2 * H], z[:, :2 * H])
                    np.multiply(z[:, rs], HN[t], out=tmp[:, 2 * H:])
                    z[:, 2 * H:] += tmp[:, 2 * H:]
                else:
                    self._reset_before(h, z, HN[t], tmp, bhn)
                n, u = z[:, 2 * H:], z[:, zs]
                act(n, n)
                hn = S[t]
                np.subtract(h, n, out=hn)
                hn *= u
                hn += n
                if idle[t] is not None:
                    self._carry(t, hn, h)
                h = hn
        self.gates, self.S, self.HN = gates, S, HN
        return self._finish(S)

    def _reset_before(self, h, z, rh, tmp, bhn):
        """reset_after=False: r and z from ``h``, then the candidate from ``r ⊙ h``."""
        H, w, hm = self.H, self.w_hh, self.h_mask
        if hm is None:
            np.matmul(h, w[:2 * H].T, out=tmp[:, :2 * H])
        else:
            for k in (0, 1):
                np.matmul(h * hm[k], w[self._blocks(k)].T, out=tmp[:, self._blocks(k)])
        z[:, :2 * H] += tmp[:, :2 * H]
        self.ract(z[:, :2 * H], z[:, :2 * H])
        np.multiply(z[:, self.rs], h if hm is None else h * hm[2], out=rh)
        np.matmul(rh, w[2 * H:].T, out=tmp[:, 2 * H:])
        if bhn is not None:
            tmp[:, 2 * H:] += bhn
        z[:, 2 * H:] += tmp[:, 2 * H:]

    def _coefficients(self):
        """``dz = dh · cz``, ``dn = dh · cn`` (input side) and the kept update gate."""
        T, B, H, dt = self.T, self.B, self.H, self.dtype
        u, n = self.gates[..., self.zs], self.gates[..., 2 * H:]
        cz, cn, scratch = (_workspace.empty((T, B, H), dt) for _ in range(3))
        self.dract(u, cz)                     # cz = (h_{t-1} - n) u'
        np.multiply(cz, n, out=scratch)
        for steps, hin in self._entering(self.S, self.h0):
            cz[steps] *= hin
        cz -= scratch
        self.dact(n, cn)                      # cn = (1 - u) n'
        np.multiply(cn, u, out=scratch)
        cn -= scratch
        return self._masked(cz), self._masked(cn), self._kept(u)

    def backward(self, g):
        gy, dh, _ = self._split_grad(g)
        T, B, H, rs, zs = self.T, self.B, self.H, self.rs, self.zs
        cz, cn, uc = self._coefficients()
        r = self.gates[..., rs]
        cr = _workspace.empty((T, B, H), self.dtype)
        self.dract(r, cr)
        D = _workspace.empty((T, B, 3 * H), self.dtype)   # hidden side: (dr, dz, dn ⊙ r) in caller order
        DN = _workspace.empty((T, B, H), self.dtype)      # input side of the candidate
        if self.reset_after:
            cr *= self.HN
            dh = self._walk_after(gy, dh, cz, cn, cr, r, uc, D, DN)
            dw_hh = self._hidden_grad(D, self.S)
        else:
            for steps, hin in self._entering(self.S, self.h0):
                cr[steps] *= hin if self.h_mask is None else hin * self.h_mask[2]
            dh = self._walk_before(gy, dh, cz, cn, cr, r, uc, D, DN)
            dw_hh = np.concatenate([self._hidden_grad(D, self.S, blocks=(0, 1)),
                                    DN.reshape(-1, H).T @ self.HN.reshape(-1, H)])
        db_hh = D.sum(axis=(0, 1)) if self.needs_grad(6) else None
        D[..., 2 * H:] = DN
        dx, dw_ih, db_ih = self._project_grad(D)
        return dx, dh, None, dw_ih, dw_hh, db_ih, db_hh, None

    def _walk_after(self, gy, dh, cz, cn, cr, r, uc, D, DN):
        H, rs, zs = self.H, self.rs, self.zs
        tmp = np.empty_like(dh)
        for t in reversed(self.order):
            dh += gy[t]
            dn = DN[t]
            np.multiply(dh, cn[t], out=dn)
            np.multiply(dh, cz[t], out=D[t][:, zs])
            np.multiply(dn, cr[t], out=D[t][:, rs])
            np.multiply(dn, r[t], out=D[t][:, 2 * H:])
            new = np.empty_like(dh)
            self._recurrent_grad(D[t], new)
            np.multiply(dh, uc[t], out=tmp)
            new += tmp
            dh = new
        return dh

    def _walk_before(self, gy, dh, cz, cn, cr, r, uc, D, DN):
        H, w, hm, rs, zs = self.H, self.w_hh, self.h_mask, self.rs, self.zs
        rm = r if hm is None else r * hm[2]
        w_n = w[2 * H:]
        drh, tmp = np.empty_like(dh), np.empty_like(dh)
        for t in reversed(self.order):
            dh += gy[t]
            dn = DN[t]
            np.multiply(dh, cn[t], out=dn)
            np.multiply(dh, cz[t], out=D[t][:, zs])
            np.matmul(dn, w_n, out=drh)
            np.multiply(drh, cr[t], out=D[t][:, rs])
            D[t][:, 2 * H:] = dn
            new = np.empty_like(dh)
            if hm is None:
                np.matmul(D[t][:, :2 * H], w[:2 * H], out=new)
            else:
                new[...] = (D[t][:, :H] @ w[:H]) * hm[0]
                new += (D[t][:, H:2 * H] @ w[H:2 * H]) * hm[1]
            drh *= rm[t]
            new += drh
            np.multiply(dh, uc[t], out=tmp)
            new += tmp
            dh = new
        return dh
