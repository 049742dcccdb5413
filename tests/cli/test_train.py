"""``ember train`` end to end: run folder contents, report, JSON summary, config files."""
import csv
import json

import numpy as np
import pytest


RUN_FILES = ["model.safetensors", "checkpoint.safetensors", "config.json", "history.csv",
             "metrics.json", "report.html"]


@pytest.mark.parametrize("data, plots", [
    ("iris", ["curves.png", "confusion_matrix.png"]),
    ("moons", ["curves.png", "confusion_matrix.png", "decision_boundary.png"]),
    ("diabetes", ["curves.png", "predicted_vs_true.png"]),
])
def test_train_bundled_writes_a_complete_run(cli, data, plots, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "run"
    result = cli("train", data, "--epochs", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    for name in RUN_FILES + plots:
        assert (out / name).is_file(), name
    lines = [line for line in result.stdout.splitlines() if line.startswith("epoch")]
    assert len(lines) == 3 and "loss" in lines[0] and "val_loss" in lines[0]  # one line per epoch
    assert f"report: {out / 'report.html'}" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64,") == len(plots)
    assert "Linear(" in report and "output shape" in report
    if data == "diabetes":
        assert set(metrics["test"]) >= {"mse", "mae", "r2"} and "R²" in report
    else:
        assert 0 <= metrics["test"]["accuracy"] <= 1 and "macro average" in report
        assert "test: accuracy" in result.stdout
    with open(out / "history.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    # the baselines, side by side with the network in metrics.json, the console and the report
    key = "r2" if data == "diabetes" else "accuracy"
    comparison = metrics["comparison"]
    assert comparison["metric"] == key and comparison["network"] == metrics["test"][key]
    for name in ("linear", "trivial"):
        assert comparison[name] == metrics["baselines"][name][key]
    assert comparison["beats_linear"] == (comparison["network"] > comparison["linear"])
    assert comparison["verdict"] in result.stdout and comparison["verdict"] in report
    assert "Against the baselines" in report and "trivial predictor" in report
    for label in ("network", "linear model", "trivial predictor"):
        assert any(line.strip().startswith(label) for line in result.stdout.splitlines()), label


def test_train_csv_with_categorical_column(cli, tmp_path, animals_csv):
    out = tmp_path / "run"
    result = cli("train", animals_csv, "--epochs", "20", "--out", out, "--json", "--no-plots",
                   "--hidden", "16", "--lr", "0.01")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # stdout holds nothing but the JSON summary
    assert summary["task"] == "classification" and summary["epochs_run"] >= 1
    assert summary["test"]["accuracy"] > 0.8
    run = json.loads((out / "config.json").read_text())
    encoding = run["preprocessing"]["encoding"]  # ember.datasets.TabularEncoding.to_dict()
    assert encoding["categories"] == {"habitat": ["desert", "forest", "river"]}  # weight, legs: numeric
    assert encoding["feature_names"] == ["weight", "legs", "habitat=desert", "habitat=forest",
                                         "habitat=river"]
    assert encoding["classes"] == ["fox", "otter"] and encoding["target"] == "species"
    assert run["info"]["n_features"] == 5  # weight, legs, and three one-hot columns
    assert len(run["preprocessing"]["mean"]) == 5


def test_standardisation_uses_the_training_split_only(cli, tmp_path, animals_csv):
    out = tmp_path / "run"
    assert cli("train", animals_csv, "--epochs", "1", "--out", out, "--quiet", "--no-plots",
                 "--test-split", "0.5", "--val-split", "0.25").returncode == 0
    run = json.loads((out / "config.json").read_text())
    weights = np.loadtxt(animals_csv, delimiter=",", skiprows=1, usecols=0, dtype=np.float64)
    order = np.random.default_rng(0).permutation(len(weights))
    train = weights[order[len(weights) // 2 + len(weights) // 4:]]
    assert run["preprocessing"]["mean"][0] == pytest.approx(train.mean(), rel=1e-5)
    assert run["preprocessing"]["mean"][0] != pytest.approx(weights.mean(), rel=1e-7)


@pytest.mark.parametrize("suffix, text", [
    (".toml", 'hidden = [8]\noptimizer = "sgd"\nlr = 0.05\nepochs = 2\nbatch-size = "full"\n'),
    (".json", '{"hidden": "8", "optimizer": "sgd", "lr": 0.05, "epochs": 2, "batch_size": "full"}'),
])
def test_config_file_and_command_line_precedence(cli, suffix, text, tmp_path):
    config = tmp_path / f"cfg{suffix}"
    config.write_text(text)
    out = tmp_path / "run"
    result = cli("train", "iris", "--config", config, "--epochs", "3", "--out", out, "--quiet",
                   "--no-plots")
    assert result.returncode == 0, result.stderr
    cfg = json.loads((out / "config.json").read_text())["config"]
    assert cfg["hidden"] == [8] and cfg["optimizer"] == "sgd" and cfg["lr"] == 0.05
    assert cfg["batch_size"] == "full" and cfg["epochs"] == 3  # the command line wins


def test_nan_loss_stops_with_advice_and_keeps_the_checkpoint(cli, tmp_path):
    out = tmp_path / "run"
    result = cli("train", "iris", "--optimizer", "sgd", "--lr", "1e6", "--out", out, "--quiet")
    assert result.returncode == 1
    assert "nan" in result.stderr and "--lr" in result.stderr and "--clip-norm" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (out / "checkpoint.safetensors").is_file()
    import ember as em
    assert em.load(out / "checkpoint.safetensors")["epoch"] == 0


def test_without_matplotlib_training_works_and_names_the_extra(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib is blocked for this test')\n")
    monkeypatch.setenv("PYTHONPATH", str(blocker.parent))
    out = tmp_path / "run"
    result = cli("train", "iris", "--epochs", "2", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "pip install 'ember[plots]'" in result.stdout
    assert not list(out.glob("*.png")) and (out / "report.html").is_file()
    assert "ember[plots]" in (out / "report.html").read_text()
