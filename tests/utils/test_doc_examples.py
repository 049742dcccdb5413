"""The Examples in ember.utils.data's docstrings run and print what they say."""
import doctest
import importlib

import numpy as np
import pytest

import ember
import ember.utils.data as data

MODULES = ["dataset", "sampler", "collate", "dataloader"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"ember.utils.data.{name}")
    names = {"ember": ember, "np": np, **{k: getattr(data, k) for k in data.__all__}}
    result = doctest.testmod(module, extraglobs=names, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
