"""The Examples in ember.nn's docstrings run and print what they show."""
import doctest
import importlib
import warnings

import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

MODULES = ["ember.nn", "ember.nn.modules.module", "ember.nn.parameter", "ember.nn.init", "ember.nn.hooks",
           "ember.nn.functional", "ember.nn.functional.activation", "ember.nn.functional.layers",
           "ember.nn.functional.loss", "ember.nn.modules.linear", "ember.nn.modules.activation",
           "ember.nn.modules.loss", "ember.nn.modules.container", "ember.nn.modules.dropout",
           "ember.nn.modules.flatten", "ember.nn.modules.normalization", "ember.nn.utils.clip_grad",
           "ember.nn.utils.convert_parameters", "ember.nn.functional.conv",
           "ember.nn.functional.pooling", "ember.nn.functional.vision",
           "ember.nn.functional._spatial", "ember.nn.modules.conv", "ember.nn.modules.pooling",
           "ember.nn.modules.fold",
           "ember.nn.modules.padding", "ember.nn.modules.upsampling",
           "ember.nn.functional.recurrent", "ember.nn.functional.attention",
           "ember.nn.functional.embedding", "ember.nn.modules.rnn", "ember.nn.modules.sparse",
           "ember.nn.modules.attention", "ember.nn.modules.transformer", "ember.nn.utils.rnn",
           "ember.models.sequence", "ember.nn.functional.spatial_extra",
           "ember.nn.modules.instancenorm", "ember.nn.modules.pixelshuffle",
           "ember.nn.modules.lazy", "ember.nn.modules.batchnorm", "ember.nn.functional.fractional",
           "ember.nn.modules.channelshuffle"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(module, extraglobs={"ember": ember, "F": F, "nn": nn},
                                 optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
