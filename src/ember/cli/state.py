"""What a training checkpoint of ``ember train`` must hold, checked before any of it is used.

A checkpoint passes ``ember.load`` (format, checksum) and can still be nonsense: re-saved with
edited contents and a recomputed checksum, it may miss the optimizer, give ``epoch`` as a string
or ``-5``, ``history`` as a number, weights of other shapes. :func:`check_trainer_state` checks
every entry against the trainer that will resume it and raises one ``CLIError`` naming the file
and the entry, so resuming never starts from nonsense and never ends in a traceback.

Example::

    >>> check_trainer_state(ember.load("run/checkpoint.safetensors"), trainer, "run/checkpoint…")
"""
from __future__ import annotations

from ..io import SchemaError
from ..io.schema import Any, Bool, Either, Int, ListOf, MapOf, Null, Num, Record, Str, check
from .errors import CLIError

TRAINER_STATE = Record(
    {"kind": Str(choices=["ember-checkpoint"]), "model": MapOf(Any()),
     "optimizer": Record({"state": MapOf(Any(), str_keys=False),
                         "param_groups": ListOf(MapOf(Any()), min_len=1)}),
     "rng": MapOf(Any()), "loader_rng": MapOf(Any()), "epoch": Int(min=0), "step": Int(min=0),
     "history": MapOf(ListOf(Num(finite=False))), "best_loss": Num(finite=False),
     "best_state": Either(Null(), MapOf(Any())), "bad_epochs": Int(min=0), "stopped_early": Bool(),
     "config": MapOf(Any()), "preprocessing": MapOf(Any())},
    optional={"scheduler": MapOf(Any()), "averaged": Either(Null(), MapOf(Any()))})


def _shapes(state: dict) -> dict:
    return {key: tuple(getattr(value, "shape", ())) for key, value in state.items()}


def check_trainer_state(checkpoint, trainer, where: str) -> None:
    """Raises ``CLIError`` unless ``checkpoint`` is a state ``trainer`` can resume from."""
    if not isinstance(checkpoint, dict):
        raise CLIError(f"{where} is not an ember training checkpoint; train the run again")
    try:
        check(checkpoint, TRAINER_STATE, where)
    except SchemaError as exc:
        raise CLIError(f"{exc}; the checkpoint was damaged or edited, train the run again") from None
    problems = []
    expected = _shapes(trainer.model.state_dict())
    if _shapes(checkpoint["model"]) != expected:
        problems.append("its model weights do not have the shapes of the run's network")
    if checkpoint["best_state"] is not None and _shapes(checkpoint["best_state"]) != expected:
        problems.append("its best weights do not have the shapes of the run's network")
    averaged = checkpoint.get("averaged")
    if (trainer.averaged is None) != (averaged is None):
        problems.append("its weight average does not match the run's --swa")
    elif averaged is not None and _shapes(averaged) != _shapes(trainer.averaged.state_dict()):
        problems.append("its averaged weights do not have the shapes of the run's network")
    if (trainer.scheduler is None) != ("scheduler" not in checkpoint):
        problems.append("its learning-rate schedule does not match the run's --lr-schedule")
    epoch, history = checkpoint["epoch"], checkpoint["history"]
    if set(history) != set(trainer.history):
        problems.append(f"its history has the columns {sorted(history)} instead of "
                        f"{sorted(trainer.history)}")
    elif any(len(values) != epoch for values in history.values()):
        problems.append(f"its history does not have one row per epoch (epoch {epoch})")
    if checkpoint["bad_epochs"] > epoch or checkpoint["step"] < epoch:
        problems.append("its epoch, step and early-stopping counters contradict each other")
    if problems:
        raise CLIError(f"{where}: {problems[0]}; the checkpoint was damaged or edited, train the "
                       f"run again")
