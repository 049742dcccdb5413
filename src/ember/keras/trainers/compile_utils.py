"""What ``compile`` makes of ``loss``, ``loss_weights``, ``metrics`` and ``weighted_metrics``
for models with one or several outputs, named as Keras 3 names them.

* :class:`CompileLoss`: one loss per output (a single loss serves every output; a list goes by
  position, a dict by output name), each times its weight, summed. With several losses, a
  ``Mean`` per output tracks the unweighted loss as ``<output>_loss``.
* :class:`CompileMetrics`: the metric named ``compile_metrics`` that holds the compiled
  metrics; its ``result()`` is a dict (``accuracy``, or ``<output>_<metric>`` for several
  outputs; repeats get ``_1``, ``weighted_`` …).

Example::

    >>> loss = CompileLoss({"score": "mse", "kind": "categorical_crossentropy"},
    ...                    loss_weights={"score": 0.5, "kind": 1.0}, output_names=["score", "kind"])
"""
from __future__ import annotations

import numpy as np

from .. import _tree
from .. import losses as _losses
from .. import metrics as _metrics

__all__ = ["CompileLoss", "CompileMetrics", "metric_direction", "align"]

_UP = ("accuracy", "acc", "precision", "recall", "auc", "f1_score", "fbeta_score")


def metric_direction(metric) -> str:
    """``"up"`` for metrics to maximize (accuracy, AUC …), ``"down"`` otherwise."""
    name = getattr(metric, "name", "")
    return "up" if any(name == u or name.endswith(u) for u in _UP) else "down"


def _describe(struct):
    return _tree.map_structure(lambda _: "*", struct)


def align(y_true, y_pred, output_names):
    """``y_true`` as a flat list matching ``flatten(y_pred)`` (dicts by key or output name)."""
    flat_pred = _tree.flatten(y_pred)
    if not _tree.is_nested(y_pred):
        if isinstance(y_true, (list, tuple)) and len(y_true) == 1:
            return [y_true[0]]
        if isinstance(y_true, dict) and len(y_true) == 1:
            return list(y_true.values())
        return [y_true]
    if isinstance(y_true, dict) and not isinstance(y_pred, dict) and output_names and \
            set(output_names) <= set(y_true):
        return [y_true[name] for name in output_names]
    flat_true = _tree.flatten(y_true)
    if len(flat_true) != len(flat_pred):
        raise ValueError(f"y_true and y_pred have different structures.\ny_true: "
                         f"{_describe(y_true)}\ny_pred: {_describe(y_pred)}\n")
    return flat_true


def _missing_path(what: str, path: tuple) -> KeyError:
    return KeyError(f"The path: {path} in the `{what}` argument, can't be found in either the "
                    f"model's output (`y_pred`) or in the labels (`y_true`).")


def _per_output(value, what: str, names: list, n: int, fill=None, by_path=False) -> list:
    """A single value, list or dict given to ``compile`` as one entry per output (``by_path``:
    the outputs are a dict, and a key that names no output is Keras's KeyError naming its
    path)."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown and by_path:
            raise _missing_path(what, (unknown[0],))
        if unknown:
            raise ValueError(f"Expected keys {names} in {what} dict, but found "
                             f"{what}.keys()={list(value.keys())}")
        return [value.get(name, fill) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"`{what}` must match the number of outputs: the model has {n} "
                             f"output(s) {names}, and {what}={value} has {len(value)}.")
        return list(value)
    return [value] * n


class CompileLoss:
    """The total loss of a (multi-output) model, and the per-output loss trackers."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        if loss_weights is not None and not isinstance(loss_weights, (list, tuple, dict, float,
                                                                      int)):
            raise ValueError(f"Expected `loss_weights` argument to be a float (single output "
                             f"case) or a list, tuple, or dict. Received instead: "
                             f"loss_weights={loss_weights} of type {type(loss_weights)}")
        self._user_loss, self._user_loss_weights = loss, loss_weights
        self.output_names = output_names
        self.built = False
        self._flat: list = []
        self.metrics: list = []

    def build(self, y_pred) -> None:
        n = len(_tree.flatten(y_pred))
        if isinstance(y_pred, dict):
            names = sorted(y_pred)
        else:
            names = list(self.output_names or [f"output_{i + 1}" for i in range(n)])
        if isinstance(self._user_loss, dict) and n == 1 and not isinstance(y_pred, dict):
            names = names[:1]
        if isinstance(self._user_loss, (list, tuple)) and len(self._user_loss) > n > 1:
            raise _missing_path("loss", (n,))  # Keras: the first entry beyond the outputs
        losses = _per_output(self._user_loss, "loss", names, n, by_path=isinstance(y_pred, dict))
        weights = self._user_loss_weights
        if weights is not None and isinstance(self._user_loss, (list, tuple, dict)) and \
                isinstance(weights, (list, tuple)) and len(weights) != n:
            raise ValueError(f"`loss_weights` must match the number of losses, got {n} losses "
                             f"and {len(weights)} weights.")
        weights = _per_output(weights, "loss_weights", names, n) if isinstance(
            weights, (list, tuple, dict)) else [weights] * n
        self._flat = [(i, _losses.to_loss_object(l), w, names[i])
                      for i, (l, w) in enumerate(zip(losses, weights)) if l is not None]
        if len(self._flat) > 1:
            self.metrics = [_metrics.Mean(name=f"{name}_loss") for *_, name in self._flat]
        self.built = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_pred)
        flat_pred = _tree.flatten(y_pred)
        flat_true = align(y_true, y_pred, self.output_names)
        if sample_weight is not None and _tree.is_nested(sample_weight):
            flat_sw = align(sample_weight, y_pred, self.output_names)
        else:
            flat_sw = [sample_weight] * len(flat_pred)
        total = None
        for k, (i, loss_fn, weight, _) in enumerate(self._flat):
            value = loss_fn(flat_true[i], flat_pred[i], sample_weight=flat_sw[i])
            if self.metrics:
                self.metrics[k].update_state(float(value._data),
                                             sample_weight=flat_pred[i].shape[0])
            if weight is not None:
                value = value * float(weight)
            total = value if total is None else total + value
        return total


class _OutputMetrics:
    """The compiled metrics of one output."""

    def __init__(self, output_name, identifiers, weighted: bool):
        self.output_name, self.identifiers, self.weighted = output_name, identifiers, weighted
        self.metrics: list = []


class CompileMetrics:
    """The compiled metrics of every output, as one metric named ``compile_metrics``."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        for what, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple, dict)):
                raise ValueError(f"Expected `{what}` argument to be a list, tuple, or dict. "
                                f"Received instead: {what}={value!r} of type {type(value)}")
        self._user_metrics, self._user_weighted = metrics, weighted_metrics
        self.output_names = output_names
        self.name = "compile_metrics"
        self.built = False
        self._groups: list[tuple[int, _OutputMetrics]] = []
        for value in (metrics, weighted_metrics):
            for m in _tree.flatten(value) if value is not None else []:
                if isinstance(m, str) and m.lower() not in ("accuracy", "acc"):
                    _metrics.get(m)  # an unknown name fails at compile, as in Keras

    @property
    def metrics(self) -> list:
        return [m for _, g in self._groups for m in g.metrics]

    def _split(self, value, what, names, n) -> list:
        if value is None:
            return [[] for _ in range(n)]
        if n == 1:  # as Keras: every metric given, however nested, applies to the one output
            per = [_tree.flatten(value)]
        elif isinstance(value, dict):
            per = _per_output(value, what, names, n, fill=[])
        elif len(value) == n and all(v is None or isinstance(v, (list, tuple)) for v in value):
            per = list(value)
        else:
            raise ValueError(f"Invalid `{what}`. `{what}` should contain metrics objects and "
                             f"either be a dict or a list matching the output names of the "
                             f"functional model {names} or match the output structure of the "
                             f"model: {['X'] * n}.\nReceived: {what}={value}")
        return [[] if v is None else (list(v) if isinstance(v, (list, tuple)) else [v])
                for v in per]

    def build(self, y_true, y_pred) -> None:
        n = len(_tree.flatten(y_pred))
        names = sorted(y_pred) if isinstance(y_pred, dict) else list(
            self.output_names or [f"output_{i + 1}" for i in range(n)])
        flat_true = align(y_true, y_pred, self.output_names)
        flat_pred = [np.asarray(getattr(p, "_data", p)) for p in _tree.flatten(y_pred)]
        for weighted, value, what in ((False, self._user_metrics, "metrics"),
                                      (True, self._user_weighted, "weighted_metrics")):
            for i, ids in enumerate(self._split(value, what, names, n)):
                group = _OutputMetrics(names[i] if n > 1 else None, ids, weighted)
                y_t = np.asarray(getattr(flat_true[i], "_data", flat_true[i]))
                for identifier in ids:
                    metric = _metrics.resolve(identifier, y_t, flat_pred[i])
                    metric._direction = metric_direction(metric)
                    group.metrics.append(metric)
                self._groups.append((i, group))  # plain metrics by output, then weighted ones
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        flat_true = [np.asarray(getattr(t, "_data", t)) for t in
                     align(y_true, y_pred, self.output_names)]
        flat_pred = [np.asarray(getattr(p, "_data", p)) for p in _tree.flatten(y_pred)]
        if sample_weight is not None and _tree.is_nested(sample_weight):
            flat_sw = align(sample_weight, y_pred, self.output_names)
        else:
            flat_sw = [sample_weight] * len(flat_pred)
        flat_sw = [None if s is None else np.asarray(getattr(s, "_data", s)) for s in flat_sw]
        for i, group in self._groups:
            for metric in group.metrics:
                if group.weighted:
                    metric.update_state(flat_true[i], flat_pred[i], sample_weight=flat_sw[i])
                else:
                    metric.update_state(flat_true[i], flat_pred[i])

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def result(self) -> dict:
        results, counts = {}, {}
        for _, group in self._groups:
            prefix = f"{group.output_name}_" if group.output_name else ""
            for metric in group.metrics:
                name = prefix + metric.name
                if name not in counts:
                    counts[name] = 1
                elif not group.weighted:
                    counts[name] += 1
                    name = f"{name}_{counts[name] - 1}"
                else:
                    name = f"{prefix}weighted_{metric.name}"
                    if name not in counts:
                        counts[name] = 1
                    else:
                        counts[name] += 1
                        name = f"{name}_{counts[name] - 1}"
                results[name] = metric.result()
        return results
