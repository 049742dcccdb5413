"""ReLU on special values and layouts (its forward uses a shared read-only zeros operand):
values, dtypes and gradients equal torch's, and the shared zeros are never written."""
import numpy as np
import pytest

import ember
from ember.ops import _workspace

torch = pytest.importorskip("torch")

SPECIAL = [0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan, 3e38, -1e-45]
CASES = {
    "special values": lambda dt: np.array(SPECIAL, dt),
    "0-d": lambda dt: np.array(-3.0, dt),
    "empty": lambda dt: np.zeros((0, 4), dt),
    "3-d": lambda dt: np.arange(-12, 12, dtype=dt).reshape(2, 3, 4),
    "transposed": lambda dt: np.arange(-12, 12, dtype=dt).reshape(4, 6).T,
    "large": lambda dt: np.random.default_rng(0).standard_normal((64, 257)).astype(dt),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
def test_relu_matches_torch(case, dtype):
    x = CASES[case](dtype)
    e = ember.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ey, ty = ember.relu(e), torch.relu(t)
    assert ey.dtype.name == str(ty.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ey.detach().numpy(), ty.detach().numpy())
    g = np.linspace(-1, 1, x.size).reshape(x.shape).astype(dtype)
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(e.grad.numpy(), t.grad.numpy())


def test_zero_operand_is_shared_and_read_only():
    a = _workspace.zero_operand((3, 5), np.float32)
    b = _workspace.zero_operand((20,), np.float32)
    assert a.dtype == np.float32 and a.shape == (3, 5) and not a.any()
    assert np.shares_memory(a, b)
    with pytest.raises(ValueError, match="read-only"):
        a[0, 0] = 1.0
    x = ember.tensor([-1.0, 2.0])
    ember.relu(x)[0]   # a result is a fresh array, never the shared zeros
    assert not _workspace.zero_operand((20,), np.float32).any()
