"""Run folders are never silently replaced, concurrent writers are stopped, ``--resume`` refuses
changed data unless told, and messages about what was saved are true."""
import json
import re
import subprocess
import sys

import pytest

import ember

from .conftest import cli_env
from .test_bad_input import _snapshot

QUICK = ["--epochs", "2", "--quiet", "--no-plots"]


def test_a_second_run_into_the_same_folder_is_refused_and_overwrite_replaces_it(forked, tmp_path):
    out = tmp_path / "D"
    first = forked("train", "moons", "--out", out, "--epochs", "2", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (out / "decision_boundary.png").is_file()  # moons has two inputs: a boundary plot
    before = _snapshot(out)
    refused = forked("train", "iris", "--out", out, *QUICK, cwd=tmp_path)
    assert refused.returncode == 2 and "already holds a run (moons" in refused.stderr
    assert _snapshot(out) == before
    replaced = forked("train", "iris", "--out", out, "--epochs", "2", "--quiet", "--overwrite", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((out / "config.json").read_text())["config"]["data"] == "iris"
    assert not (out / "decision_boundary.png").exists()  # the old run's picture went with it
    assert "Decision boundary" not in (out / "report.html").read_text()


def test_overwrite_keeps_files_that_are_not_the_runs(forked, tmp_path):
    out = tmp_path / "D"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert forked("train", "iris", "--out", out, *QUICK, cwd=tmp_path).returncode == 2
    assert forked("train", "iris", "--out", out, *QUICK, "--overwrite", cwd=tmp_path).returncode == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "model.safetensors").is_file()


def test_a_concurrent_writer_is_stopped_with_one_line(forked, tmp_path):
    out = tmp_path / "D"
    first = subprocess.Popen([sys.executable, "-m", "ember", "train", "digits", "--epochs", "500",
                              "--early-stopping", "0", "--out", str(out), "--no-plots"],
                             env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in first.stdout:
            if line.startswith("epoch"):
                break
        second = forked("train", "iris", "--out", out, "--overwrite", *QUICK, cwd=tmp_path)
        resumed = forked("train", "--resume", out, cwd=tmp_path)
    finally:
        first.kill()
        first.communicate()
    for result in (second, resumed):
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert "another ember process is writing to" in lines[0]
    assert json.loads((out / "config.json").read_text())["config"]["data"] == "digits"


def test_resume_refuses_changed_data_unless_told(forked, tmp_path, animals_csv):
    data = tmp_path / "animals.csv"
    data.write_text(animals_csv.read_text())
    out = tmp_path / "run"
    assert forked("train", data, "--out", out, *QUICK, cwd=tmp_path).returncode == 0
    data.write_text(data.read_text().replace("forest", "desert", 3))
    refused = forked("train", "--resume", out, "--epochs", "3", cwd=tmp_path)
    assert refused.returncode == 2 and "changed since the run started" in refused.stderr
    allowed = forked("train", "--resume", out, "--epochs", "3", "--allow-data-change", "--quiet",
                     cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert ember.load(out / "checkpoint.safetensors")["epoch"] == 3


def test_ctrl_c_during_a_checkpoint_write_names_the_epoch_the_file_holds(forked, tmp_path):
    out = tmp_path / "run"
    result = forked("train", "iris", "--out", out, "--epochs", "50", "--early-stopping", "0",
                    "--no-plots", "--quiet", cwd=tmp_path, inject="sigint_in_save")
    assert result.returncode == 130, result.stderr
    said = int(re.search(r"checkpoint of epoch (\d+) kept", result.stderr).group(1))
    held = ember.load(out / "checkpoint.safetensors")["epoch"]
    assert said == held == 2
    assert "Traceback" not in result.stderr
    lines = (out / "history.csv").read_text().strip().splitlines()
    assert len(lines) == 1 + held  # the history written with it is complete too


@pytest.mark.parametrize("change", ["content", "mtime", "added", "removed"])
def test_the_snapshot_of_the_world_sees_every_change(tmp_path, change):
    import os
    (tmp_path / "a").write_text("1")
    before = _snapshot(tmp_path)
    if change == "content":
        (tmp_path / "a").write_text("2")
    elif change == "mtime":
        os.utime(tmp_path / "a", ns=(1, 1))
    elif change == "added":
        (tmp_path / ".hidden").write_text("")
    else:
        (tmp_path / "a").unlink()
    assert _snapshot(tmp_path) != before


def test_a_closed_pipe_ends_quietly_with_status_0():
    """``ember predict … | head -1``: the reader stopped; no traceback, no 'Exception ignored'."""
    proc = subprocess.Popen([sys.executable, "-m", "ember", "datasets"], env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 0 and err == b"", err


def test_a_huge_batch_size_means_the_whole_training_set(forked, tmp_path):
    result = forked("train", "iris", "--batch-size", str(10**21), *QUICK, "--out", tmp_path / "r",
                    cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("disposition", ["python", "ignored"])
def test_deferred_interrupts_finish_the_block_and_respect_an_ignored_sigint(disposition):
    import os
    import signal
    from ember.cli.signals import deferred_interrupts
    previous = signal.signal(signal.SIGINT, signal.default_int_handler if disposition == "python"
                             else signal.SIG_IGN)
    done = []
    try:
        try:
            with deferred_interrupts():
                os.kill(os.getpid(), signal.SIGINT)
                done.append("the block went on")
            interrupted = False
        except KeyboardInterrupt:
            interrupted = True
        assert done == ["the block went on"]
        assert interrupted == (disposition == "python")
        assert signal.getsignal(signal.SIGINT) is (signal.default_int_handler if disposition == "python"
                                                   else signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGINT, previous)
