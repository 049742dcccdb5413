"""Keras 3's Muon: ``ember.optim``'s Muon rule (in Keras's form) for the 2-D weights of hidden
layers, and Keras's Adam rule for every other variable."""
from __future__ import annotations

import re

import numpy as np

from ...optim.adam import adam_update
from ...optim.muon import muon_update
from .base import Optimizer

__all__ = ["Muon"]


def _muon_or_adam(param, grad, momentum, velocity, *, use_adam: bool, lr: float, adam_lr_ratio: float,
                  adam: dict, muon: dict) -> None:
    """The step of one variable: Adam (at ``lr·adam_lr_ratio``) when it has a velocity, Muon else."""
    if use_adam:
        adam_update(param, grad, momentum, velocity, lr=lr * adam_lr_ratio, **adam)
    else:
        muon_update(param, grad, momentum, lr=lr, **muon)


class Muon(Optimizer):
    """Muon for 2-D weights (momentum, then the update orthogonalised by ``ns_steps`` Newton–Schulz
    iterations and scaled by ``rms_rate·√max(rows, cols)``), and Adam for the rest: variables
    that are not 2-D, embeddings (a path containing "embedding", with ``exclude_embeddings``)
    and those whose path matches a regular expression of ``exclude_layers``.

    Weight decay is decoupled: ``weight_decay`` for the Muon variables, ``adam_weight_decay``
    for the Adam ones, both at the learning rate (Adam's step runs at
    ``learning_rate·adam_lr_ratio``).

    Example::

        >>> from ember import keras
        >>> opt = keras.optimizers.Muon(learning_rate=0.01, exclude_layers=["output"])
        >>> opt.get_config()["rms_rate"]
        0.2
    """

    _rule = staticmethod(_muon_or_adam)
    _slots = {"momentum": "momentum", "velocity": "velocity"}
    _elementwise = False
    _config = ("adam_beta_1", "adam_beta_2", "epsilon", "exclude_layers", "muon_a", "muon_b", "muon_c",
               "adam_lr_ratio", "momentum", "ns_steps", "nesterov", "exclude_embeddings",
               "adam_weight_decay", "rms_rate")

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum, self.ns_steps = adam_lr_ratio, momentum, ns_steps
        self.nesterov, self.exclude_embeddings = nesterov, exclude_embeddings
        self.exclude_layers = list(exclude_layers or [])
        self.adam_weight_decay, self.rms_rate = adam_weight_decay, rms_rate

    def _should_use_adamw(self, variable) -> bool:
        """Keras's choice: Adam for a variable that is not 2-D, an embedding or an excluded layer."""
        if variable._data.ndim != 2:
            return True
        path = getattr(variable, "path", None) or getattr(variable, "name", None) or ""
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def _variable_group(self, variable):
        use_adam = self._should_use_adamw(variable)
        decay = self.adam_weight_decay if use_adam else self.weight_decay
        return (float(decay or 0.0) if self._decays(variable) else 0.0), {"use_adam": use_adam}

    def _init_slots(self, w, use_adam=True, **flags):
        """The momentum of every variable; the velocity of the Adam ones (a 0-d placeholder for
        the Muon ones, as Adafactor keeps for its factors)."""
        return {"momentum": np.zeros_like(w),
                "velocity": np.zeros_like(w) if use_adam else np.zeros((), w.dtype)}

    def _hyper(self, lr):
        adam = {"step": self.iterations + 1, "beta1": self.adam_beta_1, "beta2": self.adam_beta_2,
                "eps": self.epsilon, "epsilon_hat": True, "float32_scalars": True}
        muon = {"momentum": self.momentum, "nesterov": self.nesterov,
                "ns_coefficients": (self.muon_a, self.muon_b, self.muon_c), "ns_steps": self.ns_steps,
                "adjust_lr_fn": "none" if self.rms_rate is None else "match_rms_adamw",
                "rms_rate": self.rms_rate or 0.0, "momentum_sum": True, "bfloat16": False}
        return {"lr": lr, "adam_lr_ratio": self.adam_lr_ratio, "adam": adam, "muon": muon}
