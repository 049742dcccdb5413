"""The pruner of ``ember tune``: Optuna's successive halving on the per-epoch validation loss,
each trial ranked only against the trials of its own model family.

Successive halving (asynchronous, as in ASHA) looks at a trial at rungs of
``first · REDUCTION**k`` epochs (2, 6, 18 … for a budget of 30 epochs) and lets it go on only
while its validation loss is among the best ``1/REDUCTION`` of the losses earlier trials had at
the same rung; most trials stop after a few epochs, and the epochs go to the promising ones.
The first rung is ``1/RUNGS_PER_BUDGET`` of the default configuration's epochs, at least
``MIN_EPOCHS`` (the first epochs say more about the learning rate than about the final loss). Families learn at
different speeds (after two epochs an MLP's loss on digits is lower than a convolutional
network's, which ends far lower), so when the space searches ``model`` a trial competes only with
trials of the same model: Optuna's pruner sees the study through :class:`_SameModel`, a view
that lists those trials only (as Optuna's own Hyperband pruner gives each bracket its trials).

Example::

    >>> pruner = make(optuna, epochs=30)
    >>> study = optuna.create_study(pruner=pruner)
"""
from __future__ import annotations

MIN_EPOCHS = 2
RUNGS_PER_BUDGET = 15
REDUCTION = 3


class _SameModel:
    """``study`` as a pruner reads it, with ``get_trials`` listing the trials whose ``model``
    parameter is ``model`` (all of them when the space does not search the model)."""

    def __init__(self, study, model) -> None:
        self._study_view, self._model = study, model

    def get_trials(self, deepcopy: bool = True, states=None) -> list:
        return [t for t in self._study_view.get_trials(deepcopy=deepcopy, states=states)
                if t.params.get("model") == self._model]

    def __getattr__(self, name):  # direction, storage …: the study's own
        return getattr(self._study_view, name)


def first_rung(epochs: int) -> int:
    """The epochs a trial runs before it is first compared: ``epochs / RUNGS_PER_BUDGET``, at
    least ``MIN_EPOCHS``."""
    return max(MIN_EPOCHS, int(epochs) // RUNGS_PER_BUDGET)


def make(optuna, epochs: int):
    """A successive-halving pruner for trials of about ``epochs`` epochs (first rung
    :func:`first_rung`, reduction ``REDUCTION``) that ranks a trial among the trials of its own
    model family."""

    class PerModelSuccessiveHalving(optuna.pruners.BasePruner):
        def __init__(self) -> None:
            self.inner = optuna.pruners.SuccessiveHalvingPruner(
                min_resource=first_rung(epochs), reduction_factor=REDUCTION)

        def prune(self, study, trial) -> bool:
            return self.inner.prune(_SameModel(study, trial.params.get("model")), trial)

    return PerModelSuccessiveHalving()
