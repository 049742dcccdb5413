"""Helpers for the command-line tests: run ``python -m ember`` as a subprocess, or many commands
as child processes of one fork server (``forkserver.py``: same ``main``, same exit path, without
Python's start-up per command)."""
import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def cli_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    # Small matrices: BLAS threads only add contention when tests run in parallel.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def ember(*args, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    """Runs ``python -m ember ARGS`` and returns the finished process (text output)."""
    return subprocess.run([sys.executable, "-m", "ember", *map(str, args)], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=timeout)


def write_animals_csv(path: Path, n: int = 240, seed: int = 0) -> Path:
    """A small classification CSV with two numeric columns and one categorical column."""
    rng = np.random.default_rng(seed)
    weight = rng.normal(20, 5, n)
    legs = rng.integers(2, 5, n)
    habitat = rng.choice(["forest", "river", "desert"], n)
    score = (weight - 20) / 5 + (habitat == "river") * 1.5 - (legs == 2)
    species = np.where(score > 0.2, "otter", "fox")
    lines = ["weight,legs,habitat,species"]
    lines += [f"{w:.3f},{l},{h},{s}" for w, l, h, s in zip(weight, legs, habitat, species)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def cli():
    """The ``ember(*args)`` runner as a fixture."""
    return ember


@pytest.fixture(scope="session")
def animals_csv(tmp_path_factory) -> Path:
    return write_animals_csv(tmp_path_factory.mktemp("data") / "animals.csv")


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, animals_csv) -> Path:
    """One finished run on the animals CSV, shared by predict/evaluate/info tests."""
    out = tmp_path_factory.mktemp("runs") / "animals"
    result = ember("train", animals_csv, "--epochs", "4", "--out", out, "--quiet", "--no-plots")
    assert result.returncode == 0, result.stderr
    return out


class ForkRunner:
    """``runner(*args, cwd=…, inject=None)`` runs ``ember ARGS`` in a child process of the fork
    server and returns a ``subprocess.CompletedProcess`` (status, stdout, stderr)."""

    def __init__(self, scratch: Path) -> None:
        self.scratch, self.count = scratch, 0
        self.server = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forkserver.py"))],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=cli_env(),
                                       text=True, start_new_session=True)

    def __call__(self, *args, cwd, inject=None, timeout=120) -> subprocess.CompletedProcess:
        self.count += 1
        out, err = self.scratch / f"{self.count}.out", self.scratch / f"{self.count}.err"
        argv = [str(a) for a in args]
        request = {"argv": argv, "cwd": str(cwd), "stdout": str(out), "stderr": str(err),
                   "inject": inject}
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        ready, _, _ = select.select([self.server.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise TimeoutError(f"ember {' '.join(argv)} did not finish in {timeout} s")
        status = json.loads(self.server.stdout.readline())["status"]
        return subprocess.CompletedProcess(argv, status, out.read_text(), err.read_text())

    def close(self) -> None:
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()


@pytest.fixture(scope="session")
def forked(tmp_path_factory):
    """A :class:`ForkRunner` shared by the tests of one worker."""
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork")
    runner = ForkRunner(tmp_path_factory.mktemp("forked"))
    yield runner
    runner.close()
