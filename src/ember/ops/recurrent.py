"""Recurrent layers as single graph nodes: one node runs a whole sequence through an RNN, LSTM
or GRU layer in one direction, and its backward walks the sequence once (no per-step graph, so
a 10,000-step sequence costs 10,000 loop turns, not 10,000 nodes).

The input projection of every step is one matmul (``x @ W_ihᵀ + b``, before the loop); each step
is then one small matmul (``h @ W_hhᵀ``) and an elementwise gate update. The backward walks the
steps in reverse with one small matmul each, then makes the weight gradients with one matmul
per weight over all steps.

Inputs (time-major, ``None`` where absent): ``x (T, B, I)``, ``h0 (B, Hₒ)``, ``c0 (B, H)``
(LSTM), ``w_ih (G·H, I)``, ``w_hh (G·H, Hₒ)``, ``b_ih``, ``b_hh (G·H,)``, ``w_hr (Hₒ, H)``
(LSTM projection, then ``Hₒ = proj``). Gate blocks follow torch's order (LSTM ``i f g o``,
GRU ``r z n``); Keras's LSTM order is the same, its GRU order ``z r h`` is ``order="zrn"``.

Options:
    mask: ``(T, B)`` bool; a row whose step is False keeps its state (packed or padded input).
    masked_output: ``"zero"`` (torch's padding) or ``"carry"`` (Keras: the last output, zeros
        before the row's first step).
    reverse: walk from the last step to the first (reverse direction, Keras's go_backwards).
    x_mask / h_mask: ``(G, B, I)`` / ``(G, B, Hₒ)`` multipliers on the input and on the state
        before each gate's matmul (Keras's dropout and recurrent dropout: one mask per gate,
        fixed over time).
    activation / recurrent_activation: names in :data:`ACTIVATIONS`.

The output is one flat array ``[y (T, B, Hₒ) | h_n (B, Hₒ) | c_n (B, H)]``;
:func:`ember.nn.functional.recurrent.recurrent_layer` splits it.

Example::

    >>> from ember.ops.recurrent import RNNRecurrence
    >>> x, h0, w = ember.zeros(3, 1, 2), ember.zeros(1, 2), ember.eye(2)
    >>> RNNRecurrence.apply(x, h0, None, w, w, None, None, None).shape   # 3·1·2 + 1·2
    ember.Size([8])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from . import _workspace

__all__ = ["ACTIVATIONS", "RNNRecurrence", "LSTMRecurrence"]  # GRURecurrence: recurrent_gru


# ----------------------------------------------------------------- activations
def _sigmoid(a, out):
    """``1 / (1 + exp(-a))`` into ``out`` (exp overflows to inf for very negative a: gives 0)."""
    np.negative(a, out=out)
    np.exp(out, out=out)
    np.add(out, 1, out=out)
    np.reciprocal(out, out=out)


def _hard_sigmoid(a, out):
    """Keras 3's ``relu6(a + 3) / 6``."""
    np.add(a, 3, out=out)
    np.clip(out, 0, 6, out=out)
    np.multiply(out, 1 / 6, out=out)


def _copy(a, out):
    if out is not a:
        np.copyto(out, a)


def _d_tanh(y, out):
    np.multiply(y, y, out=out)
    np.subtract(1, out, out=out)


def _d_sigmoid(y, out):
    np.subtract(1, y, out=out)
    out *= y


def _d_relu(y, out):
    np.greater(y, 0, out=out)


def _d_hard_sigmoid(y, out):
    np.logical_and(y > 0, y < 1, out=out)
    out *= 1 / 6


#: name -> (``fn(a, out)``: the activation of ``a`` into ``out``, which may be ``a``;
#: ``dfn(y, out)``: its derivative from the output ``y``)
ACTIVATIONS = {
    "tanh": (lambda a, out: np.tanh(a, out=out), _d_tanh),
    "sigmoid": (_sigmoid, _d_sigmoid),
    "relu": (lambda a, out: np.maximum(a, 0, out=out), _d_relu),
    "linear": (_copy, lambda y, out: out.fill(1)),
    "hard_sigmoid": (_hard_sigmoid, _d_hard_sigmoid),
}


# ------------------------------------------------------------------- the walk
class _Recurrence(Function):
    """Bookkeeping shared by the cells: step order, masks, projections, the flat output."""

    GATES = 1
    INNER = (0,)  # inner gate block k holds the caller's block INNER[k]
    NAME = "RecurrenceBackward0"
    #: torch runs the layer as one kernel (its CPU LSTM) that saves the input, the initial states,
    #: the weights and the output; its RNN and GRU are linear layers, which save the input only
    #: for the weights' gradient (and the weights only for the input's). See :meth:`_saves`.
    FUSED = False
    #: one step of a cell (``cell=True``) ends in an activation that saves its output (RNNCell)
    CELL_SAVES_OUTPUT = True

    def _begin(self, x, h0, w_ih, w_hh, mask, reverse, masked_output, x_mask, h_mask, cell):
        T, B, _ = x.shape
        if T < 1:
            raise RuntimeError(f"a recurrent layer needs at least one step, got input of shape "
                               f"{tuple(x.shape)}")
        self.T, self.B, self.H = T, B, w_ih.shape[0] // self.GATES
        self.width = h0.shape[1]
        self.dtype = x.dtype
        self.SAVES = self._saves(x, cell)
        # as torch: a strided input (batch_first) is copied once; a later change of it is legal
        self.x = x if x.flags.c_contiguous else np.ascontiguousarray(x)
        self.h0, self.w_ih, self.w_hh = h0, w_ih, w_hh
        self.x_mask, self.h_mask = x_mask, h_mask
        self.reverse = reverse
        self.order = range(T - 1, -1, -1) if reverse else range(T)
        self.last = self.order[-1]
        self.idle = [None] * T  # rows that skip each step (None where every row runs)
        self.active = self.mult = None
        if mask is not None:
            m = np.asarray(mask, bool)
            for t in range(T):
                rows = np.flatnonzero(~m[t])
                self.idle[t] = rows if rows.size else None
            if masked_output == "zero":
                mult = m
            else:  # "carry": zeros until the row's first step
                walk = m[::-1] if reverse else m
                mult = np.logical_or.accumulate(walk, axis=0)
                mult = mult[::-1] if reverse else mult
            self.active = m[:, :, None].astype(self.dtype)
            self.mult = mult[:, :, None].astype(self.dtype)

    def _saves(self, x, cell: bool) -> tuple:
        """What torch saves (:attr:`Function.SAVES`) for a layer, or for one step of a cell
        (``nn.RNNCell``...: linear layers whatever the kind). A layer works on a contiguous copy
        of a strided input (``batch_first``), which a later change of the input does not touch."""
        own = (0,) if x.flags.c_contiguous else ()
        if self.FUSED and not cell:
            return own + (1, 2, 3, 4, 7, "out")
        # h0 always, where torch saves it only for W_hh's gradient: ember's backward reads it
        return ((own if self.needs_grad(3) else ()) + (1,) + ((3,) if self.needs_grad(0) else ()) + (4,)
                + (("out",) if cell and self.CELL_SAVES_OUTPUT else ()))

    def _blocks(self, k: int) -> slice:
        return slice(k * self.H, (k + 1) * self.H)

    def _inner(self, arr, scale=None):
        """The caller's gate blocks of ``arr`` (rows) in inner order, times ``scale[k]``."""
        if arr is None or (self.INNER == tuple(range(self.GATES)) and scale is None):
            return arr
        blocks = [arr[self._blocks(s)] for s in self.INNER]
        if scale is not None:
            blocks = [b * k for b, k in zip(blocks, scale)]
        return np.concatenate(blocks)

    def _project(self, b_ih, b_fold, scale=None):
        """Gates before the loop, inner order: ``((x ⊙ x_mask_g) W_ih_gᵀ + b_ih_g + b_fold_g)``
        times ``scale[g]``."""
        T, B, H, x = self.T, self.B, self.H, self.x
        out = _workspace.empty((T, B, self.GATES * H), self.dtype)
        o2 = out.reshape(T * B, -1)
        w = self._inner(self.w_ih, scale)
        if self.x_mask is None:
            np.matmul(x.reshape(T * B, -1), w.T, out=o2)
        else:
            for k, s in enumerate(self.INNER):
                xm = (x * self.x_mask[s]).reshape(T * B, -1)
                o2[:, self._blocks(k)] = xm @ w[self._blocks(k)].T
        bias = b_ih if b_fold is None else (b_fold if b_ih is None else b_ih + b_fold)
        if bias is not None:
            out += self._inner(bias, scale)
        return out

    def _project_grad(self, D):
        """``(dx, dW_ih, db_ih)`` from the input-side gate gradients ``D (T, B, G·H)``."""
        T, B, x, w, xm = self.T, self.B, self.x, self.w_ih, self.x_mask
        D2 = D.reshape(T * B, -1)
        dx = dw = db = None
        if xm is None:
            if self.needs_grad(0):
                dx = (D2 @ w).reshape(x.shape)
            if self.needs_grad(3):
                dw = D2.T @ x.reshape(T * B, -1)
        else:
            parts = [self._blocks(g) for g in range(self.GATES)]
            if self.needs_grad(0):
                dx = sum((D2[:, p] @ w[p]).reshape(x.shape) * xm[g] for g, p in enumerate(parts))
            if self.needs_grad(3):
                dw = np.concatenate([D2[:, p].T @ (x * xm[g]).reshape(T * B, -1)
                                     for g, p in enumerate(parts)])
        if self.needs_grad(5):
            db = D2.sum(axis=0)
        return dx, dw, db

    def _inner_recurrent(self, scale=None):
        """``w_hh`` (times ``scale``) and ``h_mask`` in inner gate order, for the forward loop."""
        hm = self.h_mask
        if hm is not None:
            hm = [hm[s] for s in self.INNER]
        return self._inner(self.w_hh, scale), hm

    def _recurrent(self, h, out, w, masks):
        """``out = (h ⊙ mask_g) @ w_gᵀ`` for every gate block: one matmul when unmasked."""
        if masks is None:
            np.matmul(h, w.T, out=out)
            return
        for g in range(self.GATES):
            p = self._blocks(g)
            np.matmul(h * masks[g], w[p].T, out=out[:, p])

    def _recurrent_grad(self, d, out):
        """The state's gradient through the recurrent matmul: ``Σ_g (d_g @ W_hh_g) ⊙ h_mask_g``."""
        w, hm = self.w_hh, self.h_mask
        if hm is None:
            np.matmul(d, w, out=out)
            return
        out[...] = 0
        for g in range(self.GATES):
            p = self._blocks(g)
            out += (d[:, p] @ w[p]) * hm[g]

    def _entering(self, states, first):
        """``(steps, states entering them)`` pairs covering every step, without copies."""
        if self.reverse:
            return ((slice(0, self.T - 1), states[1:]), (slice(self.T - 1, self.T), first[None]))
        return ((slice(1, self.T), states[:-1]), (slice(0, 1), first[None]))

    def _hidden_grad(self, D, S, blocks=None):
        """``dW_hh = Σ_t D[t]ᵀ (h_{t-1} ⊙ h_mask)`` over the gate ``blocks`` (default all)."""
        W = self.width
        if self.h_mask is None and blocks is None:
            return sum(D[steps].reshape(-1, D.shape[2]).T @ hin.reshape(-1, W)
                       for steps, hin in self._entering(S, self.h0))
        parts = []
        for g in (range(self.GATES) if blocks is None else blocks):
            p = self._blocks(g)
            acc = 0
            for steps, hin in self._entering(S, self.h0):
                if self.h_mask is not None:
                    hin = hin * self.h_mask[g]
                acc = acc + D[steps, :, p].reshape(-1, self.H).T @ hin.reshape(-1, W)
            parts.append(acc)
        return np.concatenate(parts)

    def _carry(self, t, new, old):
        rows = self.idle[t]
        new[rows] = old[rows]

    def _finish(self, S, extra=None):
        """The flat output ``[y | h_n | c_n]``; ``S`` holds the (carried) states in time order."""
        y = S if self.mult is None else S * self.mult
        parts = [y.ravel(), S[self.last].ravel()]
        if extra is not None:
            parts.append(extra.ravel())
        return np.concatenate(parts)

    def _split_grad(self, g, cell=False):
        T, B, W = self.T, self.B, self.width
        n = T * B * W
        gy = g[:n].reshape(T, B, W)
        if self.mult is not None:
            gy = gy * self.mult
        gh = g[n:n + B * W].reshape(B, W).copy()
        gc = g[n + B * W:].reshape(B, self.H).copy() if cell else None
        return gy, gh, gc

    def _masked(self, arr):
        """Zeroes a backward coefficient ``(T, B, …)`` at the idle (step, row) pairs."""
        if self.active is not None:
            arr *= self.active if arr.ndim == 3 else self.active[..., None]
        return arr

    def _kept(self, arr):
        """``arr`` with 1 at the idle (step, row) pairs (a gate that keeps the state)."""
        if self.active is None:
            return arr
        out = _workspace.empty(arr.shape, arr.dtype)
        np.multiply(arr, self.active, out=out)
        out += 1 - self.active
        return out


class RNNRecurrence(_Recurrence):
    """Elman RNN: ``h_t = act(x_t W_ihᵀ + b_ih + b_hh + h_{t-1} W_hhᵀ)``."""

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask=None, reverse=False,
                masked_output="zero", x_mask=None, h_mask=None, activation="tanh", cell=False):
        self._begin(x, h0, w_ih, w_hh, mask, reverse, masked_output, x_mask, h_mask, cell)
        act, self.dact = ACTIVATIONS[activation]
        S = self._project(b_ih, b_hh)
        w, masks = self._inner_recurrent()
        tmp = np.empty((self.B, self.H), self.dtype)
        h, idle = h0, self.idle
        with np.errstate(over="ignore"):
            for t in self.order:
                self._recurrent(h, tmp, w, masks)
                z = S[t]
                z += tmp
                act(z, z)
                if idle[t] is not None:
                    self._carry(t, z, h)
                h = z
        self.S = S
        return self._finish(S)

    def backward(self, g):
        gy, dh, _ = self._split_grad(g)
        S = self.S
        D = _workspace.empty(S.shape, S.dtype)
        self.dact(S, D)  # the coefficient first, then each step's gradient in place
        self._masked(D)
        idle = self.idle
        for t in reversed(self.order):
            dh += gy[t]
            D[t] *= dh
            new = np.empty_like(dh)
            self._recurrent_grad(D[t], new)
            if idle[t] is not None:
                self._carry(t, new, dh)
            dh = new
        dw_hh = self._hidden_grad(D, S)
        db_hh = D.sum(axis=(0, 1)) if self.needs_grad(6) else None
        dx, dw_ih, db_ih = self._project_grad(D)
        return dx, dh, None, dw_ih, dw_hh, db_ih, db_hh, None


class LSTMRecurrence(_Recurrence):
    """LSTM with torch's gates ``i f g o``: ``c_t = f c_{t-1} + i g``, ``h_t = o act(c_t)``,
    then ``h_t @ W_hrᵀ`` when a projection ``w_hr`` is given.

    Inside, the gates are kept as ``i f o g`` so that one call activates the three gates."""

    GATES = 4
    INNER = (0, 1, 3, 2)
    FUSED = True
    CELL_SAVES_OUTPUT = False

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask=None, reverse=False,
                masked_output="zero", x_mask=None, h_mask=None, activation="tanh",
                recurrent_activation="sigmoid", cell=False):
        self._begin(x, h0, w_ih, w_hh, mask, reverse, masked_output, x_mask, h_mask, cell)
        act, self.dact = ACTIVATIONS[activation]
        ract, self.dract = ACTIVATIONS[recurrent_activation]
        T, B, H, dt = self.T, self.B, self.H, self.dtype
        # with the default activations, one exp serves all four gates: the gates are kept as
        # -z (i f o) and -2z (g), so that σ(z) = 1 / (1 + e^{-z}) and tanh(z) = 2σ(2z) - 1
        logistic = activation == "tanh" and recurrent_activation == "sigmoid"
        scale = (-1, -1, -1, -2) if logistic else None
        gates = self._project(b_ih, b_hh, scale)
        w, masks = self._inner_recurrent(scale)
        C, TC = _workspace.empty((T, B, H), dt), _workspace.empty((T, B, H), dt)
        HR = _workspace.empty((T, B, H), dt) if w_hr is not None else None
        S = _workspace.empty((T, B, self.width), dt)
        tmp = np.empty((B, 4 * H), dt)
        ig = np.empty((B, H), dt)
        h, c, idle = h0, c0, self.idle
        with np.errstate(over="ignore"):
            for t in self.order:
                self._recurrent(h, tmp, w, masks)
                z = gates[t]
                z += tmp
                g = z[:, 3 * H:]
                if logistic:
                    np.exp(z, out=z)
                    z += 1
                    np.reciprocal(z, out=z)
                    g *= 2
                    g -= 1
                else:
                    ract(z[:, :3 * H], z[:, :3 * H])
                    act(g, g)
                cn = C[t]
                np.multiply(z[:, H:2 * H], c, out=cn)
                np.multiply(z[:, :H], g, out=ig)
                cn += ig
                tc = TC[t]
                act(cn, tc)
                if w_hr is None:
                    np.multiply(z[:, 2 * H:3 * H], tc, out=S[t])
                else:
                    np.multiply(z[:, 2 * H:3 * H], tc, out=HR[t])
                    np.matmul(HR[t], w_hr.T, out=S[t])
                if idle[t] is not None:
                    self._carry(t, cn, c)
                    self._carry(t, S[t], h)
                h, c = S[t], cn
        self.gates, self.C, self.TC, self.S, self.HR = gates, C, TC, S, HR
        self.c0, self.w_hr = c0, w_hr
        return self._finish(S, C[self.last])

    def _coefficients(self):
        """Per step and row: ``(di, df, dg) = dc · kc``, ``do = dh · ko``, ``dc += dh · oc``."""
        T, B, H, dt = self.T, self.B, self.H, self.dtype
        gates, TC = self.gates, self.TC
        i, f, o, g = (gates[..., self._blocks(k)] for k in range(4))
        kc = _workspace.empty((T, B, 3, H), dt)
        scratch = _workspace.empty((T, B, H), dt)
        self.dract(i, kc[:, :, 0])
        kc[:, :, 0] *= g
        self.dract(f, kc[:, :, 1])
        for steps, cin in self._entering(self.C, self.c0):
            kc[steps, :, 1] *= cin
        self.dact(g, kc[:, :, 2])
        kc[:, :, 2] *= i
        ko = _workspace.empty((T, B, H), dt)
        self.dract(o, ko)
        ko *= TC
        oc = scratch
        self.dact(TC, oc)
        oc *= o
        self._masked(kc), self._masked(ko), self._masked(oc)
        return kc, ko, oc, self._kept(f)

    def backward(self, g):
        gy, dh, dc = self._split_grad(g, cell=True)
        T, B, H, w_hr, idle = self.T, self.B, self.H, self.w_hr, self.idle
        kc, ko, oc, fc = self._coefficients()
        D = _workspace.empty((T, B, 4, H), self.dtype)  # the caller's order i f g o
        DP = _workspace.empty(self.S.shape, self.dtype) if w_hr is not None else None
        tmp = np.empty((B, H), self.dtype)
        for t in reversed(self.order):
            dh += gy[t]
            if w_hr is not None:
                DP[t] = dh
                if idle[t] is not None:
                    DP[t, idle[t]] = 0
                dhr = dh @ w_hr
            else:
                dhr = dh
            np.multiply(dhr, oc[t], out=tmp)
            dc += tmp
            np.multiply(kc[t], dc[:, None, :], out=D[t, :, :3])
            np.multiply(dhr, ko[t], out=D[t, :, 3])
            dc *= fc[t]
            new = np.empty_like(dh)
            self._recurrent_grad(D[t].reshape(B, 4 * H), new)
            if idle[t] is not None:
                self._carry(t, new, dh)
            dh = new
        D = D.reshape(T, B, 4 * H)
        dw_hh = self._hidden_grad(D, self.S)
        db_hh = D.sum(axis=(0, 1)) if self.needs_grad(6) else None
        dw_hr = None
        if w_hr is not None and self.needs_grad(7):
            dw_hr = DP.reshape(-1, self.width).T @ self.HR.reshape(-1, H)
        dx, dw_ih, db_ih = self._project_grad(D)
        return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh, dw_hr

