"""``ember train --model lstm``: windowed forecasting of the bundled sunspot series or of a CSV
column, time-ordered splits, a forecast-vs-truth plot in the report, and evaluate/predict/resume
on such a run; bad combinations are one-line errors (exit 2)."""
import json

import numpy as np
import pytest

from ember.cli.windows import split_in_order, windowed_data


def test_windows_and_time_ordered_splits():
    data = windowed_data("sunspots", target=None, window=5, dropna=False)
    assert data.X.shape == (304, 5) and data.X.dtype == np.float32
    np.testing.assert_array_equal(data.X[1, :-1], data.X[0, 1:])   # consecutive windows overlap
    assert data.y[0] == data.X[1, -1]                               # the target is the next value
    assert data.spec["encoding"]["feature_names"] == ["t-5", "t-4", "t-3", "t-2", "t-1"]
    train, val, test = split_in_order(100, 0.1, 0.2)
    assert train.max() < val.min() and val.max() < test.min() and len(test) == 20


def test_lstm_on_sunspots_learns_and_plots(cli, tmp_path):
    out = tmp_path / "run"
    proc = cli("train", "sunspots", "--model", "lstm", "--hidden", "24", "--window", "10",
               "--epochs", "40", "--lr", "0.01", "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["test"]["r2"] > 0.6                    # a real forecast, far above the mean
    assert (out / "forecast.png").stat().st_size > 10_000
    assert "Forecast vs truth" in (out / "report.html").read_text()
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["model"] == "lstm" and config["preprocessing"]["window"] == 10
    # the trivial baseline of a forecast is the naive one: each test window's last value
    data = windowed_data("sunspots", target=None, window=10, dropna=False)
    n_test = config["info"]["n_test"]
    naive = json.loads((out / "metrics.json").read_text())["baselines"]["trivial"]
    assert naive["model"] == "last value (naive forecast)"
    np.testing.assert_allclose(naive["mae"], np.abs(data.y[-n_test:] - data.X[-n_test:, -1]).mean(),
                               rtol=1e-5)
    assert summary["test"]["mae"] < naive["mae"]          # the LSTM beats the naive forecast
    evaluated = cli("evaluate", out, "sunspots", "--json")
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["n"] == 299
    predicted = cli("predict", out, "sunspots")
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 300
    resumed = cli("train", "--resume", out, "--epochs", "42", "--quiet")
    assert resumed.returncode == 0, resumed.stderr


def test_lstm_on_a_csv_column(cli, tmp_path):
    t = np.arange(300)
    path = tmp_path / "waves.csv"
    path.write_text("t,noise,level\n" + "\n".join(
        f"{i},{n:.3f},{np.sin(i / 6):.5f}" for i, n in zip(t, np.random.default_rng(0).normal(size=300))))
    out = tmp_path / "run"
    proc = cli("train", path, "--target", "level", "--model", "lstm", "--hidden", "16",
               "--window", "8", "--epochs", "25", "--lr", "0.01", "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["test"]["r2"] > 0.9


@pytest.mark.parametrize("args,message", [
    (["iris", "--model", "lstm"], "iris is not one; give sunspots or a CSV file"),
    (["sunspots", "--model", "lstm", "--window", "400"], "too few for --window 400"),
    (["sunspots", "--model", "lstm", "--batch-norm"], "--batch-norm applies to --model mlp and cnn only"),
    (["sunspots", "--model", "gru"], "invalid --model 'gru': choose one of mlp, cnn, lstm"),
    (["sunspots", "--model", "lstm", "--window", "0"], "invalid --window '0'"),
    (["sunspots", "--model", "lstm", "--target", "x"], "--target applies to CSV files only"),
])
def test_bad_forecasting_options(cli, tmp_path, args, message):
    proc = cli("train", *args, "--out", tmp_path / "run", "--quiet")
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
