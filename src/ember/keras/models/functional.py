"""The functional API: ``keras.Model(inputs, outputs)`` over any graph of layer calls.

``keras.Input`` gives symbolic tensors, calling layers on them records the graph, and the model
runs that graph on data: several inputs and outputs (single, lists or dicts), shared layers,
models used as layers, and models from intermediate outputs of others.

Example::

    >>> inputs = keras.Input(shape=(8,), name="features")
    >>> hidden = keras.layers.Dense(16, activation="relu")(inputs)
    >>> score = keras.layers.Dense(1, activation="sigmoid", name="score")(hidden)
    >>> kind = keras.layers.Dense(3, activation="softmax", name="kind")(hidden)
    >>> model = keras.Model(inputs=inputs, outputs=[score, kind])
    >>> model.compile(optimizer="adam", loss=["binary_crossentropy", "categorical_crossentropy"])
"""
from __future__ import annotations

import numpy as np

from ..._dtype import from_numpy_dtype
from ..._tensor import Tensor
from .. import _tree
from .._utils import to_tensor
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.node import is_symbolic
from ..layers.symbolic_ops import SymbolicOp
from ..saving import deserialize_keras_object, serialize_keras_object
from .graph import map_graph
from .model import Model

__all__ = ["Functional"]


def _flat_symbolic(struct, what: str) -> list:
    flat = _tree.flatten(struct)
    for value in flat:
        if not is_symbolic(value):
            raise ValueError(f"All `{what}` values must be KerasTensors. Received: {what}={struct} "
                             f"including invalid value {value} of type {type(value)}")
    return flat


def _paths(struct) -> list[str]:
    if isinstance(struct, dict):
        return [str(k) for k in sorted(struct)]
    if isinstance(struct, (list, tuple)):
        return [str(i) for i in range(len(struct))]
    return [""]


class Functional(Model):
    """A model defined by its input and output KerasTensors (``keras.Model(inputs, outputs)``).

    Args:
        inputs: a KerasTensor, or a list/dict of them (usually from ``keras.Input``).
        outputs: the KerasTensor(s) computed from ``inputs``: single, list or dict.
        name: the model's name (default ``functional``, numbered).
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to Model: {kwargs}")
        Model.__init__(self, name=name or None, trainable=trainable)
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        self.__dict__["_inputs_struct"] = inputs
        self.__dict__["_outputs_struct"] = outputs
        self.__dict__["_inputs"] = _flat_symbolic(inputs, "inputs")
        self.__dict__["_outputs"] = _flat_symbolic(outputs, "outputs")
        nodes, layers, by_depth = map_graph(self._inputs, self._outputs, _paths(outputs))
        self.__dict__["_nodes"] = nodes
        self.__dict__["_nodes_by_depth"] = by_depth
        names = [layer.name for layer in layers]
        for name_ in names:
            if names.count(name_) > 1:
                raise ValueError(f'The name "{name_}" is used {names.count(name_)} times in the '
                                 f"model. All operation names should be unique.")
        # as in Keras 3: every node's operation is in ``operations``; only the Layers (not the
        # keras.ops calls) are sublayers, in ``layers``, weights and ``trainable`` walks
        self.__dict__["_operations"] = layers
        for layer in layers:
            if not isinstance(layer, SymbolicOp):
                self._modules[layer.name.replace(".", "_")] = layer
        self._build_shapes = [_tree.map_structure(lambda t: t.shape, inputs),
                              _tree.map_structure(lambda t: t.shape, outputs)]
        self.built = True

    # ---- structure ------------------------------------------------------------------------
    @property
    def operations(self) -> list:
        """Every operation of the graph in ``layers`` order: the layers and the ``keras.ops``
        calls (``x + y``, ``x[:, -1]``, ``keras.ops.relu(h)``), which ``layers`` leaves out."""
        return list(self._operations)

    @property
    def inputs(self) -> list:
        return list(self._inputs)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    @property
    def input_shape(self):
        return _tree.map_structure(lambda t: t.shape, self._inputs_struct)

    @property
    def output_shape(self):
        return _tree.map_structure(lambda t: t.shape, self._outputs_struct)

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [t._keras_history.operation.name for t in self._outputs]

    @property
    def input_names(self) -> list[str]:
        if isinstance(self._inputs_struct, dict):
            return sorted(self._inputs_struct)
        return [t._keras_history.operation.name for t in self._inputs]

    def build(self, input_shape=None) -> None:
        self.built = True

    def compute_output_shape(self, input_shape):
        return self.output_shape

    # ---- running the graph ----------------------------------------------------------------
    def _standardize_inputs(self, inputs) -> list:
        """The data for each model input, in ``self._inputs`` order, as Tensors of the input's
        dtype (and rank: a trailing axis of size 1 is added or dropped as Keras does)."""
        names = self.input_names
        n = len(self._inputs)
        if isinstance(inputs, dict):
            order = sorted(self._inputs_struct) if isinstance(self._inputs_struct, dict) else \
                [t._keras_history.operation.name for t in self._inputs]
            for key in order:
                if key not in inputs:
                    raise ValueError(f'Missing data for input "{key}". You passed a data '
                                     f"dictionary with keys {list(inputs.keys())}. Expected the "
                                     f"following keys: {order}")
            flat = [inputs[k] for k in order]
        elif n == 1 and not isinstance(inputs, (list, tuple)):
            flat = [inputs]
        else:
            flat = list(inputs) if isinstance(inputs, (list, tuple)) and (n > 1 or (
                len(inputs) == 1 and isinstance(inputs[0], (Tensor, np.ndarray)))) else [inputs]
        if len(flat) != n:  # Keras's message (a functional model's inputs all have names)
            raise ValueError(f'Layer "{self.name}" expects {n} named input(s) with keys '
                             f"{names}, but it received {len(flat)} input tensors. Pass inputs "
                             f"as a dict, e.g. `layer({{"
                             + ", ".join(f"'{k}': ..." for k in names) + "})`.")
        return [self._conform(i, ref, value) for i, (ref, value) in
                enumerate(zip(self._inputs, flat))]

    def _conform(self, index, ref: KerasTensor, value) -> Tensor:
        x = to_tensor(value)
        dtype = np.dtype(ref.dtype)
        if x._data.dtype != dtype:
            x = x.to(from_numpy_dtype(dtype)) if x.requires_grad else \
                Tensor._make(x._data.astype(dtype))
        shape, want = tuple(x.shape), ref.shape
        if len(shape) == len(want) + 1 and shape[-1] == 1:
            x = x.reshape(shape[:-1])
        elif len(shape) + 1 == len(want) and want[-1] == 1:
            x = x.reshape(shape + (1,))
        shape = tuple(x.shape)
        if len(shape) != len(want) or any(w is not None and w != s for w, s in zip(want, shape)):
            name = ref._keras_history.operation.name
            fmt = "(" + ", ".join(str(s) for s in want) + ("," if len(want) == 1 else "") + ")"
            raise ValueError(f"Input {index} with name '{name}' of layer '{self.name}' is "
                             f"incompatible with the layer: expected shape={fmt}, found "
                             f"shape={shape}")
        return x

    def _maybe_build(self, first_input) -> None:
        self.built = True

    def call(self, inputs, training=None, mask=None):
        values = {id(t): x for t, x in zip(self._inputs, self._standardize_inputs(inputs))}

        def resolve(x):
            return values[id(x)] if is_symbolic(x) else x

        for node in self._nodes:
            if node.is_input:
                continue
            args, kwargs = _tree.map_structure(resolve, (list(node.call_args),
                                                         dict(node.call_kwargs)))
            if training is not None and "training" not in kwargs:
                kwargs["training"] = training
            outputs = node.operation(*args, **kwargs)
            for tensor, value in zip(node.output_tensors, _tree.flatten(outputs)):
                values[id(tensor)] = value
        return _tree.pack_sequence_as(self._outputs_struct,
                                      [values[id(t)] for t in self._outputs])

    # ---- config -----------------------------------------------------------------------------
    def _model_nodes(self, layer) -> list:
        """The calls of ``layer`` that belong to this model's graph."""
        ours = {id(n) for nodes in self._nodes_by_depth.values() for n in nodes}
        return [n for n in layer._inbound_nodes if id(n) in ours]

    def get_config(self) -> dict:
        reindex = {}
        for layer in self._operations:
            for i, node in enumerate(self._model_nodes(layer)):
                reindex[id(node)] = i

        def ref(tensor):
            layer, node_index, tensor_index = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            return [layer.name, reindex.get(id(node), node_index), tensor_index]

        def arg(x):
            if isinstance(x, slice):  # an index of x[...] (keras.layers.symbolic_ops)
                return {"class_name": "__slice__",
                        "config": {"start": x.start, "stop": x.stop, "step": x.step}}
            if x is Ellipsis:
                return {"class_name": "__ellipsis__", "config": {}}
            if isinstance(x, Tensor):  # a constant given to an op (keras.ops.ones(...))
                return {"class_name": "__tensor__",
                        "config": {"value": x.detach().numpy().tolist(),
                                   "dtype": str(x.detach().numpy().dtype)}}
            if not is_symbolic(x):
                return x
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype,
                               "keras_history": ref(x)}}

        layers = []
        for layer in self._operations:
            spec = serialize_keras_object(layer)
            spec["name"] = layer.name
            spec["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
                {"args": _tree.map_structure(arg, list(n.call_args)),
                 "kwargs": _tree.map_structure(arg, dict(n.call_kwargs))}
                for n in self._model_nodes(layer)]
            layers.append(spec)
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": _tree.map_structure(ref, self._inputs_struct),
                "output_layers": _tree.map_structure(ref, self._outputs_struct)}



def _is_ref(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and \
        isinstance(value[1], int) and isinstance(value[2], int)


def functional_from_config(cls, config, custom_objects=None, make_layer=None):
    """The functional model ``config`` describes (see ``Functional.get_config``).

    Args:
        cls: the model class to build (``Functional`` or a subclass of ``keras.Model``).
        make_layer: ``spec -> layer`` (default: deserialize the spec).
    """
    make_layer = make_layer or (lambda spec: deserialize_keras_object(spec, custom_objects))
    created, pending = {}, {}
    for spec in config["layers"]:
        layer = make_layer(spec)
        created[spec["name"]] = layer
        pending[spec["name"]] = list(spec.get("inbound_nodes", []))

    def tensor(ref):
        name, node_index, tensor_index = ref
        return created[name]._inbound_nodes[node_index].output_tensors[tensor_index]

    def value(x):
        return tensor(x.spec["config"]["keras_history"]) if isinstance(x, _Ref) else x

    while any(pending.values()):
        progressed = False
        for spec in config["layers"]:
            nodes = pending[spec["name"]]
            while nodes:
                try:
                    args = _tree.map_structure(value, _structure(nodes[0]["args"]))
                    kwargs = _tree.map_structure(value, _structure(nodes[0]["kwargs"]))
                except IndexError:  # an input of this call is not built yet
                    break
                created[spec["name"]](*args, **kwargs)
                nodes.pop(0)
                progressed = True
        if not progressed:
            raise ValueError(f"The saved functional model '{config.get('name')}' cannot be "
                             f"rebuilt: the calls of {[n for n, v in pending.items() if v]} "
                             f"wait on tensors that are never computed")

    def io(refs):
        if _is_ref(refs):
            return tensor(refs)
        if isinstance(refs, dict):
            return {k: io(v) for k, v in refs.items()}
        if not isinstance(refs, (list, tuple)):  # a string would recurse through its letters
            raise ValueError(f"The saved functional model '{config.get('name')}' has an input "
                             f"or output reference that is not a [layer, node, tensor] list: "
                             f"{refs!r:.80}")
        return [io(r) for r in refs]

    model = cls(inputs=io(config["input_layers"]), outputs=io(config["output_layers"]),
                name=config.get("name"))
    if not config.get("trainable", True):
        model.trainable = False
    return model


def _structure(x):
    """Saved call arguments: KerasTensor dicts are leaves, not nested dicts to descend into."""
    if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
        return _Ref(x)
    if isinstance(x, dict) and x.get("class_name") == "__slice__":
        return slice(x["config"]["start"], x["config"]["stop"], x["config"]["step"])
    if isinstance(x, dict) and x.get("class_name") == "__ellipsis__":
        return Ellipsis
    if isinstance(x, dict) and x.get("class_name") == "__tensor__":
        return Tensor._make(np.asarray(x["config"]["value"], np.dtype(x["config"]["dtype"])))
    if isinstance(x, dict):
        return {k: _structure(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_structure(v) for v in x)
    return x


class _Ref:
    """A saved KerasTensor reference, kept whole while the call arguments are rebuilt."""

    def __init__(self, spec):
        self.spec = spec


Model._functional_class = Functional
Model._functional_from_config = staticmethod(functional_from_config)
