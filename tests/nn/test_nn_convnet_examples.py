"""The convnet examples (examples/pytorch_mnist.py, examples/keras_mnist_convnet.py) run as
scripts, as their users run them, on MNIST-shaped data made from the bundled digits, and learn."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def _run(*args) -> list:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=600, cwd=ROOT / "examples")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_mnist_like_data_has_mnist_shapes():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from mnist_like import load_data
    finally:
        sys.path.remove(str(ROOT / "examples"))
    (x_train, y_train), (x_test, y_test) = load_data()
    assert x_train.shape == (1437, 28, 28) and x_test.shape == (360, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert x_train.max() == 255 and x_train.min() == 0 and set(y_test.tolist()) == set(range(10))


def test_pytorch_mnist_example_learns(tmp_path):
    lines = _run("pytorch_mnist.py", "--epochs", "2", "--log-interval", "5")
    logs = [line for line in lines if line.startswith("Train Epoch:")]
    assert logs[0].startswith("Train Epoch: 1 [0/1437 (0%)]\tLoss: ")
    tests = [re.fullmatch(r"Test set: Average loss: (\d+\.\d{4}), Accuracy: (\d+)/360 \((\d+)%\)", line)
             for line in lines if line.startswith("Test set:")]
    assert len(tests) == 2 and all(tests)
    first, last = tests
    assert float(last.group(1)) < float(first.group(1)) or int(last.group(2)) >= int(first.group(2))
    assert int(last.group(2)) / 360 > 0.75          # two epochs of Adadelta on 1437 images


def test_keras_mnist_convnet_example_learns():
    lines = _run("keras_mnist_convnet.py")
    assert "x_train shape: (1437, 28, 28, 1)" in lines
    text = "\n".join(lines)
    assert "Total params: 34,826 (136.04 KB)" in text        # the Keras example's model
    for shape in ("(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)",
                  "(None, 5, 5, 64)", "(None, 1600)", "(None, 10)"):
        assert shape in text, shape
    assert text.count("Epoch ") == 15
    accuracy = float(next(line for line in lines if line.startswith("Test accuracy:")).split()[-1])
    assert accuracy > 0.85
