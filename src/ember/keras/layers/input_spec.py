"""``InputSpec``: what a layer accepts (rank, axis sizes, full shape), checked on every call.

Example::

    >>> spec = InputSpec(min_ndim=2, axes={-1: 4})
    >>> assert_input_compatibility(spec, ember.zeros(3, 5), "dense")
    Traceback (most recent call last):
    ValueError: Input 0 of layer "dense" is incompatible with the layer: expected axis -1 of input shape to have value 4, but received input with shape (3, 5)
"""
from __future__ import annotations

__all__ = ["InputSpec", "assert_input_compatibility"]


class InputSpec:
    """Keras's ``keras.layers.InputSpec``: constraints on a layer input's rank and axis sizes.

    Args:
        shape: the full expected shape (``None`` entries match any size).
        ndim / min_ndim / max_ndim: the expected rank, or its bounds.
        axes: ``{axis: size}`` that must match.
        dtype, name, optional, allow_last_axis_squeeze: kept for Keras compatibility.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name, self.optional = name, optional

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    def __repr__(self):
        parts = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(parts)})"


def _fmt(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raises Keras's ValueError when ``inputs`` (a Tensor or a list of them) break the spec."""
    if input_spec is None:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(specs) != len(flat):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
                         f"{len(flat)} input tensors. Inputs received: {flat}")
    for i, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        head = f'Input {i} of layer "{layer_name}" is incompatible with the layer: '
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
            raise ValueError(f"{head}expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                             f"received: {_fmt(shape)}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{head}expected max_ndim={spec.max_ndim}, found ndim={ndim}")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{head}expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full "
                             f"shape received: {_fmt(shape)}")
        for axis, value in spec.axes.items():
            if value is not None and (axis >= ndim or axis < -ndim or shape[axis] != value):
                raise ValueError(f"{head}expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {_fmt(shape)}")
        if spec.shape is not None:
            want = spec.shape
            if len(want) != ndim or any(w is not None and w != s for w, s in zip(want, shape)):
                raise ValueError(f"{head}expected shape={_fmt(want)}, "
                                 f"found shape={_fmt(shape)}")
