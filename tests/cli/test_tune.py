"""``ember tune``: a tiny search (3 trials of 3 epochs on iris) leaves an Optuna journal that
Optuna itself reads back, a best configuration retrained by ``ember train``, a report with its
pictures; ``--resume`` continues the same study; bad input is one line, exit 2, nothing
written. ``ember train --tensorboard`` writes Keras's tags, read back with TensorBoard's reader."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from .conftest import cli_env, ember

optuna = pytest.importorskip("optuna")
pytest.importorskip("tensorboard")

TINY = ["--trials", "3", "--epochs", "3", "--quiet"]


def _study(folder):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    storage = JournalStorage(JournalFileBackend(str(folder / "study.journal")))
    return optuna.load_study(study_name="ember-tune", storage=storage)


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    """One finished search on iris, with plots."""
    out = tmp_path_factory.mktemp("tune") / "iris"
    result = ember("tune", "iris", *TINY, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def test_search_files(search):
    names = set(os.listdir(search))
    assert {"study.journal", "tune.json", "trials.csv", "best_config.json", "best", "metrics.json",
            "report.html", "optimization_history.png", "trial_curves.png"} <= names
    study = _study(search)
    assert len(study.trials) == 3
    assert set(study.best_trial.params) == {"lr", "hidden", "dropout", "weight_decay",
                                            "batch_size", "optimizer"}
    summary = json.loads((search / "metrics.json").read_text())
    from ember.cli.tune import best_trial
    chosen = best_trial(study, "classification")
    assert summary["trials"]["total"] == 3 and summary["best"]["trial"] == chosen.number
    assert summary["best"]["val_loss"] == pytest.approx(chosen.value)
    assert summary["best"]["val_accuracy"] >= summary["default"]["val_accuracy"]
    assert summary["default"]["trial"] == 0
    rows = (search / "trials.csv").read_text().splitlines()
    assert rows[0].startswith("trial,state,val_loss,val_accuracy,epochs,seconds") and len(rows) == 4
    best = json.loads((search / "best" / "metrics.json").read_text())
    # the best configuration is refitted on the training and validation rows for its epoch
    # budget, keeping the average of the last third's weights; the test rows are the trial's
    refit = json.loads((search / "best" / "config.json").read_text())
    tuned = json.loads((search / "tune.json").read_text())["info"]
    assert refit["config"]["val_split"] == 0 and refit["config"]["early_stopping"] == 0
    assert refit["config"]["epochs"] == 3 and refit["config"]["swa"] == 2  # --epochs 3
    assert best["averaged_epochs"] == [2, 3]
    assert refit["info"]["n_train"] == tuned["n_train"] + tuned["n_val"]
    assert refit["info"]["n_test"] == tuned["n_test"] and refit["info"]["n_val"] == 0
    assert summary["refit"] == {"epochs": 3, "swa": 2, "rows": tuned["n_train"] + tuned["n_val"]}
    assert best["test"]["accuracy"] > 0
    config = json.loads((search / "best_config.json").read_text())
    assert config["lr"] == pytest.approx(chosen.params["lr"])
    page = (search / "report.html").read_text()
    assert "Optimisation history" in page and "data:image/png;base64," in page


def test_resume_continues_the_study(search, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(search, copy)
    result = ember("tune", "--resume", copy, "--trials", "2", "--quiet", "--no-plots",
                   "--no-refit")
    assert result.returncode == 0, result.stderr
    study = _study(copy)
    assert [t.number for t in study.trials] == [0, 1, 2, 3, 4]
    first = _study(search).trials
    assert [t.params for t in study.trials[:3]] == [t.params for t in first]
    summary = json.loads((copy / "metrics.json").read_text())
    assert summary["trials"]["new"] == 2 and summary["refit"] is None
    # --no-refit: the best configuration retrained as its trial was reproduces its score
    # (same seed, same rows)
    from ember.cli.tune import score
    rows = (copy / "best" / "history.csv").read_text().splitlines()
    header = rows[0].split(",")
    history = {k: [float(line.split(",")[header.index(k)]) for line in rows[1:]]
               for k in ("epoch", "val_loss", "val_accuracy")}
    chosen = study.trials[summary["best"]["trial"]]
    assert score(history, "accuracy") == pytest.approx(
        {"val_loss": chosen.value, "val_accuracy": chosen.user_attrs["val_accuracy"],
         "best_epoch": chosen.user_attrs["best_epoch"]}, rel=1e-6)


def test_resume_fails_trials_a_stopped_search_left_running(search, tmp_path):
    """A search killed mid-trial leaves it RUNNING in the journal; --resume (which holds the
    folder's lock) marks it FAIL and goes on, so no trial stays RUNNING for ever."""
    copy = tmp_path / "copy"
    shutil.copytree(search, copy)
    orphan = _study(copy).ask()  # a trial started and never told: what a kill -9 leaves
    assert _study(copy).trials[orphan.number].state.name == "RUNNING"
    result = ember("tune", "--resume", copy, "--trials", "1", "--no-plots")
    assert result.returncode == 0, result.stderr
    assert f"failed: {orphan.number}" in result.stdout
    states = [t.state.name for t in _study(copy).trials]
    assert len(states) == 5 and states[3] == "FAIL" and "RUNNING" not in states, states


def test_ctrl_c_while_optuna_writes_its_journal_stops_cleanly(forked, tmp_path):
    """A Ctrl-C that lands in Optuna's own code (its journal writes, between epochs of no trial)
    is held back: the search stops after the trial being written, with the one message, no
    trial left RUNNING, no lock left behind, and --resume goes on."""
    out = tmp_path / "run"
    result = forked("tune", "iris", "--trials", "20", "--epochs", "2", "--out", out, "--no-plots",
                    cwd=tmp_path, inject="sigint_in_journal")
    assert result.returncode == 130, result.stderr
    assert [line for line in result.stderr.splitlines() if line.strip()] == \
        [f"interrupted: the finished trials are kept in {out / 'study.journal'}; continue with: "
         f"ember tune --resume {out}"]
    states = [t.state.name for t in _study(out).trials]
    assert 2 <= len(states) < 20 and states[0] == "COMPLETE" and "RUNNING" not in states, states
    assert not [name for name in os.listdir(out) if "lock" in name and name != ".ember-lock"]
    again = ember("tune", "--resume", out, "--trials", "1", "--no-plots", "--quiet", "--no-refit")
    assert again.returncode == 0, again.stderr


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # the child gets Python's Ctrl-C handling


def test_ctrl_c_stops_the_search_in_one_message_and_leaves_no_running_trial(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "ember", "tune", "iris", "--trials", "50",
                             "--epochs", "400", "--out", str(out), "--no-plots"],
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_default_sigint)
    try:
        for line in proc.stdout:
            if line.startswith("trial 0:"):  # one trial done, the next one running
                break
        else:
            pytest.fail("the search ended before its first trial")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "ember tune --resume" in stderr, stderr
    assert [line for line in stderr.splitlines() if line.strip()] == \
        [f"interrupted: the finished trials are kept in {out / 'study.journal'}; continue with: "
         f"ember tune --resume {out}"]
    states = [t.state.name for t in _study(out).trials]
    assert states[0] == "COMPLETE" and "RUNNING" not in states, states


def test_space_file_narrows_and_widens(tmp_path):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"lr": {"low": 0.001, "high": 0.01, "log": True},
                                 "optimizer": ["adam"], "dropout": 0.1, "hidden": [[16], [8, 8]],
                                 "activation": ["relu", "tanh"], "weight_decay": None,
                                 "batch_size": 32}))
    out = tmp_path / "run"
    result = ember("tune", "moons", "--trials", "2", "--jobs", "2", "--epochs", "2", "--space", space, "--out",
                   out, "--no-plots", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary["best"]["params"]) == {"lr", "optimizer", "hidden", "activation"}
    config = json.loads((out / "best_config.json").read_text())
    assert config["dropout"] == 0.1 and config["batch_size"] == 32 and config["weight_decay"] == 0
    assert config["hidden"] in ([16], [8, 8]) and 0.001 <= config["lr"] <= 0.01
    resumed = ember("tune", "--resume", out, "--trials", "1", "--no-plots", "--quiet")
    assert resumed.returncode == 0, resumed.stderr  # the saved (narrowed) space is its own
    assert len(_study(out).trials) == 3


def test_image_data_searches_the_cnn(tmp_path):
    """digits (rows that are pictures) searches the convolutional network: its first trial is
    ``ember train --model cnn``'s default configuration, every trial a CNN."""
    out = tmp_path / "run"
    result = ember("tune", "digits", "--trials", "2", "--epochs", "1", "--out", out,
                   "--no-plots", "--quiet")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "tune.json").read_text())["space"]["model"] == "cnn"
    first = _study(out).trials[0].params
    assert (first["hidden"], first["dropout"], first["batch_size"]) == ("128", 0.5, 64)
    config = json.loads((out / "best" / "config.json").read_text())["config"]
    assert config["model"] == "cnn" and config["epochs"] == 1  # --epochs wins over the CNN's 30


SPACES = [  # (images, --space file or None, the model entry of the space)
    (False, None, None),
    (True, None, "cnn"),
    (True, {"model": None}, None),
    (True, {"model": ["mlp", "cnn"]}, ["mlp", "cnn"]),
    (False, {"model": "cnn", "dropout": 0.2}, "cnn"),
]


@pytest.mark.parametrize("images, raw, model", SPACES)
def test_default_space_of_image_data(tmp_path, images, raw, model):
    from ember.cli import tune_space
    path = None
    if raw is not None:
        path = tmp_path / "space.json"
        path.write_text(json.dumps(raw))
    space = tune_space.read(None if path is None else str(path), images=images)
    assert space.get("model") == model and "lr" in space


@pytest.mark.parametrize("name, shape", [("digits", (8, 8)), ("iris", None),
                                         ("moons", None)])
def test_data_knows_its_pictures(name, shape):
    from ember.cli.data import load_training_data
    assert load_training_data(name).image_shape == shape


TRIAL_CONFIGS = [  # (params of a trial, base options given, expected options)
    ({"model": "cnn"}, {}, {"epochs": 30, "early_stopping": 8, "l2": 0.0, "hidden": [128]}),
    ({"model": "cnn", "hidden": [64]}, {"epochs": 3}, {"epochs": 3, "hidden": [64]}),
    ({"lr": 0.01}, {}, {"epochs": None, "early_stopping": None, "hidden": [128, 64]}),
]


@pytest.mark.parametrize("params, given, expected", TRIAL_CONFIGS)
def test_trial_takes_its_models_defaults(params, given, expected):
    from ember.cli import config
    from ember.cli.tune import _trial_config
    cfg = _trial_config(config.resolve(given), params)
    assert {k: cfg[k] for k in expected} == expected


SCORES = [  # (val losses, val accuracies, window, expected score)
    # one lucky epoch of a noisy curve loses to a steady stretch: the best mean of 3 is at
    # epochs 4-6, whose middle, epoch 5, is the refit's length
    ([0.9, 0.1, 0.9, 0.3, 0.2, 0.3, 0.6], [0.5, 0.9, 0.5, 0.8, 0.8, 0.7, 0.6], 3,
     {"val_loss": 0.8 / 3, "val_accuracy": 2.3 / 3, "best_epoch": 5}),
    ([0.9, 0.1, 0.9, 0.3, 0.2], [0.5, 0.9, 0.5, 0.8, 0.8], 1,
     {"val_loss": 0.1, "val_accuracy": 0.9, "best_epoch": 2}),
    # a trial shorter than the window is scored on all its epochs
    ([0.4, 0.2], [0.5, 0.7], 5, {"val_loss": 0.3, "val_accuracy": 0.6, "best_epoch": 1}),
]


@pytest.mark.parametrize("losses, accuracies, window, expected", SCORES)
def test_trial_score_is_the_best_mean_over_a_window(losses, accuracies, window, expected):
    from ember.cli.tune import score, smoothed
    history = {"epoch": list(range(1, len(losses) + 1)), "val_loss": losses,
               "val_accuracy": accuracies}
    assert score(history, "accuracy", window) == pytest.approx(expected)
    assert smoothed(losses, window)[-1] == pytest.approx(sum(losses[-window:]) / len(
        losses[-window:]))


BEST = [  # ((val loss, val accuracy) of each trial, task, the trial retrained)
    ([(0.05, 0.98), (0.03, 0.97), (0.04, 0.99)], "classification", 2),
    ([(0.05, 0.98), (0.03, 0.97), (0.04, 0.98)], "classification", 2),  # equals: lower loss
    ([(0.05, 0.98), (0.06, 0.98)], "classification", 0),  # the default stays unless beaten
    ([(0.05, 0.0), (0.03, 0.0), (0.04, 0.0)], "regression", 1),
]


@pytest.mark.parametrize("trials, task, expected", BEST)
def test_best_trial_is_chosen_on_the_validation_metric(trials, task, expected):
    from ember.cli.tune import best_trial
    from optuna.distributions import FloatDistribution
    study = optuna.create_study()
    for number, (loss, accuracy) in enumerate(trials):
        study.add_trial(optuna.trial.create_trial(
            params={"lr": 0.001 * (number + 1)}, distributions={"lr": FloatDistribution(0, 1)},
            value=loss, user_attrs={"val_accuracy": accuracy}))
    assert best_trial(study, task).number == expected


@pytest.mark.parametrize("epochs, first", [(30, 2), (120, 8), (5, 2), (1000, 66)])
def test_first_rung_scales_with_the_epochs(epochs, first):
    from ember.cli import tune_pruner
    assert tune_pruner.first_rung(epochs) == first


@pytest.mark.parametrize("second, state", [("cnn", "COMPLETE"), ("mlp", "PRUNED")])
def test_pruner_ranks_a_trial_within_its_model_family(second, state):
    """A first CNN trial whose early loss is worse than an MLP's is not pruned (CNNs start
    slower and end lower); a second MLP trial with that loss is."""
    from ember.cli import tune_pruner
    losses = {"mlp": [0.1] * 6, "cnn": [0.5] * 6}
    study = optuna.create_study(pruner=tune_pruner.make(optuna, epochs=6))

    def objective(trial):
        model = trial.suggest_categorical("model", ["mlp", "cnn"])
        curve = losses[model] if trial.number == 0 else [0.5] * 6
        for step, value in enumerate(curve, start=1):
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return curve[-1]

    study.enqueue_trial({"model": "mlp"})
    study.enqueue_trial({"model": second})
    study.optimize(objective, n_trials=2)
    assert [t.state.name for t in study.trials] == ["COMPLETE", state]


# ---- bad input ------------------------------------------------------------------------------
def _snapshot(root):
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory, search):
    root = tmp_path_factory.mktemp("world")
    (root / "unknown.json").write_text('{"lr": {"low": 0.001, "high": 0.1}, "learning_rate": [1]}')
    (root / "bad_range.json").write_text('{"dropout": {"low": 0.5, "high": 0.1}}')
    (root / "bad_value.json").write_text('{"optimizer": ["adam", "adamm"]}')
    (root / "not_json.json").write_text("lr = 0.1")
    (root / "blocker").write_text("a file")
    other = root / "other"  # a search of iris whose journal is replaced by another search's
    shutil.copytree(search, other)
    (root / "moons").mkdir()
    result = ember("tune", "moons", "--trials", "1", "--epochs", "1", "--quiet", "--no-plots",
                   "--out", root / "moons" / "run")
    assert result.returncode == 0, result.stderr
    shutil.copy(root / "moons" / "run" / "study.journal", other / "study.journal")
    (root / "garbage").mkdir()
    shutil.copy(search / "tune.json", root / "garbage" / "tune.json")
    (root / "garbage" / "study.journal").write_text("not a journal\n")
    return root


BAD = [
    (["iris", "--trials", "0"], "at least one trial"),
    (["iris", "--trials", "two"], "--trials"),
    (["iris", "--timeout", "-5"], "--timeout"),
    (["iris", "--jobs", "0"], "--jobs"),
    (["iris", "--space", "{w}/unknown.json"], "unknown parameter 'learning_rate'"),
    (["iris", "--space", "{w}/bad_range.json"], "low <= high"),
    (["iris", "--space", "{w}/bad_value.json"], "adamm"),
    (["iris", "--space", "{w}/not_json.json"], "not_json.json"),
    (["iris", "--space", "{w}/missing.json"], "not found"),
    (["iris", "--val-split", "0"], "validation split"),
    (["iris", "--out", "{w}/blocker/run"], "blocker"),
    (["--resume", "{w}/other", "--trials", "1"], "belongs to another search"),
    (["--resume", "{w}/garbage", "--trials", "1"], "study.journal"),
    (["--resume", "{w}/moons", "--trials", "1"], "not an ember tune run"),
    (["--resume", "{w}/other", "--space", "{w}/bad_range.json"], "--space"),
    (["nowhere.csv", "--trials", "1"], "nowhere.csv"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_writes_nothing(world, forked, tmp_path, argv, message):
    before = _snapshot(world)
    argv = [a.replace("{w}", str(world)) for a in argv]
    result = forked("tune", *argv, "--quiet", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ember: error: ") and message in lines[0]
    assert _snapshot(world) == before and not os.listdir(tmp_path)


# ---- ember train --tensorboard --------------------------------------------------------------
def test_train_tensorboard_logs(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    logs = tmp_path / "tb"
    out = tmp_path / "run"
    result = ember("train", "iris", "--epochs", "3", "--early-stopping", "0", "--out", out,
                   "--tensorboard", logs, "--quiet", "--no-plots")
    assert result.returncode == 0, result.stderr
    rows = (out / "history.csv").read_text().splitlines()
    header = rows[0].split(",")
    table = [dict(zip(header, map(float, row.split(",")))) for row in rows[1:]]
    train = EventAccumulator(str(logs / "train")).Reload()
    val = EventAccumulator(str(logs / "validation")).Reload()
    assert sorted(train.Tags()["scalars"]) == ["epoch_accuracy", "epoch_learning_rate",
                                               "epoch_loss"]
    assert sorted(val.Tags()["scalars"]) == ["epoch_accuracy", "epoch_loss"]
    for acc, tag, key in ((train, "epoch_loss", "loss"), (val, "epoch_loss", "val_loss"),
                          (val, "epoch_accuracy", "val_accuracy"),
                          (train, "epoch_learning_rate", "lr")):
        assert [(e.step, e.value) for e in acc.Scalars(tag)] == [
            (int(r["epoch"]), pytest.approx(r[key], rel=1e-6)) for r in table]
    result = ember("train", "--resume", out, "--epochs", "4", "--tensorboard", logs, "--quiet")
    assert result.returncode == 0, result.stderr
    steps = [e.step for e in EventAccumulator(str(logs / "train")).Reload().Scalars("epoch_loss")]
    assert steps == [1, 2, 3, 4]


def test_train_tensorboard_unwritable(tmp_path):
    (tmp_path / "blocker").write_text("x")
    result = ember("train", "iris", "--epochs", "1", "--out", tmp_path / "run",
                   "--tensorboard", tmp_path / "blocker" / "tb", "--quiet", cwd=tmp_path)
    assert result.returncode == 2 and "blocker" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == ["blocker"]
