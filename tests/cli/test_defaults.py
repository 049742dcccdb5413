"""The defaults that scale with the data (``ember.cli.defaults``): batch size, epochs from the
step budget, early-stopping patience, L2 penalty; explicit options win; Ctrl-C between epochs."""
import json
import os
import signal

import pytest

from ember.cli import config, defaults
from ember.cli.errors import CLIError


@pytest.mark.parametrize("n_train, batch", [(1, 16), (105, 16), (398, 16), (1024, 32), (1257, 32),
                                            (10_000, 64), (65_536, 256), (100_000, 256), (10**7, 256)])
def test_batch_size_is_the_power_of_two_below_the_square_root_within_16_and_256(n_train, batch):
    assert defaults.batch_size(n_train) == batch


@pytest.mark.parametrize("n_train, batch, steps, epochs", [
    (105, 16, 2000, 286),         # 7 steps an epoch
    (1257, 32, 2000, 50),         # 40 steps an epoch
    (100_000, 256, 2000, 10),     # 391 steps an epoch: at least MIN_EPOCHS
    (5, 16, 2000, 1000),          # one step an epoch: at most MAX_EPOCHS
    (105, "full", 300, 300),
])
def test_epochs_come_from_the_step_budget(n_train, batch, steps, epochs):
    assert defaults.epochs(n_train, batch, steps) == epochs


@pytest.mark.parametrize("n_train, batch, patience", [(105, 16, 20), (1257, 32, 15), (100_000, 256, 5)])
def test_patience_is_about_a_fixed_number_of_steps(n_train, batch, patience):
    assert defaults.patience(n_train, batch) == patience


@pytest.mark.parametrize("n_train, l2", [(100, 0.05), (1257, 0.00398), (100_000, 5e-5)])
def test_l2_fades_as_the_data_grows(n_train, l2):
    assert defaults.l2(n_train) == pytest.approx(l2)


def test_resolve_fills_only_what_was_left_out():
    cfg = config.validate({**config.DEFAULTS, "batch_size": "8", "l2": 0})
    chosen = defaults.resolve(cfg, 1257)
    assert chosen == {"steps": 3000, "epochs": 19, "early_stopping": 5}  # 158 steps an epoch
    assert cfg["batch_size"] == 8 and cfg["l2"] == 0
    given = config.validate({**config.DEFAULTS, "epochs": 3, "steps": 10, "early_stopping": 0})
    defaults.resolve(given, 1257)
    assert (given["epochs"], given["early_stopping"], given["batch_size"]) == (3, 0, 32)


@pytest.mark.parametrize("override, message", [({"steps": 0}, "--steps"), ({"steps": "x"}, "--steps"),
                                               ({"l2": -1}, "--l2"), ({"epochs": 0}, "--epochs")])
def test_bad_budget_options_are_refused(override, message):
    with pytest.raises(CLIError, match=message):
        config.validate({**config.DEFAULTS, **override})


def test_the_cnn_keeps_the_budget_it_was_measured_with():
    cfg = config.resolve({"model": "cnn"})
    assert (cfg["epochs"], cfg["batch_size"], cfg["early_stopping"], cfg["l2"]) == (30, 64, 8, 0.0)


def test_a_run_records_the_chosen_defaults_and_the_kept_epoch(cli, tmp_path):
    out = tmp_path / "run"
    result = cli("train", "iris", "--steps", "70", "--out", out, "--no-plots", "--json")
    assert result.returncode == 0, result.stderr
    cfg = json.loads((out / "config.json").read_text())["config"]
    # iris: 105 training rows -> batch 16, 7 steps an epoch, so 70 steps are 10 epochs
    assert (cfg["batch_size"], cfg["steps"], cfg["epochs"], cfg["early_stopping"]) == (16, 70, 10, 20)
    assert cfg["l2"] == pytest.approx(5 / 105, rel=1e-2)
    summary = json.loads(result.stdout)
    assert summary["epochs_run"] == 10 and 1 <= summary["best_epoch"] <= 10
    history = (out / "history.csv").read_text().strip().splitlines()
    assert len(history) == 11
    header = history[0].split(",")
    losses = [float(line.split(",")[header.index("val_loss")]) for line in history[1:]]
    assert summary["best_epoch"] == 1 + losses.index(min(losses))
    assert "batch 16, up to 10 epochs (70 steps)" in result.stderr


def test_the_first_ctrl_c_finishes_the_epoch_and_a_second_stops_at_once():
    from ember.cli.signals import interrupts_between_epochs
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with interrupts_between_epochs() as pending:
            assert not pending()
            os.kill(os.getpid(), signal.SIGINT)
            assert pending()  # recorded, not raised
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
