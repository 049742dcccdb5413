"""Suite-wide isolation: no test may leak global state into the next one.

Tests change process-wide state: ember's global generator (``ember.manual_seed``), the default dtype, the grad
mode, and torch's own seed and default dtype. Without this fixture a test's outcome could depend on which tests
ran before it on the same worker (the order differs under ``-n 2``). Each test starts from the state the session
had and whatever it changes is put back afterwards.
"""
import sys

import pytest

import ember


@pytest.fixture(autouse=True)
def _isolated_global_state():
    rng_state = ember.random.get_rng_state()
    default_dtype = ember.get_default_dtype()
    grad_enabled = ember.is_grad_enabled()
    torch = sys.modules.get("torch")  # only if some test already imported it; never import it here
    torch_saved = (torch.get_rng_state(), torch.get_default_dtype()) if torch is not None else None
    yield
    ember.random.set_rng_state(rng_state)
    ember.set_default_dtype(default_dtype)
    ember.set_grad_enabled(grad_enabled)
    if torch_saved is not None:
        torch.set_rng_state(torch_saved[0])
        torch.set_default_dtype(torch_saved[1])
