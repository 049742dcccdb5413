"""``ember train digits --model cnn``: the small convolutional network, its defaults (the main
job: >= 0.985 test accuracy on digits), its report (architecture, misclassified images), and
predict/evaluate on its run folder."""
import json

import pytest


@pytest.fixture(scope="module")
def cnn_run(tmp_path_factory):
    """One run with every default of --model cnn (30 epochs on digits, seed 0)."""
    from .conftest import ember
    out = tmp_path_factory.mktemp("cnn") / "run"
    result = ember("train", "digits", "--model", "cnn", "--out", out, "--json", timeout=600)
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_cnn_defaults_reach_the_target_accuracy(cnn_run):
    out, summary = cnn_run
    assert summary["test"]["accuracy"] >= 0.985
    assert summary["parameters"] == 151_306
    run = json.loads((out / "config.json").read_text())
    assert run["config"]["model"] == "cnn"
    assert run["config"]["hidden"] == [128] and run["config"]["dropout"] == 0.5  # cnn's defaults


def test_cnn_report_shows_architecture_and_mistakes(cnn_run):
    pytest.importorskip("matplotlib")
    out, summary = cnn_run
    report = (out / "report.html").read_text()
    for layer in ("Unflatten(1×8×8)", "Conv2d(1 → 32, 3×3)", "Conv2d(32 → 64, 3×3)",
                  "MaxPool2d(2)", "Dropout(p=0.25)", "Linear(1024 → 128)", "(N, 64, 4, 4)"):
        assert layer in report, layer
    wrong = round((1 - summary["test"]["accuracy"]) * summary["test"]["n"])
    assert wrong > 0 and (out / "misclassified.png").is_file()
    assert "Misclassified test images" in report


def test_cnn_run_predicts_and_evaluates(cli, cnn_run):
    out, _ = cnn_run
    result = cli("evaluate", out, "digits", "--json")       # every digit, training rows included
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["accuracy"] >= 0.985


@pytest.mark.parametrize("args,message", [
    (("wine", "--model", "cnn"), "--model cnn needs square grey images: 13 features"),
    (("digits", "--model", "resnet"), "invalid --model 'resnet': choose one of mlp, cnn"),
])
def test_cnn_bad_input_is_one_line(cli, tmp_path, args, message):
    result = cli("train", *args, "--epochs", "1", "--out", tmp_path / "run")
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cnn_options_still_apply(cli, tmp_path):
    out = tmp_path / "run"
    result = cli("train", "digits", "--model", "cnn", "--hidden", "32", "--dropout", "0",
                 "--batch-norm", "--epochs", "1", "--out", out, "--json", "--no-plots")
    assert result.returncode == 0, result.stderr
    run = json.loads((out / "config.json").read_text())["config"]
    assert run["hidden"] == [32] and run["dropout"] == 0.0 and run["batch_norm"] is True
    from ember.io import load
    state = load(str(out / "model.safetensors"))
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    assert shapes["1.weight"] == (32, 1, 3, 3) and shapes["2.running_mean"] == (32,)
    assert shapes["10.weight"] == (32, 1024)          # the head: --hidden 32 after 64·4·4 features


def test_cnn_resume_is_bit_identical_to_an_uninterrupted_run(cli, tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    opts = ["--model", "cnn", "--hidden", "16", "--batch-norm", "--quiet", "--no-plots"]
    assert cli("train", "digits", "--epochs", "2", "--out", whole, *opts).returncode == 0
    assert cli("train", "digits", "--epochs", "1", "--out", parts, *opts).returncode == 0
    resumed = cli("train", "--resume", parts, "--epochs", "2", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert (whole / "model.safetensors").read_bytes() == (parts / "model.safetensors").read_bytes()
    assert json.loads((parts / "config.json").read_text())["info"]["epochs_run"] == 2
