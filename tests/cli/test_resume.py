"""Resuming: ``train 6`` equals ``train 3, stop, resume to 6`` bit for bit; Ctrl-C keeps a checkpoint."""
import csv
import re
import signal
import subprocess
import sys

import numpy as np
import pytest

from .conftest import cli_env


def _tensors(path):
    from safetensors.numpy import load_file
    return load_file(str(path))


def _history(folder):
    with open(folder / "history.csv") as handle:
        return [{k: v for k, v in row.items() if k != "time"} for row in csv.DictReader(handle)]


# dropout, batch norm and a schedule make every RNG draw and buffer count
OPTIONS = ["--hidden", "16,8", "--dropout", "0.2", "--batch-norm", "--lr-schedule", "exponential",
           "--batch-size", "32", "--quiet", "--no-plots"]


@pytest.mark.parametrize("optimizer", ["adam", "nesterov"])
def test_resume_is_bit_identical_to_an_uninterrupted_run(cli, optimizer, tmp_path, animals_csv):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    opts = OPTIONS + ["--optimizer", optimizer]
    assert cli("train", animals_csv, "--epochs", "6", "--out", whole, *opts).returncode == 0
    assert cli("train", animals_csv, "--epochs", "3", "--out", parts, *opts).returncode == 0
    assert len(_history(parts)) == 3
    result = cli("train", "--resume", parts, "--epochs", "6", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (whole / "model.safetensors").read_bytes() == (parts / "model.safetensors").read_bytes()
    a, b = _tensors(whole / "checkpoint.safetensors"), _tensors(parts / "checkpoint.safetensors")
    assert a.keys() == b.keys() and any(".exp_avg" in k or "momentum" in k for k in a)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert _history(whole) == _history(parts)


def test_resume_only_accepts_epochs(cli, trained_run):
    result = cli("train", "--resume", trained_run, "--lr", "0.1")
    assert result.returncode == 2 and "only --epochs" in result.stderr


def _default_sigint():
    """The child gets Python's Ctrl-C handling even where the test process ignores SIGINT (a
    child inherits an ignored SIGINT, and Python then installs no KeyboardInterrupt handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_saves_a_checkpoint_that_resumes(cli, tmp_path, animals_csv):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "ember", "train", animals_csv, "--epochs", "2000",
                             "--early-stopping", "0", "--out", str(out), "--no-plots"],
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)
    try:
        for line in proc.stdout:  # one line per epoch: stdout is a pipe
            if re.match(r"epoch\s+2/", line):
                break
        else:
            pytest.fail("the run ended before its second epoch")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=240)  # the machine may be loaded
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "ember train --resume" in stderr
    import ember
    epoch = ember.load(out / "checkpoint.safetensors")["epoch"]
    assert epoch >= 2
    info = cli("info", out)
    assert info.returncode == 0 and "did not finish" in info.stdout and "--resume" in info.stdout
    result = cli("train", "--resume", out, "--epochs", epoch + 1, "--quiet")
    assert result.returncode == 0, result.stderr
    assert len(_history(out)) == epoch + 1 and (out / "metrics.json").is_file()
