"""The seeds' optimizer cells (examples/seeds_optim_*.py) run on ember with only imports changed."""
import contextlib
import importlib
import io
import math
import pathlib
import runpy

import ember

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

# The seed's printed output for the ExponentialLR cell (course notes 004).
SEED_LR_OUTPUT = """Epoch 1, Learning Rate: 0.009000
Epoch 2, Learning Rate: 0.008100
Epoch 3, Learning Rate: 0.007290
Epoch 4, Learning Rate: 0.006561
Epoch 5, Learning Rate: 0.005905
Epoch 6, Learning Rate: 0.005314
Epoch 7, Learning Rate: 0.004783
Epoch 8, Learning Rate: 0.004305
Epoch 9, Learning Rate: 0.003874
Epoch 10, Learning Rate: 0.003487
Epoch 11, Learning Rate: 0.003138
Epoch 12, Learning Rate: 0.002824
Epoch 13, Learning Rate: 0.002542
Epoch 14, Learning Rate: 0.002288
Epoch 15, Learning Rate: 0.002059
Epoch 16, Learning Rate: 0.001853
Epoch 17, Learning Rate: 0.001668
Epoch 18, Learning Rate: 0.001501
Epoch 19, Learning Rate: 0.001351
Epoch 20, Learning Rate: 0.001216"""

NEEDS = {
    "seeds_optim_manual_update.py": [("ember.nn", ["Sequential", "Linear", "CrossEntropyLoss"])],
    "seeds_optim_adam_xor.py": [("ember.nn", ["Module", "Linear", "Sigmoid", "BCELoss"]),
                                ("ember.utils.data", ["DataLoader", "TensorDataset"])],
    "seeds_optim_lr_scheduling.py": [("ember.nn", ["Module", "Linear", "BatchNorm1d", "Sigmoid"]),
                                     ("ember.nn.utils", ["clip_grad_norm_"])],
}


def _run(script):
    for module, names in NEEDS[script]:
        # Every name exists now: a missing one is a regression, so it fails instead of skipping.
        mod = importlib.import_module(module)
        missing = [n for n in names if not hasattr(mod, n)]
        assert not missing, f"{module} lacks {missing}"
    ember.manual_seed(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scope = runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return out.getvalue(), scope


def test_manual_update_and_sgd_step():
    out, scope = _run("seeds_optim_manual_update.py")
    assert out.startswith("tensor(")
    # The optimizer was built on the first model, whose grads the manual cell computed: its
    # in-place step must land exactly where the manual ``weight - grad * lr`` did.
    first_model_weights = scope["optimizer"].param_groups[0]["params"][0::2]
    for manual, stepped in zip([scope["weight0"], scope["weight1"], scope["weight2"]], first_model_weights):
        assert manual.shape == stepped.shape and manual.dtype == ember.float32
        assert (manual.detach() == stepped.detach()).all().item()


def test_adam_on_xor_learns():
    out, _ = _run("seeds_optim_adam_xor.py")
    assert out.startswith("Final loss: ")
    loss = float(out.split(":")[1])
    assert math.isfinite(loss) and loss < 0.69  # better than chance (ln 2 ≈ 0.693)


def test_exponential_lr_prints_the_seed_output():
    out, _ = _run("seeds_optim_lr_scheduling.py")
    assert out.strip() == SEED_LR_OUTPUT
