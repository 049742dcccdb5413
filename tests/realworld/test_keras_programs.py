"""Programs written as Keras 3 code (tests/realworld/keras_programs) run on ember.keras with only
their import lines changed, and agree with Keras 3 on the torch backend."""
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from run_keras_program import ember_keras_source, run_keras  # noqa: E402
from run_program import assert_same  # noqa: E402

PROGRAMS = {  # program name -> tolerance (float32 training for a few epochs: rounding only)
    "callbacks_walkthrough": dict(rtol=2e-4, atol=2e-5),
    "metrics_walkthrough": dict(rtol=2e-4, atol=2e-5),
    "ops_custom_training": dict(rtol=2e-4, atol=2e-5),
    "data_utilities": dict(rtol=2e-4, atol=2e-5),
    # Keras 3's guides: functional API, subclassing, custom fit (torch backend), saving, Sequential
    "functional_api_guide": dict(rtol=2e-4, atol=2e-5),
    "subclassing_guide": dict(rtol=2e-4, atol=2e-5),
    "custom_fit_torch": dict(rtol=2e-4, atol=2e-5),
    "serialization_guide": dict(rtol=2e-4, atol=2e-5),
    "sequential_guide": dict(rtol=2e-4, atol=2e-5),
    # functional models built from keras.ops (residual MLP, attention as ops, split/where/stack)
    "functional_ops_models": dict(rtol=2e-4, atol=2e-5),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_keras_program_agrees_with_keras(name):
    assert keras.backend.backend() == "torch"
    assert_same(run_keras(name, "ember"), run_keras(name, "keras"), **PROGRAMS[name])


def test_only_import_lines_change():
    src = ("import keras\nfrom keras import layers, ops\nfrom keras.callbacks import X\n"
           "import torch\nkeras.ops.sum(x)\ntorch.no_grad()\n")
    assert ember_keras_source(src) == ("import ember.keras as keras\n"
                                       "from ember.keras import layers, ops\n"
                                       "from ember.keras.callbacks import X\n"
                                       "import ember as torch\nkeras.ops.sum(x)\ntorch.no_grad()\n")
