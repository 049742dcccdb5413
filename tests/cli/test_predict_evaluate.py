"""``ember predict``, ``ember evaluate``, ``ember info`` and ``ember datasets`` on a finished run."""
import csv
import json

import numpy as np
import pytest


def _rows(path):
    with open(path) as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("drop_target", [False, True])
def test_predict_writes_classes_and_probabilities(cli, trained_run, animals_csv, tmp_path, drop_target):
    data = animals_csv
    if drop_target:  # new rows usually come without the target column
        data = tmp_path / "new.csv"
        lines = animals_csv.read_text().splitlines()
        data.write_text("\n".join(",".join(l.split(",")[:3]) for l in lines[:11]) + "\n")
    out = tmp_path / "predictions.csv"
    result = cli("predict", trained_run, data, "--out", out)
    assert result.returncode == 0, result.stderr
    rows = _rows(out)
    assert len(rows) == (10 if drop_target else 240)
    assert list(rows[0]) == ["prediction", "prob_fox", "prob_otter"]
    probs = np.array([[float(r["prob_fox"]), float(r["prob_otter"])] for r in rows])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=2e-6)
    assert [r["prediction"] for r in rows] == [["fox", "otter"][i] for i in probs.argmax(axis=1)]


def test_predict_matches_evaluate(cli, trained_run, animals_csv, tmp_path):
    out = tmp_path / "p.csv"
    assert cli("predict", trained_run, animals_csv, "--out", out).returncode == 0
    truth = [r["species"] for r in _rows(animals_csv)]
    accuracy = np.mean([p["prediction"] == t for p, t in zip(_rows(out), truth)])
    result = cli("evaluate", trained_run, animals_csv, "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["accuracy"] == pytest.approx(accuracy)
    assert metrics["n"] == 240 and len(metrics["per_class"]) == 2
    assert {"macro_precision", "macro_recall", "macro_f1", "confusion_matrix"} <= set(metrics)


def test_predict_regression_on_a_bundled_run(cli, tmp_path):
    run = tmp_path / "run"
    assert cli("train", "diabetes", "--epochs", "2", "--out", run, "--quiet", "--no-plots").returncode == 0
    result = cli("predict", run, "diabetes")  # no --out: CSV on stdout
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction" and len(lines) == 443
    values = np.array([float(v) for v in lines[1:]])
    assert np.all(np.isfinite(values)) and values.std() > 0
    evaluated = json.loads(cli("evaluate", run, "diabetes", "--json").stdout)
    assert set(evaluated) >= {"mse", "mae", "r2", "rmse"}


def test_info_prints_summary_and_metrics(cli, trained_run):
    result = cli("info", trained_run)
    assert result.returncode == 0, result.stderr
    assert "Linear(5 → 128)" in result.stdout and "total" in result.stdout
    assert "test: accuracy" in result.stdout
    as_json = json.loads(cli("info", trained_run, "--json").stdout)
    assert as_json["config"]["hidden"] == [128, 64] and as_json["metrics"]["test"]["n"] == 48


def test_datasets_lists_bundled_and_generated(cli):
    result = cli("datasets")
    assert result.returncode == 0
    for name in ["digits", "iris", "wine", "breast_cancer", "diabetes", "moons", "circles", "spirals", "xor"]:
        assert name in result.stdout
    assert "1797" in result.stdout


def test_python_dash_m_ember_without_a_command_shows_help(cli):
    result = cli()
    assert result.returncode == 2 and "train" in result.stderr
