"""Keras 3's optimizers as adapters over ``ember.optim``'s update rules.

Each class validates and stores Keras's arguments, maps its slots onto the rule's state and
passes the flags that select Keras's form where it differs from torch's: where epsilon enters
(``epsilon_hat``, ``eps_inside_sqrt``, ``eps_after_max``), a velocity that carries the
learning rate (SGD and RMSprop momentum), bias corrections in float32 (``float32_scalars``).
"""
from __future__ import annotations

import numpy as np

from ...optim.adadelta import adadelta_update
from ...optim.adagrad import adagrad_update
from ...optim.adam import adam_update
from ...optim.adamax import adamax_update
from ...optim.nadam import nadam_momentum, nadam_update
from ...optim.rmsprop import rmsprop_update
from ...optim.sgd import sgd_update
from ...optim._math import f32
from .base import Optimizer, _check_nonneg

__all__ = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam"]


class SGD(Optimizer):
    """Gradient descent with momentum, Keras's form: ``v = momentum·v − lr·g; w += v``
    (Nesterov: ``w += momentum·v − lr·g``); plain ``w −= lr·g`` without momentum.

    Example::

        >>> opt = ember.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
    """

    _rule = staticmethod(sgd_update)
    _config = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self._slots = {"momentum": "momentum_buffer"} if self.momentum else {}

    def _hyper(self, lr):
        return {"lr": lr, "momentum": self.momentum, "nesterov": self.nesterov, "velocity_includes_lr": True}


class RMSprop(Optimizer):
    """RMSprop, Keras's form: ``v = ρ·v + (1−ρ)·g²``; ``w −= lr·g / √(v − ḡ² + ε)`` (ḡ only when
    centered); with momentum the increment goes through a velocity.

    Example::

        >>> opt = ember.keras.optimizers.RMSprop(learning_rate=1e-3, centered=True)
    """

    _rule = staticmethod(rmsprop_update)
    _config = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum = float(rho), float(momentum)
        self.epsilon, self.centered = float(epsilon), bool(centered)
        self._slots = {"velocity": "square_avg", **({"momentum": "momentum_buffer"} if self.momentum > 0 else {}),
                       **({"average_gradient": "grad_avg"} if self.centered else {})}

    def _hyper(self, lr):
        return {"lr": lr, "alpha": self.rho, "eps": self.epsilon, "momentum": self.momentum,
                "centered": self.centered, "eps_inside_sqrt": True, "velocity_includes_lr": True}


class Adam(Optimizer):
    """Adam as Keras writes it: ``w −= lr_t · m / (√v + ε)`` with
    ``lr_t = lr·√(1 − β2^t) / (1 − β1^t)`` (Kingma & Ba 2015, sec. 2).

    Example::

        >>> opt = ember.keras.optimizers.Adam(learning_rate=1e-3, amsgrad=True)
    """

    _rule = staticmethod(adam_update)
    _config = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon, self.amsgrad = float(epsilon), bool(amsgrad)
        self._slots = {"momentum": "exp_avg", "velocity": "exp_avg_sq",
                       **({"velocity_hat": "max_exp_avg_sq"} if self.amsgrad else {})}

    def _hyper(self, lr):
        return {"step": self.iterations + 1, "lr": lr, "beta1": self.beta_1, "beta2": self.beta_2,
                "eps": self.epsilon, "amsgrad": self.amsgrad, "epsilon_hat": True, "float32_scalars": True}


class AdamW(Adam):
    """Adam with decoupled weight decay ``w −= w·weight_decay·lr`` (default 0.004).

    Example::

        >>> opt = ember.keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Adagrad, Keras's form: ``acc += g²; w −= lr·g / √(acc + ε)``, accumulators starting at 0.1.

    Example::

        >>> opt = ember.keras.optimizers.Adagrad(learning_rate=0.01)
    """

    _rule = staticmethod(adagrad_update)
    _config = ("initial_accumulator_value", "epsilon")
    _slots = {"accumulator": "state_sum"}

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = _check_nonneg("initial_accumulator_value",
                                                       initial_accumulator_value, False)
        self.epsilon = float(epsilon)

    def _initial(self, slot):
        return self.initial_accumulator_value

    def _hyper(self, lr):
        return {"lr": lr, "eps": self.epsilon, "eps_inside_sqrt": True}


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012): the same rule as torch's, with Keras's defaults.

    Example::

        >>> opt = ember.keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95)
    """

    _rule = staticmethod(adadelta_update)
    _config = ("rho", "epsilon")
    _slots = {"accumulated_grad": "square_avg", "accumulated_delta_var": "acc_delta"}
    _scratch = ("gbuf", "tmp", "tmp2")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def _hyper(self, lr):
        return {"lr": lr, "rho": self.rho, "eps": self.epsilon}


class Adamax(Optimizer):
    """Adamax, Keras's form: ``u = max(β2·u, |g|); w −= lr·m / ((1 − β1^t)·(u + ε))``.

    Example::

        >>> opt = ember.keras.optimizers.Adamax(learning_rate=2e-3)
    """

    _rule = staticmethod(adamax_update)
    _config = ("beta_1", "beta_2", "epsilon")
    _slots = {"m": "exp_avg", "u": "exp_inf"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _hyper(self, lr):
        return {"step": self.iterations + 1, "lr": lr, "beta1": self.beta_1, "beta2": self.beta_2,
                "eps": self.epsilon, "eps_after_max": True, "float32_scalars": True}


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule ``u_t = β1·(1 − ½·0.96^t)``
    (Dozat 2016): torch's NAdam rule with ``momentum_decay=1``, in float32 scalars.

    Example::

        >>> opt = ember.keras.optimizers.Nadam(learning_rate=2e-3)
    """

    _rule = staticmethod(nadam_update)
    _config = ("beta_1", "beta_2", "epsilon")
    _slots = {"momentum": "exp_avg", "velocity": "exp_avg_sq"}
    _scratch = ("gbuf", "tmp", "tmp2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._u_product = f32(1.0)

    def _hyper(self, lr):
        step = self.iterations + 1
        self._u_product = f32(self._u_product) * nadam_momentum(self.beta_1, step, 1.0, float32_scalars=True)
        return {"step": step, "mu_product": float(self._u_product), "lr": lr, "beta1": self.beta_1,
                "beta2": self.beta_2, "eps": self.epsilon, "momentum_decay": 1.0, "float32_scalars": True}

    def _extra_state(self):
        return {"u_product": np.array([self._u_product], np.float32)}

    def _load_extra_state(self, arrays):
        self._u_product = f32(np.asarray(arrays.get("u_product", 1.0)).reshape(-1)[0])

