"""The Keras optimizers' update rules, each a few in-place NumPy lines (Keras 3's formulas)."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_nonneg


def _f32(x):
    return np.float32(x)


def _ema(buf: np.ndarray, value: np.ndarray, decay: float) -> None:
    """``buf = decay * buf + (1 - decay) * value`` in place, as Keras's torch backend writes it
    (``mul_(decay)`` then ``add_(value, alpha=1 - decay)``). The complement ``1 - decay`` is taken
    on the Python float, then rounded: ``1 - float32(0.999)`` would be 1.3e-5 off, and that error
    decides the sign of weights an Adam step leaves within 1e-8 of zero (an L1 penalty's gradient
    then jumps by ``2 * l1``)."""
    buf *= _f32(decay)
    buf += _f32(1 - decay) * value


def _keras_power(base: float, t: int) -> np.float32:
    """``ops.power(cast(base, float32), cast(t, float32))``: Keras's bias-correction power."""
    return np.power(_f32(base), _f32(t))


class SGD(Optimizer):
    """``v = momentum * v - lr * g; w += v`` (Nesterov: ``w += momentum * v - lr * g``);
    plain ``w -= lr * g`` without momentum."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self._slots = ("momentum",) if self.momentum else ()

    def _update(self, w, g, slots, lr):
        lr = _f32(lr)
        if not self.momentum:
            w -= lr * g
            return
        m = slots["momentum"]
        m *= _f32(self.momentum)
        m -= lr * g
        if self.nesterov:
            w += _f32(self.momentum) * m - lr * g
        else:
            w += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """``v = rho v + (1-rho) g²``; ``w -= lr g / sqrt(v + eps)`` (centered: minus the mean
    gradient squared; with momentum the step goes through a velocity)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum = float(rho), float(momentum)
        self.epsilon, self.centered = float(epsilon), bool(centered)
        self._slots = ("velocity",) + (("momentum",) if self.momentum > 0 else ()) + \
            (("average_gradient",) if self.centered else ())

    def _update(self, w, g, slots, lr):
        v = slots["velocity"]
        _ema(v, g * g, self.rho)
        denom = v + _f32(self.epsilon)
        if self.centered:
            a = slots["average_gradient"]
            _ema(a, g, self.rho)
            denom -= a * a
        inc = _f32(lr) * g / np.sqrt(denom)
        if self.momentum > 0:
            m = slots["momentum"]
            m *= _f32(self.momentum)
            m += inc
            w -= m
        else:
            w -= inc

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """Adam as Keras writes it: ``w -= lr_t * m / (sqrt(v) + eps)`` with
    ``lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` (Kingma & Ba 2015, sec. 2)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon, self.amsgrad = float(epsilon), bool(amsgrad)
        self._slots = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def _update(self, w, g, slots, lr):
        t = self.iterations + 1
        one = _f32(1)
        alpha = _f32(lr) * np.sqrt(one - _keras_power(self.beta_2, t)) / \
            (one - _keras_power(self.beta_1, t))
        m, v = slots["momentum"], slots["velocity"]
        _ema(m, g, self.beta_1)
        _ema(v, g * g, self.beta_2)
        if self.amsgrad:
            vh = slots["velocity_hat"]
            np.maximum(vh, v, out=vh)
            v = vh
        w -= m * alpha / (np.sqrt(v) + _f32(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay ``w -= w * weight_decay * lr`` (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """``acc += g²; w -= lr g / sqrt(acc + eps)``, accumulators start at 0.1."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = _check_nonneg("initial_accumulator_value",
                                                       initial_accumulator_value, False)
        self.epsilon = float(epsilon)
        self._slots = ("accumulator",)

    def _init_slots(self, w):
        return {"accumulator": np.full_like(w, self.initial_accumulator_value)}

    def _update(self, w, g, slots, lr):
        acc = slots["accumulator"]
        acc += g * g
        w -= _f32(lr) * g / np.sqrt(acc + _f32(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """``E[g²] = rho E[g²] + (1-rho) g²; d = -sqrt(E[dx²]+eps)/sqrt(E[g²]+eps) g;
    E[dx²] = rho E[dx²] + (1-rho) d²; w += lr d`` (Zeiler 2012)."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)
        self._slots = ("accumulated_grad", "accumulated_delta_var")

    def _update(self, w, g, slots, lr):
        eps = _f32(self.epsilon)
        ag, ad = slots["accumulated_grad"], slots["accumulated_delta_var"]
        _ema(ag, g * g, self.rho)
        delta = -np.sqrt(ad + eps) * g / np.sqrt(ag + eps)
        _ema(ad, delta * delta, self.rho)
        w += _f32(lr) * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """``m = b1 m + (1-b1) g; u = max(b2 u, |g|); w -= lr m / ((1 - b1**t)(u + eps))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._slots = ("m", "u")

    def _update(self, w, g, slots, lr):
        t = self.iterations + 1
        m, u = slots["m"], slots["u"]
        _ema(m, g, self.beta_1)
        np.maximum(u * _f32(self.beta_2), np.abs(g), out=u)
        w -= _f32(lr) * m / (_f32(1 - self.beta_1 ** t) * (u + _f32(self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule
    ``u_t = beta_1 (1 - 0.5 * 0.96**t)`` (Dozat 2016)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._slots = ("momentum", "velocity")
        self._u_product = 1.0

    def _momentum_schedule(self, t: int) -> np.float32:
        """``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` in float32, as Keras computes it."""
        return _f32(self.beta_1) * (_f32(1) - _f32(0.5) * _keras_power(0.96, t))

    def _before_step(self):
        self._u_product = float(_f32(self._u_product) * self._momentum_schedule(self.iterations + 1))

    def _extra_state(self):
        return {"u_product": np.array([self._u_product], np.float64)}

    def _load_extra_state(self, arrays):
        self._u_product = float(np.asarray(arrays.get("u_product", 1.0)).reshape(-1)[0])

    def _update(self, w, g, slots, lr):
        t = self.iterations + 1
        one = _f32(1)
        u_t, u_t1 = self._momentum_schedule(t), self._momentum_schedule(t + 1)
        u_prod = _f32(self._u_product)
        u_prod1 = u_prod * u_t1
        m, v = slots["momentum"], slots["velocity"]
        _ema(m, g, self.beta_1)
        _ema(v, g * g, self.beta_2)
        m_hat = m * u_t1 / (one - u_prod1) + g * (one - u_t) / (one - u_prod)
        v_hat = v / (one - _keras_power(self.beta_2, t))
        w -= m_hat * _f32(lr) / (np.sqrt(v_hat) + _f32(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
