"""The seeds' nn cells (examples/seeds_nn_*.py) run as scripts and print what the seeds show.

Values drawn from the random initialisation cannot equal torch's draws; for those the output's
form (shape, grad_fn, dtype) is checked, and the deterministic values exactly.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(name: str) -> tuple:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines(), proc.stderr


NUM = r"-?\d+\.\d{4}"


@pytest.mark.parametrize("name,expected", [
    ("seeds_nn_layers.py", [
        rf"tensor\(\[\s*{NUM},\s+{NUM}\], grad_fn=<ViewBackward0>\)",
        rf"tensor\(\[\[{NUM}\]\], grad_fn=<AddmmBackward0>\)",
        r"The number of parameters in the model is 53",
        r"tensor\(\[\[0\.9168\]\]\)",
        r"tensor\(\[\[1\.2828e-01, 1\.1698e-04, 5\.7492e-01, 3\.4961e-02, 1\.5669e-01, 1\.0503e-01\]\]\)",
        rf"tensor\(\[\[{NUM}\]\], grad_fn=<AddmmBackward0>\)",
        rf"tensor\(\[\[{NUM}, {NUM}, {NUM}, {NUM}\]\], grad_fn=<SoftmaxBackward0>\)",
        r"Weight of the first layer: Parameter containing:",
    ]),
    ("seeds_nn_losses.py", [
        r"One-hot vector using NumPy: \[0 1 0\]",
        r"One-hot vector using PyTorch: tensor\(\[0, 1, 0\]\)",
        r"tensor\(8\.0619, dtype=\w+\.float64\)",
        r"MSE \(NumPy\): 0\.375",
        r"MSE \(PyTorch\): tensor\(0\.3750, dtype=\w+\.float64\)",
        r"ReLU applied to positive value: tensor\(2\.\)",
        r"ReLU applied to negative value: tensor\(0\.\)",
        r"tensor\(-0\.1000\)",
    ]),
])
def test_seed_cells_print_what_the_seed_shows(name, expected):
    lines, stderr = _run(name)
    remaining = list(lines)
    for pattern in expected:           # in order, each matching a whole line
        while remaining and not re.fullmatch(pattern, remaining[0]):
            remaining.pop(0)
        assert remaining, f"no line matching {pattern!r} in:\n" + "\n".join(lines)
        remaining.pop(0)
    if name == "seeds_nn_layers.py":
        assert "Implicit dimension choice for softmax" in stderr
        assert "Bias of the second layer: Parameter containing:" in lines


def test_mlp_cells_train_with_clipping():
    pytest.importorskip("ember.optim")
    lines, _ = _run("seeds_nn_mlp.py")
    assert "  (batchnorm): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
           "track_running_stats=True)" in lines
    assert "  (dropout): Dropout(p=0.5, inplace=False)" in lines
    assert ("['layer1.weight', 'layer1.bias', 'batchnorm.weight', 'batchnorm.bias', "
            "'batchnorm.running_mean', 'batchnorm.running_var', 'batchnorm.num_batches_tracked', "
            "'layer2.weight', 'layer2.bias']") in lines
    losses = [float(m.group(1)) for line in lines if (m := re.fullmatch(r"Epoch \d+, Loss: (\S+)", line))]
    assert len(losses) == 10
    assert all(b < a for a, b in zip(losses, losses[1:]))    # the seed's loss falls every epoch
