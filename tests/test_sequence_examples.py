"""The sequence examples run as scripts and learn their tasks: the LSTM forecaster beats the
persistence forecast on the sunspot years it never saw, the Keras GRU classifier and the
transformer classifier reach a test accuracy far above the majority class."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str, *args) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_lstm_forecaster_beats_persistence(tmp_path):
    out = _run("lstm_sunspots_forecast.py", "--plot", str(tmp_path / "forecast.png"))
    lstm, naive = map(float, re.search(r"LSTM RMSE ([\d.]+), persistence RMSE ([\d.]+)", out).groups())
    assert lstm < 0.75 * naive, out
    assert (tmp_path / "forecast.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["gru_sequence_classifier_keras.py", "transformer_classifier.py"])
def test_classifiers_learn(name):
    out = _run(name)
    accuracy = float(re.search(r"test accuracy ([\d.]+)", out).group(1))
    assert accuracy > 0.9, out
