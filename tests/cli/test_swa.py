"""``ember train --swa N``: the saved model is the average of the weights after each of the last N
epochs (``ember.optim.swa_utils.AveragedModel``), BatchNorm statistics recomputed on the
training rows; it resumes bit for bit and refuses early stopping beside it."""
import json

import numpy as np
import pytest

import ember
from ember.cli import config as config_mod
from ember.cli.train import _prepare
from ember.cli.trainer import Trainer

from .test_resume import _history, _tensors


def _trainer(csv, **options):
    cfg = config_mod.resolve({"data": str(csv), "epochs": 6, "hidden": [8], "batch_size": 32,
                              "dropout": 0.1, "plots": False, **options})
    _, splits, info = _prepare(cfg)
    return Trainer(cfg, splits, info["task"], info["n_outputs"]), splits


def test_the_average_is_the_mean_of_the_last_epochs_weights(animals_csv):
    plain, _ = _trainer(animals_csv, early_stopping=0)
    snapshots = []
    plain.fit(6, checkpoint=lambda: snapshots.append(
        {k: v.numpy().astype(np.float64) for k, v in plain.model.state_dict().items()}))
    averaged, _ = _trainer(animals_csv, swa=3)
    assert averaged.cfg["early_stopping"] == 0  # switched off by --swa
    averaged.fit(6)
    for key, value in plain.model.state_dict().items():  # averaging does not change training
        np.testing.assert_array_equal(averaged.model.state_dict()[key].numpy(), value.numpy())
    assert averaged.averaged_epochs == [4, 6]
    averaged.use_final_weights()
    for key, value in averaged.model.state_dict().items():
        expected = np.mean([s[key] for s in snapshots[3:]], axis=0)
        assert value.dtype == ember.float32
        np.testing.assert_allclose(value.numpy(), expected, rtol=1e-5, atol=1e-6, err_msg=key)
        assert not np.allclose(value.numpy(), snapshots[-1][key]), key


def test_batch_norm_statistics_are_recomputed_for_the_averaged_weights(animals_csv):
    trainer, splits = _trainer(animals_csv, swa=2, batch_norm=True, batch_size="full")
    trainer.fit(6)
    trainer.use_final_weights()
    X = splits["train"][0]
    linear = trainer.model[0] if isinstance(trainer.model[0], ember.nn.Linear) else None
    linear = linear or next(m for m in trainer.model.modules() if isinstance(m, ember.nn.Linear))
    norm = next(m for m in trainer.model.modules() if isinstance(m, ember.nn.BatchNorm1d))
    with ember.no_grad():
        h = linear(ember.from_numpy(X)).numpy().astype(np.float64)
    # one full batch: the running statistics are that batch's mean and unbiased variance
    np.testing.assert_allclose(norm.running_mean.numpy(), h.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(norm.running_var.numpy(), h.var(0, ddof=1), rtol=1e-4, atol=1e-5)
    assert norm.momentum == 0.1 and int(norm.num_batches_tracked) == 1


def test_train_with_swa_reports_and_resumes_bit_for_bit(cli, tmp_path, animals_csv):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    opts = ["--hidden", "16", "--dropout", "0.2", "--batch-norm", "--swa", "2", "--batch-size",
            "32", "--quiet", "--no-plots"]
    assert cli("train", animals_csv, "--epochs", "6", "--out", whole, *opts).returncode == 0
    assert cli("train", animals_csv, "--epochs", "3", "--out", parts, *opts).returncode == 0
    result = cli("train", "--resume", parts, "--epochs", "6", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (whole / "model.safetensors").read_bytes() == (parts / "model.safetensors").read_bytes()
    a, b = _tensors(whole / "checkpoint.safetensors"), _tensors(parts / "checkpoint.safetensors")
    assert a.keys() == b.keys() and any(k.startswith("averaged") for k in a)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert _history(whole) == _history(parts)
    metrics = json.loads((whole / "metrics.json").read_text())
    assert metrics["averaged_epochs"] == [5, 6] and metrics["best_epoch"] is None
    assert "the average of epochs 5–6" in (whole / "report.html").read_text()
    # the model saved is the average, not the last epoch's weights
    model, last = _tensors(whole / "model.safetensors"), _tensors(whole / "checkpoint.safetensors")
    assert not np.array_equal(model["0.weight"], last["model.0.weight"])


@pytest.mark.parametrize("args,message", [
    (["--swa", "3", "--early-stopping", "4"], "--swa 3 averages the last epochs' weights and "
                                              "--early-stopping 4 keeps one epoch's"),
    (["--swa", "-2"], "invalid --swa '-2': expected an integer, a number of final epochs of at "
                      "least 0 (0 turns it off)"),
    (["--swa", "two"], "invalid --swa 'two': expected an integer"),
])
def test_bad_swa_is_one_line(cli, tmp_path, animals_csv, args, message):
    result = cli("train", animals_csv, "--out", tmp_path / "run", *args)
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "run").exists()
