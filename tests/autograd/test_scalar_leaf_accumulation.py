"""A 0-d leaf reached along several paths of one backward pass accumulates its gradient like
torch (the sum of two 0-d gradients is a NumPy scalar; it must stay an array the next path can
add into)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

# (m, x) → a scalar reaching x along three or more paths
GRAPHS = {
    "five_paths": lambda m, x: x * 1 + x * 2 + x * 3 + x.exp() + x.log(),
    "broadcast_paths": lambda m, x: ((-x * m.tensor([1.0, 2.0], dtype=x.dtype)).sum()
                                     + m.mvlgamma(x / 2, p=2)
                                     + ((x - 3) / 2 * m.tensor([1.0, 2.0], dtype=x.dtype)).sum()),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_scalar_leaf_gradient_matches_torch(name, dtype):
    grads = []
    for m in (ember, torch):
        x = m.tensor(5.0, dtype=getattr(m, dtype), requires_grad=True)
        GRAPHS[name](m, x).backward()
        grads.append(x.grad.numpy())
    assert grads[0].shape == ()
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
