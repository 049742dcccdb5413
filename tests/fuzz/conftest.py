"""The fuzz suite: Hypothesis drives the readers with generated files; only documented errors
may come out.

``make test`` runs each fuzz test once (a few hundred examples, well under a minute in all).
``make fuzz`` passes ``--fuzz-seconds N``: each test then runs again and again, with fresh random
examples every round, until N seconds have passed.

Example::

    $ .venv/bin/python -m pytest tests/fuzz --fuzz-seconds 180
"""
import time

import pytest


def pytest_addoption(parser):
    # only seen when tests/fuzz is named on the command line (an initial conftest): make fuzz
    parser.addoption("--fuzz-seconds", type=float, default=0.0,
                     help="run each fuzz test repeatedly for this many seconds (make fuzz)")


@pytest.fixture
def fuzz(request):
    """``fuzz(test)`` runs a ``@given`` test once, or for ``--fuzz-seconds``; returns the rounds."""
    seconds = request.config.getoption("fuzz_seconds", default=0.0) or 0.0

    def run(test) -> int:
        deadline, rounds = time.monotonic() + seconds, 0
        while True:
            test()
            rounds += 1
            if time.monotonic() >= deadline:
                return rounds

    return run
