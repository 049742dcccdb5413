"""The torch-style training loop behind ``ember train``: batches from a ``DataLoader``, forward,
loss (+ L1/L2 penalties), backward, clipping, optimizer step; per-epoch validation, learning-rate
schedule, early stopping or weight averaging (``--swa``), NaN detection, and a checkpoint after an epoch every
``CHECKPOINT_SECONDS`` at most (and after the last one, or when Ctrl-C stops the run: the first
Ctrl-C lets the running epoch finish and be saved, a second one stops at once).

A checkpoint holds everything the loop depends on (model, optimizer, scheduler, global and loader
RNG states, history, early-stopping state), so stopping and resuming gives bit-identical results.

Only ember's public API is used: ``nn.utils.clip_grad_norm_``, ``DataLoader``,
``ember.io.save_checkpoint``, ``ember.diagnostics.lr_find`` … A checkpoint read back is checked
(:mod:`ember.cli.state`) before anything in it is used.

Example::

    >>> trainer = Trainer(cfg, splits, task="classification", n_out=10, y_std=1.0)
    >>> trainer.fit(epochs=30, checkpoint=lambda: trainer.save("checkpoint.safetensors"))
"""
from __future__ import annotations

import math
import time

import numpy as np

import ember

from ..io import save_checkpoint
from ..nn.utils import clip_grad_norm_, clip_grad_value_
from ..optim.lr_scheduler import ReduceLROnPlateau
from ..optim.swa_utils import AveragedModel, update_bn
from ..utils.data import DataLoader, TensorDataset
from .builders import build_loss, build_model, build_optimizer, build_scheduler
from .errors import CLIError
from .parallel import World
from .progress import Progress
from .signals import interrupts_between_epochs
from .state import check_trainer_state

# Writing a checkpoint (fsync included) can cost more than a small set's epoch: one at most this
# often, and always after the last epoch. 0 writes one after every epoch.
CHECKPOINT_SECONDS = 2.0


class TrainingDiverged(Exception):
    """The loss became NaN or infinite."""

    def __init__(self, epoch: int, step: int, lr: float, value: float) -> None:
        super().__init__(f"the loss became {value} at epoch {epoch} (step {step}); try a lower "
                         f"learning rate (--lr, now {lr:g}) or gradient clipping (--clip-norm 1.0)")


def predict_outputs(model, X: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The model's raw outputs (logits or scaled values) for ``X``, in eval mode, in float32."""
    model.eval()
    outputs = []
    with ember.no_grad():
        for start in range(0, len(X), chunk):
            outputs.append(model(ember.from_numpy(X[start:start + chunk])).numpy())
    return np.concatenate(outputs) if outputs else np.zeros((0, 1), np.float32)


class Trainer:
    """Owns the model, optimizer, scheduler, loader and the loop's state.

    Args:
        cfg: validated options (see ``ember.cli.config``).
        splits: ``{"train": (X, y), "val": (X, y) or None}``; X standardised float32, y int64
            class indices or float32 standardised values of shape (N, 1).
        task: ``"classification"`` or ``"regression"``.
        n_out: output units (number of classes, or 1).
        y_std: the regression target's scale, to report MAE in the original units.

    With ``cfg["lr"] == "auto"`` the optimizer and scheduler are built by :meth:`find_lr`,
    once the learning rate is known; otherwise here.
    """

    def __init__(self, cfg: dict, splits: dict, task: str, n_out: int, y_std: float = 1.0,
                 progress: Progress | None = None, world: World | None = None) -> None:
        self.cfg, self.task, self.y_std = cfg, task, y_std
        self.world = world or World()
        self.progress = progress or Progress(quiet=True)
        X, y = splits["train"]
        self.val = splits.get("val")
        ember.manual_seed(cfg["seed"])
        self.model = build_model(cfg, X.shape[1], n_out)
        self.params = list(self.model.parameters())
        self.weights = [p for p in self.params if p.ndim >= 2]
        self.optimizer = self.scheduler = None
        if cfg["lr"] != "auto":
            self._build_optimizer(cfg["lr"])
        self.loss_fn = build_loss(task)
        self.loader_rng = ember.Generator().manual_seed(cfg["seed"])
        batch = len(X) if cfg["batch_size"] == "full" else min(cfg["batch_size"], len(X))
        self.loader = self.world.loader(TensorDataset(ember.from_numpy(X), ember.from_numpy(y)),
                                        batch, self.loader_rng)
        self.net = self.world.wrap(self.model)  # DistributedDataParallel on several ranks
        self.metric = "accuracy" if task == "classification" else "mae"
        self.epoch = 0
        self.step = 0
        self.history: dict = {"epoch": [], "loss": [], self.metric: []}
        if self.val is not None:
            self.history.update({"val_loss": [], f"val_{self.metric}": []})
        self.history.update({"lr": [], "time": []})
        self.best_loss = math.inf
        self.best_state = None
        self.bad_epochs = 0
        self.stopped_early = False
        self.monitor = None  # an ember.diagnostics.TrainingMonitor, stepped after every update
        # --swa: the running average of the weights after each of the last cfg["swa"] epochs
        self.averaged = AveragedModel(self.model) if cfg.get("swa") else None

    def _build_optimizer(self, lr: float) -> None:
        self.optimizer = build_optimizer(self.cfg, self.params, lr)
        self.scheduler = build_scheduler(self.cfg, self.optimizer)

    def find_lr(self):
        """``--lr auto``: runs ``ember.diagnostics.lr_find`` with an optimizer of the chosen
        kind (it restores the model and the RNG afterwards), then builds the real optimizer and
        schedule at the suggested rate. Returns the finder's result (``.suggestion``, ``.plot``)."""
        from ..diagnostics import lr_find
        if self.world.size > 1:
            raise CLIError("--lr auto runs on one process; give --lr with --nproc")
        probe = build_optimizer(self.cfg, self.params, 1e-3)
        result = lr_find(self.model, self.loss_fn, self.loader, optimizer=probe)
        suggested = float(result.suggestion)
        if not math.isfinite(suggested) or suggested <= 0:
            raise CLIError("--lr auto: the learning-rate finder found no usable rate; give --lr")
        self._build_optimizer(suggested)
        return result

    # ----------------------------------------------------------------------------- checkpoint
    def state(self) -> dict:
        return {"epoch": self.epoch, "step": self.step, "history": self.history,
                "loader_rng": self.loader_rng.get_state(), "best_loss": self.best_loss,
                "best_state": self.best_state, "bad_epochs": self.bad_epochs,
                "stopped_early": self.stopped_early,
                "averaged": None if self.averaged is None else self.averaged.state_dict()}

    def save(self, path, **extra) -> None:
        save_checkpoint(path, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler,
                        **self.state(), **extra)

    def restore(self, checkpoint: dict, where: str) -> None:
        """Restores a checkpoint read by ``ember.load`` from ``where``, after checking every
        entry against this trainer (``ember.cli.state``); a bad entry raises ``CLIError``
        before anything is changed."""
        check_trainer_state(checkpoint, self, where)
        try:
            self.model.load_state_dict(checkpoint["model"])
            self.optimizer.load_state_dict(checkpoint["optimizer"])
            if self.scheduler is not None:
                self.scheduler.load_state_dict(checkpoint["scheduler"])
            self.loader_rng.set_state(checkpoint["loader_rng"])
            ember.set_rng_state(checkpoint["rng"])
            if self.averaged is not None:
                self.averaged.load_state_dict(checkpoint["averaged"])
        except (KeyError, IndexError, TypeError, ValueError, RuntimeError) as exc:
            raise CLIError(f"{where} does not fit this run's model and optimizer ({exc}); "
                           f"it was damaged or edited; train the run again") from None
        self.epoch, self.step = checkpoint["epoch"], checkpoint["step"]
        self.history = {k: list(v) for k, v in checkpoint["history"].items()}
        self.best_loss, self.best_state = checkpoint["best_loss"], checkpoint["best_state"]
        self.bad_epochs, self.stopped_early = checkpoint["bad_epochs"], checkpoint["stopped_early"]

    # ----------------------------------------------------------------------------- the loop
    def _penalty(self):
        cfg, total = self.cfg, None
        for w in self.weights:
            term = None
            if cfg["l2"]:
                term = (w * w).sum() * cfg["l2"]
            if cfg["l1"]:
                l1 = w.abs().sum() * cfg["l1"]
                term = l1 if term is None else term + l1
            if term is not None:
                total = term if total is None else total + term
        return total

    def _batch_metric(self, out: np.ndarray, target: np.ndarray) -> float:
        if self.task == "classification":
            return float(np.count_nonzero(out.argmax(axis=1) == target))
        return float(np.abs(out - target).sum(dtype=np.float64)) * self.y_std

    def _train_epoch(self, epoch: int, total: int) -> dict:
        cfg, model = self.cfg, self.model
        model.train()
        self.progress.start_epoch(epoch, total, len(self.loader))
        loss_sum = metric_sum = 0.0
        seen = 0
        world = self.world
        for index, (xb, yb) in enumerate(self.loader, start=1):
            out = self.net(xb)
            loss = self.loss_fn(out, yb)
            n = world.rows(len(yb))
            value = float(loss.item())
            batch_metric = self._batch_metric(out.detach().numpy(), yb.numpy()) if n else 0.0
            if world.size > 1:  # the whole batch's loss, metric and rows, summed over ranks
                value_n, batch_metric, n = world.sum([value * n, batch_metric, n])
                value = value_n / n
                loss = loss * world.shard_weight(world.rows(len(yb)))
            if not math.isfinite(value):
                raise TrainingDiverged(epoch, self.step + 1, self.optimizer.param_groups[0]["lr"], value)
            penalty = self._penalty()
            self.optimizer.zero_grad()
            (loss if penalty is None else loss + penalty).backward()
            if cfg["clip_value"]:
                clip_grad_value_(self.params, cfg["clip_value"])
            if cfg["clip_norm"]:
                clip_grad_norm_(self.params, cfg["clip_norm"])
            self.optimizer.step()
            self.step += 1
            if self.monitor is not None:
                self.monitor.step(value)
            seen += n
            loss_sum += value * n
            metric_sum += batch_metric
            self.progress.batch(index, loss_sum / seen)
        return {"loss": loss_sum / seen, self.metric: metric_sum / seen}

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple:
        """(loss, metric) of the current model on standardised ``X`` and encoded ``y``."""
        out = predict_outputs(self.model, X)
        with ember.no_grad():
            loss = float(self.loss_fn(ember.from_numpy(out), ember.from_numpy(y)).item())
        return loss, self._batch_metric(out, y) / max(len(y), 1)

    def fit(self, epochs: int, checkpoint=None, min_seconds: float = 0.0) -> None:
        """Trains until ``epochs`` epochs are done in total (or early stopping); ``checkpoint()``
        runs after every epoch, or with ``min_seconds`` (``ember train`` gives
        ``CHECKPOINT_SECONDS``) after an epoch when that long has passed since the last one;
        always after the last epoch, and after the epoch a first Ctrl-C arrived in (then
        ``KeyboardInterrupt`` is raised). A ``TrainingDiverged`` leaves the last checkpoint
        untouched."""
        with np.errstate(all="ignore"):  # overflow shows up as a non-finite loss, reported below
            with interrupts_between_epochs() as interrupted:
                self._fit(epochs, checkpoint, interrupted, min_seconds)

    def _fit(self, epochs: int, checkpoint, interrupted, min_seconds: float) -> None:
        saved = time.perf_counter()
        while self.epoch < epochs and not self.stopped_early:
            epoch = self.epoch + 1
            start = time.perf_counter()
            lr = float(self.optimizer.param_groups[0]["lr"])
            logs = self._train_epoch(epoch, epochs)
            if self.monitor is not None:
                self.monitor.epoch_end()
            if self.val is not None:
                logs["val_loss"], logs[f"val_{self.metric}"] = self.evaluate(*self.val)
                if not math.isfinite(logs["val_loss"]):
                    raise TrainingDiverged(epoch, self.step, lr, logs["val_loss"])
            logs["lr"] = lr
            monitored = logs.get("val_loss", logs["loss"])
            if self.scheduler is not None:
                if isinstance(self.scheduler, ReduceLROnPlateau):
                    self.scheduler.step(monitored)
                else:
                    self.scheduler.step()
            self._early_stopping(monitored)
            if self.averaged is not None and epoch >= self.swa_start:
                if epoch == self.swa_start:  # a resumed run given more --epochs starts anew
                    self.averaged.n_averaged.zero_()
                self.averaged.update_parameters(self.model)
            logs["time"] = time.perf_counter() - start
            self.history["epoch"].append(epoch)
            for key in self.history:
                if key != "epoch":
                    self.history[key].append(float(logs[key]))
            self.epoch = epoch
            last = self.epoch >= epochs or self.stopped_early
            stop = interrupted()  # read once: a Ctrl-C from here on stops after the next epoch
            if checkpoint is not None and (last or stop
                                           or time.perf_counter() - saved >= min_seconds):
                checkpoint()
                saved = time.perf_counter()
            self.progress.end_epoch(logs)
            if stop:
                raise KeyboardInterrupt
            if self.stopped_early:
                self.progress.message(f"early stopping: no improvement for {self.bad_epochs} epochs; "
                                      f"keeping the best weights from epoch {self.best_epoch} "
                                      f"(validation loss {self.best_loss:.4f})")

    def _early_stopping(self, monitored: float) -> None:
        patience = self.cfg["early_stopping"]
        if not patience:
            return
        if monitored < self.best_loss:
            self.best_loss, self.bad_epochs = monitored, 0
            self.best_state = {k: v.clone() for k, v in self.model.state_dict().items()}
        else:
            self.bad_epochs += 1
            self.stopped_early = self.bad_epochs >= patience

    @property
    def best_epoch(self) -> int | None:
        """The epoch whose weights early stopping keeps (the first with the lowest monitored
        loss), or None without early stopping."""
        losses = self.history.get("val_loss") or self.history["loss"]
        if not self.cfg["early_stopping"] or not losses:
            return None
        return self.history["epoch"][int(np.argmin(losses))]

    @property
    def swa_start(self) -> int:
        """With ``--swa N``: the first epoch whose weights are averaged (of ``cfg["epochs"]``)."""
        return max(1, self.cfg["epochs"] - self.cfg["swa"] + 1)

    @property
    def averaged_epochs(self) -> list | None:
        """``[first, last]`` epoch of the weights averaged so far with ``--swa``, or None."""
        if self.averaged is None or int(self.averaged.n_averaged) == 0:
            return None
        return [self.epoch - int(self.averaged.n_averaged) + 1, self.epoch]

    def use_final_weights(self) -> None:
        """The saved model: with ``--swa`` the averaged weights (BatchNorm's running statistics
        recomputed on the training rows, as ``swa_utils.update_bn``), with early stopping the
        weights of the best monitored loss, otherwise the last epoch's."""
        if self.averaged_epochs is not None:
            self.model.load_state_dict(self.averaged.module.state_dict())
            update_bn(((xb,) for xb, _ in self.loader), self.model)
        elif self.best_state is not None:
            self.model.load_state_dict(self.best_state)
