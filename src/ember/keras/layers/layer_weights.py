"""A Keras layer's weights and penalties: ``add_weight``, ``weights`` (trainable first, then the
sublayers'), ``trainable``, ``get_weights``/``set_weights``, ``count_params``, ``add_loss`` and
``losses``. ``LayerWeights`` is a base of :class:`~ember.keras.layers.Layer`, which provides the
walks over sublayers it uses (``_layers``, ``_flatten_layers``) and the ``_parameters`` dict of
``ember.nn.Module`` where each weight is registered.

Example::

    >>> from ember import keras
    >>> layer = keras.layers.Dense(3)
    >>> layer.build((None, 2))
    >>> [tuple(w.shape) for w in layer.weights], layer.count_params()
    ([(2, 3), (3,)], 9)
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .._load_budget import take_weight
from ..variables import Variable, to_np_dtype
from . import _tracking

__all__ = ["LayerWeights"]


class LayerWeights:
    """The weight and loss half of a layer's contract (a base of ``Layer``; holds no state of
    its own: the lists it fills are made in ``Layer.__new__``)."""

    def _track_variable(self, variable: Variable, key=None) -> None:
        params = self.__dict__["_parameters"]
        base = (key or variable.name).replace(".", "_")
        key, n = base, 1
        while key in params:
            key, n = f"{base}_{n}", n + 1
        params[key] = variable
        owner = self._trainable_variables if variable.trainable else self._non_trainable_variables
        owner.append(variable)

    # ---- weights ------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None) -> Variable:
        """Creates a weight of this layer (a :class:`Variable`, registered as a parameter).

        Args:
            shape: the weight's shape (default scalar).
            initializer: name, initializer object or callable (default ``glorot_uniform`` for
                float weights, ``zeros`` otherwise).
            trainable: False for state the optimizer must not touch (moving statistics).
            regularizer / constraint: penalty added to ``losses``; projection applied after
                each optimizer step.
            name: the weight's name (its key in ``named_parameters()``).
        """
        shape = () if shape is None else tuple(int(s) for s in shape)
        take_weight(shape, self.name)  # a model file's config must not outgrow its weights
        np_dtype = to_np_dtype(dtype)
        if initializer is None:
            initializer = "glorot_uniform" if np_dtype.kind == "f" else "zeros"
        variable = Variable(_init.get(initializer), shape=shape, dtype=np_dtype,
                            trainable=trainable, name=name, regularizer=_reg.get(regularizer),
                            constraint=_constraints.get(constraint))
        variable.path = f"{self.name}/{variable.name}"
        self._track_variable(variable)
        return variable

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        value = bool(value)
        self._trainable = value
        for v in self._trainable_variables:
            v.trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list:
        """Own weights (trainable first), then the sublayers', each once."""
        out, seen = [], set()
        for w in self._trainable_variables + self._non_trainable_variables:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._layers:
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        return [w for w in self.weights if w.trainable] if self._trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return [w for w in self.weights if not w.trainable] if self._trainable else self.weights

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list:
        """Copies of the weights as NumPy arrays, in ``weights`` order."""
        return [w._data.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Replaces the weights' values (shapes must match, in ``get_weights()`` order)."""
        own, weights = self.weights, list(weights)
        if len(weights) != len(own):
            raise ValueError(f"You called `set_weights(weights)` on {self._kind()} "
                             f"{self.name} with a weight list of length {len(weights)}, but the "
                             f"{self._kind()} was expecting {len(own)} weights.")
        arrays = [np.asarray(getattr(v, "_data", v)) for v in weights]
        for w, arr in zip(own, arrays):
            if arr.shape != w._data.shape:
                raise ValueError(f"{self._kind().capitalize()} {self.name} weight shape "
                                 f"{w._data.shape} is not compatible with provided weight shape "
                                 f"{arr.shape}.")
        for w, arr in zip(own, arrays):
            w._data[...] = arr

    def _kind(self) -> str:
        return "layer"

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self._kind()} '{self.name}', "
                             f"but the {self._kind()} isn't built. You can build it manually "
                             f"via: `{self._kind()}.build(input_shape)`.")
        return int(sum(w._data.size for w in self.weights))

    # ---- losses -------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Adds a scalar penalty (a Tensor) to this layer's ``losses`` for the current call."""
        ctx = _tracking.current_context()
        if ctx is not None and ctx.symbolic:
            return
        for x in (loss if isinstance(loss, (list, tuple)) else [loss]):
            if not isinstance(x, Tensor):
                raise ValueError(f"`add_loss()` can only be called from inside `build()` or "
                                 f"`call()`, on a tensor input. Received invalid value: {x}")
            self._losses.append(x)

    @property
    def losses(self) -> list:
        """``add_loss`` penalties of the last call (this layer's and its sublayers'), then the
        weight regularizers' penalties on the current trainable weights."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._losses)
        if self._trainable:
            out.extend(w.regularizer(w) for w in self.weights
                       if w.regularizer is not None and w.trainable)
        return out

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            if layer._losses:
                layer._losses.clear()
