"""Keras 3's optimizers as adapters over ``ember.optim``'s update rules.

Each class validates and stores Keras's arguments, maps its slots onto the rule's state and
passes the flags that select Keras's form where it differs from torch's: where epsilon enters
(``epsilon_hat``, ``eps_inside_sqrt``, ``eps_after_max``), a velocity that carries the
learning rate (SGD and RMSprop momentum), bias corrections in float32 (``float32_scalars``).
"""
from __future__ import annotations

import numpy as np

from ...optim._math import f32
from ...optim.adadelta import adadelta_update
from ...optim.adafactor import adafactor_update
from ...optim.adagrad import adagrad_update
from ...optim.adam import adam_update
from ...optim.adamax import adamax_update
from ...optim.ftrl import ftrl_update
from ...optim.lamb import lamb_update
from ...optim.lion import lion_update
from ...optim.nadam import nadam_momentum, nadam_update
from ...optim.rmsprop import rmsprop_update
from ...optim.schedule_free import schedule_free_adamw_update
from ...optim.sgd import sgd_update
from .base import Optimizer, _check_nonneg

__all__ = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion", "Lamb",
           "Adafactor", "ScheduleFreeAdamW"]


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
    _scratch = ("gbuf", "tmp", "tmp2", "tmp3")

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



class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), with L1, L2 and L2-shrinkage regularization.

    Example::

        >>> opt = ember.keras.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=1e-3)
    """

    _rule = staticmethod(ftrl_update)
    _slots = {"accumulator": "accumulator", "linear": "linear"}
    _scratch = ("tmp", "tmp2")
    _config = ("learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
               "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("`initial_accumulator_value` needs to be positive or zero. Received: "
                             f"initial_accumulator_value={initial_accumulator_value}.")
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for name, value in (("l1_regularization_strength", l1_regularization_strength),
                            ("l2_regularization_strength", l2_regularization_strength),
                            ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    def _initial(self, slot):
        return self.initial_accumulator_value if slot == "accumulator" else 0.0

    def _hyper(self, lr):
        return {"lr": lr, "lr_power": self.learning_rate_power, "l1": self.l1_regularization_strength,
                "l2": self.l2_regularization_strength, "l2_shrinkage": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


class Lion(Optimizer):
    """Lion (Chen et al., 2023): ``w −= lr·sign(β1·m + (1−β1)·g)``; ``m = β2·m + (1−β2)·g``.

    Example::

        >>> opt = ember.keras.optimizers.Lion(learning_rate=1e-4)
    """

    _rule = staticmethod(lion_update)
    _slots = {"momentum": "exp_avg"}
    _scratch = ("gbuf", "tmp", "tmp2")
    _config = ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def _hyper(self, lr):
        return {"lr": lr, "beta1": self.beta_1, "beta2": self.beta_2}


class Lamb(Optimizer):
    """LAMB (You et al., 2020): Adam's direction scaled per variable by ``‖w‖ / ‖update‖``.

    Example::

        >>> opt = ember.keras.optimizers.Lamb(learning_rate=1e-3)
    """

    _rule = staticmethod(lamb_update)
    _slots = {"momentum": "exp_avg", "velocity": "exp_avg_sq"}
    _elementwise = False
    _config = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _hyper(self, lr):
        return {"step": self.iterations + 1, "lr": lr, "beta1": self.beta_1, "beta2": self.beta_2,
                "eps": self.epsilon, "float32_scalars": True}


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), Keras's form: ``eps_1`` is added to ``g²`` and the
    velocity keeps the factored estimate.

    Example::

        >>> opt = ember.keras.optimizers.Adafactor(learning_rate=1e-2)
    """

    _rule = staticmethod(adafactor_update)
    _slots = {"r": "row_var", "c": "col_var", "velocity": "variance"}
    _elementwise = False
    _config = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay, self.epsilon_1 = float(beta_2_decay), float(epsilon_1)
        self.epsilon_2, self.clip_threshold = float(epsilon_2), float(clip_threshold)
        self.relative_step = bool(relative_step)

    def _init_slots(self, w, **flags):
        """``r`` and ``c``: means over the last and the second last axis (kept as size-1 axes);
        0-d placeholders for a variable of fewer than two dimensions."""
        if w.ndim < 2:
            return {"r": np.zeros((), w.dtype), "c": np.zeros((), w.dtype), "velocity": np.zeros_like(w)}
        return {"r": np.zeros(w.shape[:-1] + (1,), w.dtype), "c": np.zeros(w.shape[:-2] + (1, w.shape[-1]), w.dtype),
                "velocity": np.zeros_like(w)}

    def _hyper(self, lr):
        # Keras's relative step, min(lr, 1/√t), is the rule's step size (its ``relative_step``
        # changes nothing more); the weight decay uses the rate itself
        return {"step": self.iterations + 1, "lr": lr, "beta2_decay": self.beta_2_decay, "eps1": self.epsilon_1,
                "eps2": self.epsilon_2, "d": self.clip_threshold, "eps1_added": True}


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024): no learning-rate schedule; the weights are an
    interpolation between the sequence the Adam steps move (``momentum``) and its running
    average, with an optional linear warm-up over ``warmup_steps``.

    Example::

        >>> opt = ember.keras.optimizers.ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)
    """

    _rule = staticmethod(schedule_free_adamw_update)
    _slots = {"momentum": "momentum", "velocity": "velocity"}
    _scratch = ("tmp", "tmp2")
    _config = ("beta_1", "beta_2", "epsilon", "warmup_steps")

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.warmup_steps = beta_1, beta_2, epsilon, warmup_steps

    def build(self, variables):
        """Creates the slots; ``momentum`` starts as a copy of each variable, as in Keras."""
        super().build(variables)
        for v in self._variables:
            self._slot(v, "momentum")[...] = v._data

    def _hyper(self, lr):
        return {"step": self.iterations + 1, "lr": lr, "beta1": self.beta_1, "beta2": self.beta_2,
                "eps": self.epsilon, "warmup_steps": self.warmup_steps}
