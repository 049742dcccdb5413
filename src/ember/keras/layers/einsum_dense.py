"""Keras's ``EinsumDense``: a dense layer whose product with its kernel is an einsum equation
(``"abc,cd->abd"``), with the kernel's and the bias's shapes read from the equation, the input
shape and the (partial) output shape, as Keras 3 reads them.

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> layer = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8),
    ...                                  bias_axes="de")
    >>> layer(np.zeros((2, 5, 16), np.float32)).shape
    ember.Size([2, 5, 4, 8])
    >>> tuple(layer.kernel.shape), tuple(layer.bias.shape)
    ((16, 4, 8), (4, 8))
"""
from __future__ import annotations

import re

from ...ops.linalg_more import einsum
from .. import activations as _act
from .. import initializers as _init
from .base import InputSpec, Layer
from .core import refuse_lora_and_quantization, set_kernel_bias_options, weight_options_config

__all__ = ["EinsumDense"]

_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),        # no ellipsis
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),        # ... on the left
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False))    # ... on the right


def analyze_equation(equation: str, bias_axes, input_shape, output_shape) -> tuple:
    """``(kernel_shape, bias_shape or None, full output shape, kernel input axes, kernel output
    axes)`` for ``equation`` on ``input_shape`` with the partial ``output_shape`` (the output
    without its batch axis and the axes an ellipsis stands for), by Keras 3's rules."""
    marked = equation.replace("...", "0")
    for pattern, left in _FORMS:
        match = re.match(pattern, marked)
        if match:
            return _shapes(*match.groups(), bias_axes, tuple(input_shape), output_shape, left)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     f"[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _shapes(in_spec, w_spec, out_spec, bias_axes, input_shape, output_shape, left) -> tuple:
    elided = len(input_shape) - len(in_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left:
        out[1:1] = input_shape[1:elided]
    elif elided > 0:
        out += input_shape[len(input_shape) - elided:]
    if left:   # the input's letters sit at the end of its shape; the output is complete
        in_at = {d: i + elided - len(input_shape) for i, d in enumerate(in_spec)}
        out_at = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_at = {d: i for i, d in enumerate(in_spec)}
        out_at = {d: i for i, d in enumerate(out_spec)}
    for d in in_spec:
        if d in out_at and out[out_at[d]] is not None and out[out_at[d]] != input_shape[in_at[d]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{d}'. Input shape is {input_shape[in_at[d]]}, and output shape "
                             f"is {out[out_at[d]]}.")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(f"Dimension '{d}' was specified in the output '{out_spec}' but has "
                             f"no corresponding dim in the input spec '{in_spec}' or weight spec "
                             f"'{out_spec}'")
    kernel, in_axes, out_axes = [], [], []
    for i, d in enumerate(w_spec):
        if d in out_at:
            kernel.append(out[out_at[d]])
            out_axes.append(i)
        elif d in in_at:
            kernel.append(input_shape[in_at[d]])
            in_axes.append(i)
        else:
            raise ValueError(f"Weight dimension '{d}' did not have a match in either the input "
                             f"spec '{in_spec}' or the output spec '{out_spec}'. For this layer, "
                             f"the weight must be fully specified.")
    bias = None
    if bias_axes is not None:
        shift = elided if left else 0
        size = {d: out[i + shift] for i, d in enumerate(out_spec)}
        for d in bias_axes:
            if d not in out_spec:
                raise ValueError(f"Bias dimension '{d}' was requested, but is not part of the "
                                 f"output spec '{out_spec}'")
        first = min(out_spec.find(d) for d in bias_axes)
        bias = [size[d] if d in bias_axes else 1 for d in out_spec[first:]]
        if not left:
            bias += [1] * max(elided, 0)
    return kernel, bias, out, in_axes, out_axes


class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``"[X],[Y]->[Z]"``, ``"...[X],[Y]->...[Z]"`` or ``"[X]...,[Y]->[Z]..."``:
            the input's, the kernel's and the output's axes.
        output_shape: the output's shape without its batch axis (and without the axes an
            ellipsis stands for); ``None`` for an axis the input gives.
        activation: applied last. bias_axes: the output letters the bias spans (no bias when
            None). kernel/bias _initializer, _regularizer, _constraint: as ``Dense`` (the
            kernel's fan counts the axes the equation marks as input and output units).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.EinsumDense("ab,bc->ac", output_shape=64, bias_axes="c")(
        ...     np.zeros((3, 32), np.float32)).shape
        ember.Size([3, 64])
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        refuse_lora_and_quantization("EinsumDense", lora_rank, quantization_config)
        if gptq_unpacked_column_size is not None:
            raise NotImplementedError("ember.keras EinsumDense does not support quantization "
                                      f"(gptq_unpacked_column_size={gptq_unpacked_column_size})")
        super().__init__(**kwargs)
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) \
            else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = _act.get(activation)
        set_kernel_bias_options(self, kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, kernel_constraint, bias_constraint)
        self.lora_rank, self.lora_alpha = None, None

    def _kernel_init(self, in_axes, out_axes):
        init = self.kernel_initializer
        if isinstance(init, _init.VarianceScaling) and (init.input_axes is None
                                                        or init.output_axes is None):
            return _init.VarianceScaling(scale=init.scale, mode=init.mode,
                                         distribution=init.distribution, seed=init.seed,
                                         input_axes=in_axes, output_axes=out_axes)
        return init

    def build(self, input_shape):
        kernel, bias, _, in_axes, out_axes = analyze_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel),
                                      initializer=self._kernel_init(in_axes, out_axes),
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_equation(self.equation, self.bias_axes, input_shape,
                                      self.partial_output_shape)[2])

    def call(self, inputs, training=None):
        x = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return x if self.activation is None else self.activation(x)

    def get_config(self):
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation, "activation": _act.serialize(self.activation),
                "bias_axes": self.bias_axes, **weight_options_config(self)}
