"""Training checkpoints: everything needed to resume a run bit for bit, in one file.

A checkpoint is a plain dict saved with ``ember.save``: the model's, optimizer's and scheduler's
state dicts, the global RNG state, plus whatever the caller adds (epoch, step, history,
preprocessing, a data loader generator's state …).

Example::

    >>> save_checkpoint("ckpt.safetensors", model=model, optimizer=opt, epoch=5)
    >>> state = load_checkpoint("ckpt.safetensors", model=model, optimizer=opt)
    >>> state["epoch"]
    5
"""
from __future__ import annotations

from .. import random as _random
from .serialize import load, save

__all__ = ["save_checkpoint", "load_checkpoint"]


def save_checkpoint(path, *, model=None, optimizer=None, scheduler=None, **extra) -> dict:
    """Saves the given objects' state dicts, the global RNG state and ``extra`` to ``path``.

    Returns the dict that was written.
    """
    state = {"kind": "ember-checkpoint"}
    if model is not None:
        state["model"] = model.state_dict()
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    if scheduler is not None:
        state["scheduler"] = scheduler.state_dict()
    state["rng"] = _random.get_rng_state()
    state.update(extra)
    save(state, path)
    return state


def load_checkpoint(path, *, model=None, optimizer=None, scheduler=None,
                    restore_rng: bool = True) -> dict:
    """Loads a checkpoint and restores it into the given objects (and the global RNG).

    The file is read and verified completely before anything is restored, so a corrupted file
    (``ember.io.CorruptFileError``) leaves the model and optimizer untouched; each state must
    be a dict, and each object's ``load_state_dict`` checks the rest.

    Raises:
        CorruptFileError: damaged file (see ``ember.load``).
        ValueError: not a checkpoint, or a requested state is missing or not a dict.
    """
    state = load(path)
    if not isinstance(state, dict) or state.get("kind") != "ember-checkpoint":
        raise ValueError(f"{path!s} is not an ember checkpoint (no 'kind': 'ember-checkpoint' entry)")
    wanted = [(name, target) for name, target in (("model", model), ("optimizer", optimizer),
                                                  ("scheduler", scheduler)) if target is not None]
    for name, _ in wanted + ([("rng", None)] if restore_rng and "rng" in state else []):
        if name not in state:
            raise ValueError(f"checkpoint {path!s} holds no {name} state")
        if not isinstance(state[name], dict):
            raise ValueError(f"checkpoint {path!s}: its {name} state is a "
                             f"{type(state[name]).__name__}, not a dict")
    for name, target in wanted:
        target.load_state_dict(state[name])
    if restore_rng and "rng" in state:
        _random.set_rng_state(state["rng"])
    return state
