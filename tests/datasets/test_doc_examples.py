"""The Examples in ember.datasets' docstrings run and print what they say (file-based ones excepted)."""
import doctest
import importlib

import numpy as np
import pytest

import ember

MODULES = ["bundled", "generators", "catalog", "_bunch", "errors", "sequences"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # errors' example reads a file that must not exist
    module = importlib.import_module(f"ember.datasets.{name}")
    result = doctest.testmod(module, extraglobs={"ember": ember, "np": np},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
