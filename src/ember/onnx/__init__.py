"""``ember.onnx``: export a model to an ONNX file, as ``torch.onnx.export`` does.

The model runs once on the example input in eval mode; every module it calls is written as ONNX
nodes by its converter (``SUPPORTED`` lists the module classes that have one), and so is every op
a custom ``forward`` runs between them (``OPS`` lists the ops: arithmetic with tensors and Python
numbers, activations, reductions, view/reshape/flatten with a dynamic batch, cat/stack,
indexing, and ``F.conv2d``/``F.max_pool2d``/``F.linear``/... called as functions; ``FUNCTIONS``
the comparisons and ``argmax``). The graph is built with the ``onnx`` package (the optional
extra ``ember[onnx]``), checked with ``onnx.checker`` and written atomically. Keras models
export with ``model.export(path, format="onnx")``.

Example::

    >>> model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 2))
    >>> ember.onnx.export(model, (ember.randn(1, 4),), "model.onnx", input_names=["x"],
    ...                   output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
"""
from __future__ import annotations

from .. import nn
from .._tensor import Tensor
from ..io.atomic import atomic_write_bytes
from . import attention, bags, channels, image_layers, op_layers, op_logic, op_math, op_shape
from . import pools, recurrent, spatial, torch_layers as T
from .graph import ExportError, Graph, prune
from .trace import Tracer, flatten, resize_dynamic

__all__ = ["export", "ExportError", "SUPPORTED", "OPS", "FUNCTIONS", "TRACED", "METHODS",
           "REGISTERED", "DEFAULT_OPSET",
           "converter_for", "methods_for", "register", "register_hook", "HOOKS"]

DEFAULT_OPSET = 17
MIN_OPSET = 17  # LayerNormalization

#: ember.nn module class -> converter (``ember.onnx.torch_layers``); eval forms of every module.
SUPPORTED: dict = {
    nn.Linear: T.linear, nn.Identity: T.identity, nn.Flatten: T.flatten, nn.Unflatten: T.unflatten,
    nn.Dropout: T.identity, nn.Dropout1d: T.identity, nn.Dropout2d: T.identity,
    nn.AlphaDropout: T.identity, nn.FeatureAlphaDropout: T.identity,
    nn.ReLU: T._simple("Relu"), nn.Sigmoid: T._simple("Sigmoid"), nn.Tanh: T._simple("Tanh"),
    nn.SELU: T._simple("Selu"), nn.Softsign: T._simple("Softsign"),
    nn.Hardswish: T._simple("HardSwish"), nn.LeakyReLU: T.leaky_relu, nn.ELU: T.elu,
    nn.CELU: T.celu, nn.GELU: T.gelu, nn.Softplus: T.softplus, nn.SiLU: T.silu, nn.Mish: T.mish,
    nn.Hardtanh: T.hardtanh, nn.ReLU6: T.hardtanh, nn.Hardsigmoid: T.hardsigmoid,
    nn.Hardshrink: T.shrink, nn.Softshrink: T.shrink, nn.Tanhshrink: T.tanhshrink,
    nn.LogSigmoid: T.log_sigmoid, nn.Threshold: T.threshold, nn.PReLU: T.prelu,
    nn.Softmax: T.softmax, nn.LogSoftmax: T.softmax, nn.Softmin: T.softmax,
    nn.Softmax2d: T.softmax2d, nn.GLU: T.glu, nn.RReLU: T.rrelu,
    nn.BatchNorm1d: T.batch_norm, nn.BatchNorm2d: T.batch_norm, nn.LayerNorm: T.layer_norm,
    nn.GroupNorm: T.group_norm, nn.RMSNorm: T.rms_norm,
    nn.ZeroPad1d: T.pad, nn.ZeroPad2d: T.pad, nn.ZeroPad3d: T.pad, nn.ConstantPad1d: T.pad,
    nn.ConstantPad2d: T.pad, nn.ConstantPad3d: T.pad, nn.ReflectionPad1d: T.pad,
    nn.ReflectionPad2d: T.pad, nn.ReplicationPad1d: T.pad, nn.ReplicationPad2d: T.pad,
    nn.CircularPad1d: T.pad, nn.CircularPad2d: T.pad,
    nn.Conv1d: T.conv, nn.Conv2d: T.conv, nn.ConvTranspose2d: T.conv_transpose,
    nn.MaxPool1d: pools.max_pool, nn.MaxPool2d: pools.max_pool, nn.AvgPool1d: T.avg_pool,
    nn.AvgPool2d: T.avg_pool, nn.AdaptiveAvgPool1d: T.adaptive_pool,
    nn.AdaptiveAvgPool2d: T.adaptive_pool, nn.AdaptiveMaxPool1d: T.adaptive_pool,
    nn.AdaptiveMaxPool2d: T.adaptive_pool,
    nn.Conv3d: T.conv, nn.ConvTranspose1d: T.conv_transpose, nn.ConvTranspose3d: T.conv_transpose,
    nn.MaxPool3d: pools.max_pool, nn.AvgPool3d: T.avg_pool, nn.AdaptiveAvgPool3d: T.adaptive_pool,
    nn.AdaptiveMaxPool3d: T.adaptive_pool, nn.BatchNorm3d: T.batch_norm, nn.Dropout3d: T.identity,
    nn.SyncBatchNorm: T.batch_norm,
    nn.ReflectionPad3d: T.pad, nn.ReplicationPad3d: T.pad, nn.CircularPad3d: T.pad,
    nn.PixelShuffle: image_layers.pixel_shuffle, nn.PixelUnshuffle: image_layers.pixel_unshuffle,
    nn.InstanceNorm1d: image_layers.instance_norm, nn.InstanceNorm2d: image_layers.instance_norm,
    nn.InstanceNorm3d: image_layers.instance_norm,
    nn.LocalResponseNorm: image_layers.local_response_norm,
    nn.ChannelShuffle: channels.channel_shuffle, nn.CrossMapLRN2d: channels.cross_map_lrn2d,
    nn.Embedding: T.embedding, nn.EmbeddingBag: bags.embedding_bag, nn.RNN: recurrent.torch_rnn, nn.GRU: recurrent.torch_rnn,
    nn.LSTM: recurrent.torch_rnn, nn.MultiheadAttention: attention.multihead_attention,
    nn.TransformerEncoderLayer: attention.encoder_layer,
    nn.TransformerDecoderLayer: attention.decoder_layer, nn.RNNCell: recurrent.torch_cell,
    nn.LSTMCell: recurrent.torch_cell, nn.GRUCell: recurrent.torch_cell,
    nn.Bilinear: T.bilinear, nn.PairwiseDistance: T.pairwise_distance,
    nn.CosineSimilarity: T.cosine_similarity, nn.Upsample: spatial.upsample, nn.UpsamplingNearest2d: spatial.upsample,
    nn.UpsamplingBilinear2d: spatial.upsample, nn.Unfold: spatial.unfold, nn.Fold: spatial.fold,
    nn.MaxUnpool1d: pools.max_unpool, nn.MaxUnpool2d: pools.max_unpool,
    nn.MaxUnpool3d: pools.max_unpool, nn.LPPool1d: pools.lp_pool, nn.LPPool2d: pools.lp_pool,
    nn.LPPool3d: pools.lp_pool,
}


#: op (``Function`` subclass) -> ``converter(call)``: the ops a custom forward may run between
#: the converted modules (``ember.onnx.op_trace``).
OPS: dict = {**op_math.OPS, **op_shape.OPS, **op_layers.OPS}

#: function -> ``converter(call)``: the calls without a gradient (comparisons, logic, argmax) a
#: custom forward may make (``ember.onnx.op_logic``).
FUNCTIONS: dict = dict(op_logic.FUNCTIONS)

#: classes of ember's own modules/layers without a converter that are exported through the ops
#: their forward runs (a user's module always is); ``ember.keras`` adds ``Lambda``.
TRACED: list = []


#: module class -> {method name: converter}: modules exported through methods other than
#: ``forward`` (called from a wrapper module's forward); a string refuses that method, naming why.
METHODS: dict = {
    nn.AdaptiveLogSoftmaxWithLoss: {"log_prob": bags.adaptive_log_prob,
                                    "predict": bags.adaptive_predict,
                                    "forward": bags.ADAPTIVE_FORWARD},
}


#: converters other front doors register (``ember.keras`` adds its layers': see ``register``).
REGISTERED: dict = {}


#: ``hook(graph, module, args, kwargs)`` run before each module's conversion (``ember.keras``
#: names the masks that travel with its layers' inputs: see ``register_hook``).
HOOKS: list = []


def register_hook(hook) -> None:
    """Adds ``hook(graph, module, args, kwargs)``, run before every module's converter."""
    if hook not in HOOKS:
        HOOKS.append(hook)


def register(cls, converter) -> None:
    """Adds ``converter(graph, layer, inputs, shapes)`` for the layer class ``cls`` (the front
    doors above ``ember.onnx`` register theirs; data flows down)."""
    REGISTERED[cls] = converter


def converter_for(module):
    """The converter of ``module``, or None: its class (or a base whose ``forward`` and ``call``
    it keeps) must be in ``SUPPORTED`` or ``REGISTERED``."""
    table = {**SUPPORTED, **REGISTERED}
    for cls in type(module).__mro__:
        if cls in table:
            same = all(getattr(type(module), a, None) is getattr(cls, a, None)
                       for a in ("forward", "call"))
            return table[cls] if same else None
    return None


def methods_for(module) -> dict:
    """``{method name: converter or refusal}`` of ``module`` (``METHODS``; its class must keep
    its base's methods)."""
    for cls in type(module).__mro__:
        if cls in METHODS:
            return {name: conv for name, conv in METHODS[cls].items()
                    if getattr(type(module), name, None) is getattr(cls, name, None)}
    return {}


def _require():
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("ember.onnx.export needs the 'onnx' package: pip install 'ember[onnx]'") \
            from exc
    return onnx


def _value_info(onnx, name, tensor, dynamic: dict | None):
    """A graph input/output; ``dynamic`` None leaves the shape to the runtime (an output whose
    axes were not named while some input's were)."""
    import numpy as np
    dtype = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(tensor.numpy().dtype))
    shape = [None] * tensor.ndim if dynamic is None else \
        [dynamic.get(i, size) for i, size in enumerate(tensor.shape)]
    return onnx.helper.make_tensor_value_info(name, dtype, shape)


def _dynamic(dynamic_axes, name: str, rank: int) -> dict:
    axes = (dynamic_axes or {}).get(name, {})
    if isinstance(axes, (list, tuple)):
        axes = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
    out = {}
    for axis, label in axes.items():
        if not -rank <= int(axis) < rank:
            raise ValueError(f"dynamic_axes[{name!r}] names axis {axis}, but {name!r} has "
                             f"{rank} dimensions")
        out[int(axis) % rank] = str(label)
    return out


def _names(given, count: int, prefix: str, what: str) -> list:
    given = list(given or [])
    if len(given) > count:
        raise ValueError(f"ember.onnx.export got {len(given)} {what} for {count} {what[:-6]}s")
    return given + [f"{prefix}{i}" for i in range(len(given), count)]


def _trace(onnx, opset, model, args, in_names, dims):
    from .. import no_grad
    graph = Graph(onnx, opset)
    tracer = Tracer(graph, converter_for, methods_for, HOOKS, OPS, TRACED, FUNCTIONS, dims)
    for tensor, name in zip(args, in_names):
        tracer.bind(tensor, name)
    with no_grad():
        output = tracer.run(model, args)
    return graph, tracer, output


def export(model, args, f, export_params: bool = True, verbose: bool = False, training=None,
           input_names=None, output_names=None, opset_version: int | None = None,
           dynamic_axes=None, do_constant_folding: bool = True, **kwargs):
    """Writes ``model`` (evaluated on ``args``) to ``f`` as an ONNX model.

    Args:
        model: an ``ember.nn.Module`` (or Keras layer/model): its modules with converters
            (``SUPPORTED``) and the ops its forward runs between them (``OPS``, ``FUNCTIONS``).
        args: the example input: a tensor or a tuple of tensors (the model is run on them).
        f: a path (written atomically) or a binary file object.
        input_names, output_names: names of the graph's inputs and outputs (``input0``… by default).
        opset_version: ONNX opset (default ``DEFAULT_OPSET``; at least 17).
        dynamic_axes: ``{name: {axis: label}}`` or ``{name: [axis, ...]}``, e.g. a dynamic batch.
        export_params, verbose, training, do_constant_folding, kwargs: accepted for torch
            compatibility (parameters are always stored; export is always of the eval form).

    Shape:
        Inputs: as ``args``; outputs: as ``model(*args)``, with the dynamic axes symbolic.

    Example::

        >>> ember.onnx.export(model, ember.randn(2, 4), "m.onnx", input_names=["x"])
    """
    onnx = _require()
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    if not isinstance(opset, int) or not MIN_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"opset_version must be an int from {MIN_OPSET} to "
                         f"{onnx.defs.onnx_opset_version()}, got {opset_version!r}")
    if not isinstance(model, nn.Module):
        raise TypeError(f"ember.onnx.export expects an ember.nn.Module, got {type(model).__name__}")
    args = args if isinstance(args, tuple) else (args,)
    if not args or not all(isinstance(a, Tensor) for a in args):
        raise TypeError("ember.onnx.export expects args to be a tensor or a tuple of tensors, got "
                        f"{tuple(type(a).__name__ for a in args)}")
    in_names = _names(input_names, len(args), "input", "input_names")
    axes = {n: _dynamic(dynamic_axes, n, t.ndim) for n, t in zip(in_names, args)}
    resized, dims = resize_dynamic(args, in_names, axes)
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        try:  # dynamic axes at distinctive sizes: the sizes a forward reads from them are known
            graph, tracer, output = _trace(onnx, opset, model, resized, in_names, dims)
        except Exception as exc:  # noqa: BLE001 - a model that runs at the example's sizes only
            if resized is args:
                raise
            graph, tracer, output = _trace(onnx, opset, model, args, in_names, {})
            import warnings
            if tracer.recorder.recorded:  # ops of a custom forward may have kept sizes
                warnings.warn(f"ember.onnx.export: the model does not run with its dynamic axes at "
                              f"other sizes than the example's ({type(exc).__name__}: {exc}); "
                              f"sizes its forward reads from them are exported as constants",
                              stacklevel=2)
    finally:
        for module, mode in modes:
            module.training = mode
    args = tracer.inputs
    outputs = flatten(output)
    out_names = _names(output_names, len(outputs), "output", "output_names")
    for tensor, name in zip(outputs, out_names):
        source = tracer.name_of(tensor, model)
        graph.nodes.append(onnx.helper.make_node("Identity", [source], [name],
                                                 name=graph.name("output_node")))
    prune(graph, out_names)
    inputs = [_value_info(onnx, n, t, _dynamic(dynamic_axes, n, t.ndim)) for n, t in zip(in_names, args)]
    any_dynamic = any(n in (dynamic_axes or {}) for n in in_names)
    outs = [_value_info(onnx, n, t, _dynamic(dynamic_axes, n, t.ndim)
                        if n in (dynamic_axes or {}) or not any_dynamic else None)
            for n, t in zip(out_names, outputs)]
    from .. import __version__
    proto = graph.model(inputs, outs, producer=__version__)
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write_bytes(f, data)
    return proto
