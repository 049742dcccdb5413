"""The Optuna examples run as scripts: a torch-style loop with SummaryWriter, and Keras fit with
a pruning callback, CSVLogger and TensorBoard; both find a configuration that learns digits."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("optuna")
pytest.importorskip("tensorboard")


@pytest.mark.parametrize("name", ["optuna_torch_loop.py", "optuna_keras_fit.py"])
def test_optuna_example(tmp_path, name):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name), "--trials", "3",
                           "--epochs", "3", "--logdir", str(tmp_path / "logs")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    trials = int(re.search(r"(\d+) trials", proc.stdout).group(1))
    test_acc = float(re.search(r"test_accuracy ([\d.]+)", proc.stdout).group(1))
    assert trials == 3 and test_acc > 0.85, proc.stdout
    assert sorted(os.listdir(tmp_path / "logs")) == ["trial0", "trial1", "trial2"]
