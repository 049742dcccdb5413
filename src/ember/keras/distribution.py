"""``keras.distribution``: data-parallel ``fit`` over MPI ranks, in Keras 3's API.

Start the script with ``mpiexec -n N python train.py`` and set the distribution before ``fit``::

    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model.fit(x, y, batch_size=64, epochs=5)

Every rank runs the same script on the same data. During ``fit`` rank r takes rows
``r, r+N, …`` of every batch, the gradients are averaged across ranks (each rank's weighted by
its share of the batch) before the optimizer applies them, the training metrics and the history
are reduced across ranks at the end of each epoch, and only rank 0 shows the progress bar and
runs the callbacks that write files (``ModelCheckpoint``, ``CSVLogger``, ``TensorBoard``,
``BackupAndRestore``). Validation runs whole on every rank (the replicas are identical), so its
figures need no reduction. Without dropout, N ranks follow the one-process run to float32
rounding. The gradient average lives in ``Optimizer.apply``, so custom ``train_step``s that
call ``self.optimizer.apply`` are data-parallel too.
"""
from __future__ import annotations

import json

import numpy as np

__all__ = ["DeviceMesh", "DataParallel", "set_distribution", "distribution", "list_devices",
           "initialize"]

_STATE: dict = {"distribution": None, "step": None}


def _group():
    """ember's default process group, joined on first use (world size 1 outside mpiexec)."""
    from .. import distributed as dist
    if not dist.is_initialized():
        dist.init_process_group("mpi")
    return dist


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Joins the ranks ``mpiexec`` started (the addresses come from MPI, not from here)."""
    dist = _group()
    if num_processes is not None and num_processes != dist.get_world_size():
        raise ValueError(f"initialize got num_processes={num_processes}, but mpiexec started "
                         f"{dist.get_world_size()} processes")
    if process_id is not None and process_id != dist.get_rank():
        raise ValueError(f"initialize got process_id={process_id}, but this is rank "
                         f"{dist.get_rank()}")


def list_devices(device_type=None) -> list:
    """One CPU device per rank: ``['cpu:0', 'cpu:1', …]`` (``['cpu:0']`` outside mpiexec)."""
    if device_type is not None and str(device_type).lower() != "cpu":
        return []
    from .. import distributed as dist
    size = dist.get_world_size() if dist.is_initialized() else 1
    return [f"cpu:{r}" for r in range(size)]


class DeviceMesh:
    """The devices laid out along named axes (data parallelism uses one axis, ``"batch"``)."""

    def __init__(self, shape, axis_names, devices=None) -> None:
        shape, axis_names = tuple(shape), list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names cannot be mismatched. Received: shape={shape}, "
                             f"axis_names={axis_names}")
        devices = list(devices) if devices is not None else list_devices()
        if int(np.prod(shape)) != len(devices):
            raise ValueError(f"Shape {shape} does not match the number of devices {len(devices)}")
        self.shape, self.axis_names, self.devices = shape, axis_names, np.array(devices).reshape(shape)


class DataParallel:
    """Data parallelism: the model is replicated on every rank, each batch split among them.

    Args:
        device_mesh: a one-axis ``DeviceMesh`` (default: one device per rank).
        devices: the devices (default ``list_devices()``).
        auto_shard_dataset: accepted for Keras's scripts; ``fit`` always shards the batches.

    Example::

        # mpiexec -n 2 python train.py
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        model.fit(x, y, epochs=3)
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True) -> None:
        _group()
        if device_mesh is None:
            devices = list(devices) if devices is not None else list_devices()
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        if len(device_mesh.shape) != 1:
            raise ValueError(f"DataParallel needs a one-axis DeviceMesh, got shape "
                             f"{device_mesh.shape}")
        self.device_mesh = device_mesh
        self.batch_dim_name = device_mesh.axis_names[0]
        self.auto_shard_dataset = auto_shard_dataset

    def scope(self):
        """``with distribution.scope():`` makes it the current distribution for the block."""
        return _Scope(self)


class _Scope:
    def __init__(self, value) -> None:
        self.value, self.old = value, None

    def __enter__(self):
        self.old = _STATE["distribution"]
        set_distribution(self.value)
        return self.value

    def __exit__(self, *exc):
        _STATE["distribution"] = self.old
        return False


def set_distribution(value) -> None:
    """Makes ``value`` (a ``DataParallel`` or None) the distribution ``fit`` uses."""
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(f"Expected a keras.distribution.DataParallel or None, received {value!r}"
                         f" (ember runs data parallelism only)")
    _STATE["distribution"] = value


def distribution():
    """The distribution set with ``set_distribution`` (None if none)."""
    return _STATE["distribution"]


# --------------------------------------------------------------------------------------------
# the trainer's hooks

class FitPlan:
    """One data-parallel ``fit``: shards batches, averages gradients, reduces metrics."""

    def __init__(self) -> None:
        from .. import distributed as dist
        self.dist = dist
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.weight = 1.0

    @property
    def main(self) -> bool:
        return self.rank == 0

    def start(self, model) -> None:
        """Rank 0's weights (and non-trainable state) on every rank."""
        for t in list(model.parameters()) + list(model.buffers()):
            self.dist.broadcast(t, 0)

    def shard(self, batches):
        """Each epoch: rank 0's random state on every rank (so every rank draws the same
        order), then this rank's rows of every batch."""
        from .. import random as _random
        from . import _tree

        def epoch():
            _random.set_rng_state(self._broadcast_json(_random.get_rng_state()))
            for bx, by, bsw in batches():
                n = next(a for a in _tree.flatten(bx) if a is not None).shape[0]
                rows = slice(self.rank, None, self.size) if n >= self.size else slice(0, 1)
                mine = len(range(n)[self.rank::self.size]) if n >= self.size else 0
                self.weight = mine * self.size / n
                yield tuple(_tree.map_structure(lambda a: None if a is None else a[rows], part)
                            for part in (bx, by, bsw))
        return epoch

    def average_gradients(self, arrays: list) -> list:
        """The ranks' gradients, weighted by their share of the batch, averaged (one flat
        allreduce)."""
        if not arrays:
            return arrays
        import ember
        dtype = np.result_type(*[a.dtype for a in arrays])
        flat = np.concatenate([a.reshape(-1) for a in arrays]).astype(dtype, copy=False)
        if self.weight != 1.0:
            flat *= self.weight
        t = ember.from_numpy(flat)
        self.dist.all_reduce(t, op=self.dist.ReduceOp.AVG)
        out, start = [], 0
        for a in arrays:
            out.append(t._data[start:start + a.size].reshape(a.shape).astype(a.dtype, copy=False))
            start += a.size
        return out

    def reduce_metrics(self, metrics) -> None:
        """Sums (or averages, by each state variable's aggregation) the metrics' states."""
        import ember
        for metric in _leaf_metrics(metrics):
            for var in metric.variables:
                how = getattr(metric, "_aggregation", {}).get(id(var), "sum")
                if how in ("sum", "mean"):
                    t = ember.from_numpy(np.ascontiguousarray(var._data))
                    self.dist.all_reduce(t, op=self.dist.ReduceOp.SUM if how == "sum"
                                         else self.dist.ReduceOp.AVG)
                    var._data[...] = t._data

    def _broadcast_json(self, value):
        import ember
        raw = np.frombuffer(json.dumps(value).encode(), dtype=np.uint8) if self.main else None
        size = ember.tensor([0 if raw is None else raw.size], dtype=ember.int64)
        self.dist.broadcast(size, 0)
        buf = ember.from_numpy(raw.copy() if self.main else np.zeros(int(size.item()), np.uint8))
        self.dist.broadcast(buf, 0)
        return json.loads(buf.numpy().tobytes().decode())


def _leaf_metrics(metrics):
    """The metrics that hold state (the compiled metrics' container is opened)."""
    for metric in metrics:
        if hasattr(metric, "variables"):
            yield metric
        else:
            yield from _leaf_metrics(getattr(metric, "metrics", []))


_FILE_WRITERS = ("ModelCheckpoint", "CSVLogger", "TensorBoard", "BackupAndRestore")


def writes_files(callback) -> bool:
    """Whether ``callback`` is one of Keras's callbacks that write files (rank 0 runs those)."""
    return any(cls.__name__ in _FILE_WRITERS and cls.__module__.startswith("ember.keras")
               for cls in type(callback).__mro__)


def fit_plan():
    """A ``FitPlan`` when a ``DataParallel`` is set and several ranks run, else None."""
    if _STATE["distribution"] is None:
        return None
    from .. import distributed as dist
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return None
    return FitPlan()


def active_step():
    """The plan of the ``fit`` now running (None outside a data-parallel fit)."""
    return _STATE["step"]
