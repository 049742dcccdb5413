"""Programs written as PyTorch code (tests/realworld/programs) run on ember with only their
import lines changed, and agree with torch."""
import pytest

from run_program import assert_same, ember_source, run

pytest.importorskip("torch")

# program name → tolerance (float32 training for a few epochs drifts by rounding only)
PROGRAMS = {
    "quickstart": dict(rtol=2e-4, atol=2e-5),
    "data_pipeline": dict(rtol=2e-4, atol=2e-5),
    "param_groups_scheduler": dict(rtol=2e-4, atol=2e-5),
    "checkpoint_resume": dict(rtol=2e-4, atol=2e-5),
    "regression_functional": dict(rtol=2e-4, atol=2e-5),
    "polynomial_autograd": dict(rtol=2e-4, atol=2e-5),
    "tabular_metrics": dict(rtol=5e-4, atol=5e-5),
    "custom_function": dict(rtol=2e-4, atol=2e-5),
    "shuffle_units": dict(rtol=2e-4, atol=2e-5),
    "vae_digits": dict(rtol=5e-4, atol=5e-5),
    "reinforce_corridor": dict(rtol=5e-4, atol=5e-5),
    "reparametrized_nets": dict(rtol=5e-4, atol=5e-5),
    "special_likelihoods": dict(rtol=5e-4, atol=5e-5),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_agrees_with_torch(name):
    ember_result, torch_result = run(name, "ember"), run(name, "torch")
    assert_same(ember_result, torch_result, **PROGRAMS[name])


def test_only_import_lines_change():
    src = "import torch\nimport torch.nn as nn\nfrom torch import nn\nx = torch.ones(2)  # torch\n"
    assert ember_source(src) == ("import ember as torch\nimport ember.nn as nn\nfrom ember import nn\n"
                                 "x = torch.ones(2)  # torch\n")
