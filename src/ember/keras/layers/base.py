"""The Keras-style Layer: validates its config in ``__init__``, creates weights in
``build(input_shape)`` and computes with ember ops in ``call``.

Trainable weights are ``ember.nn.Parameter``s (non-trainable ones plain Tensors) and layers
compute with ``ember.nn.functional``, so a forward pass records ember's autograd graph and
``loss.backward()`` fills the parameters' ``.grad`` exactly as for an ``ember.nn.Module``.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...nn.parameter import Parameter
from .. import initializers as _init
from .. import regularizers as _reg
from .._utils import snake_case, to_tensor, unique_name


class Weight:
    """One variable of a layer: the Tensor, its name, trainability and optional regularizer."""

    __slots__ = ("tensor", "name", "trainable", "regularizer")

    def __init__(self, tensor, name, trainable, regularizer=None):
        self.tensor, self.name, self.trainable, self.regularizer = tensor, name, trainable, regularizer


def _shape_from_args(input_shape, input_dim, batch_input_shape, batch_size):
    if batch_input_shape is not None:
        return tuple(batch_input_shape)
    if input_shape is not None:
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        return (batch_size,) + tuple(input_shape)
    if input_dim is not None:
        return (batch_size, int(input_dim))
    return None


class Layer:
    """Base class of ember.keras layers.

    Args:
        name: unique name (default: the class name in snake_case, numbered).
        trainable: whether the layer's weights are updated by ``fit``.
        input_shape / input_dim / batch_input_shape: declare the input of the first layer of a
            ``Sequential`` so the model is built at once (``input_shape`` excludes the batch).
        activity_regularizer: penalty on the layer's output, added to the loss.
    """

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, activity_regularizer=None, **kwargs):
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{kwargs}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._weights: list[Weight] = []
        self._batch_input_shape = _shape_from_args(input_shape, input_dim, batch_input_shape,
                                                   batch_size)
        self.activity_regularizer = _reg.get(activity_regularizer)
        self._activity_losses: list = []
        self.input_shape = None
        self.output_shape = None

    # ---- weights ------------------------------------------------------------------------
    def add_weight(self, shape, initializer="glorot_uniform", name=None, trainable=True,
                   regularizer=None, dtype=None) -> Tensor:
        init = _init.get(initializer)
        value = init(tuple(shape))
        tensor = value if isinstance(value, Tensor) else Tensor._make(np.asarray(value, np.float32))
        arr = tensor._data.astype(np.float32, copy=False)
        tensor = Parameter(Tensor._make(arr)) if trainable else Tensor._make(arr)
        self._weights.append(Weight(tensor, name or f"weight_{len(self._weights)}", bool(trainable),
                                    _reg.get(regularizer)))
        return tensor

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        self._trainable = bool(value)

    @property
    def weights(self) -> list[Tensor]:
        return [w.tensor for w in self._weights]

    @property
    def trainable_weights(self) -> list[Tensor]:
        if not self._trainable:
            return []
        return [w.tensor for w in self._weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        if not self._trainable:
            return self.weights
        return [w.tensor for w in self._weights if not w.trainable]

    @property
    def variables(self):
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in Keras's order."""
        return [w.tensor._data.copy() for w in self._weights]

    def set_weights(self, weights) -> None:
        """Replaces the weights' values (shapes must match, in ``get_weights()`` order)."""
        weights = list(weights)
        if len(weights) != len(self._weights):
            raise ValueError(f"Layer {self.name} weight shape mismatch: expected "
                             f"{len(self._weights)} arrays, received {len(weights)}")
        for w, value in zip(self._weights, weights):
            arr = np.asarray(value)
            if arr.shape != w.tensor.shape:
                raise ValueError(f"Layer {self.name} weight shape {w.tensor.shape} is not "
                                 f"compatible with provided weight shape {arr.shape}.")
            w.tensor._data[...] = arr

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             f"layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(w.tensor._data.size for w in self._weights))

    @property
    def losses(self) -> list:
        """Regularization penalties: weight regularizers (on current weights) and activity ones."""
        out = list(self._activity_losses)
        if self._trainable:
            out += [w.regularizer(w.tensor) for w in self._weights
                    if w.regularizer is not None and w.trainable]
        return out

    # ---- build and call -----------------------------------------------------------------
    def build(self, input_shape) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _build_once(self, input_shape) -> None:
        if not self.built:
            self.build(tuple(input_shape))
            self.built = True
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)

    def call(self, inputs, training=False):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def __call__(self, inputs, training=None):
        x = to_tensor(inputs)
        if not self.built:
            self._build_once((None,) + tuple(x.shape[1:]))
        self._check_input(x)
        out = self.call(x, training=bool(training))
        if self.activity_regularizer is not None:
            penalty = self.activity_regularizer(out)
            self._activity_losses.append(penalty / float(max(out.shape[0], 1)) if out.ndim else penalty)
        return out

    def _check_input(self, x) -> None:
        """Raises a clear error when the input's trailing shape differs from the built one."""
        if self.input_shape is None:
            return
        expected = self.input_shape[1:]
        got = tuple(x.shape[1:])
        if len(expected) != len(got) or any(e is not None and e != g for e, g in zip(expected, got)):
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"expected shape=(None, {', '.join(str(e) for e in expected)}), "
                             f"found shape={tuple(x.shape)}")

    # ---- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self._trainable}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _reg.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
