"""The Keras-style examples beyond Sequential run as scripts and learn their tasks: the
functional two-input/two-output model with a skip connection, the subclassed model with its own
train_step, and the custom layer (add_weight/add_loss/get_config) that saves and loads back."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str, *args) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _number(pattern: str, text: str) -> float:
    return float(re.search(pattern, text).group(1))


def test_functional_two_heads_learns_both_outputs():
    out = _run("keras_functional_two_heads.py")
    assert "Connected to" in out and "skip (Add)" in out, out
    assert "'val_cultivar_accuracy'" in out and "'alcohol_mae'" in out, out
    assert _number(r"test accuracy ([\d.]+)", out) > 0.85, out
    mae, baseline = map(float, re.search(r"alcohol MAE ([\d.]+), predicting the mean ([\d.]+)",
                                         out).groups())
    assert mae < 0.9 * baseline, out


def test_custom_train_step_clips_and_learns():
    out = _run("keras_custom_train_step.py")
    assert "'grad_norm'" in out and "'val_accuracy'" in out, out
    assert _number(r"test accuracy ([\d.]+)", out) > 0.85, out


def test_custom_layer_fits_and_round_trips(tmp_path):
    out = _run("keras_custom_layer.py", "--out", str(tmp_path / "radial.keras"))
    mse, variance = map(float, re.search(r"test MSE ([\d.]+) \(the function's variance "
                                         r"([\d.]+)\)", out).groups())
    assert mse < 0.05 * variance, out
    assert "widths all >= 0: True; penalty terms this call: 1" in out, out
    assert "24 units; identical predictions: True" in out, out
    assert (tmp_path / "radial.keras").stat().st_size > 1000


def test_image_augmentation_layers_train_a_digit_classifier():
    out = _run("keras_image_augmentation.py")
    assert "data_augmentation (Sequential)" in out and "resizing (Resizing)" in out, out
    assert _number(r"test accuracy ([\d.]+)", out) > 0.85, out
    assert "predict is deterministic (augmentation off): True" in out, out
    assert "augmentation changes images while training: True" in out, out
