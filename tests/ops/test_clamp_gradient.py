"""clamp passes no gradient outside its range even when the incoming gradient is infinite (torch
masks with where; a product would give 0 * inf = nan): Pareto's mean clamps alpha at 1."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = {
    "min": dict(min=1.0),
    "max": dict(max=0.5),
    "both": dict(min=0.6, max=1.5),
}


@pytest.mark.parametrize("name", list(CASES))
def test_clamp_gradient_outside_the_range_is_zero_like_torch(name):
    grads = []
    for m in (ember, torch):
        x = m.tensor([0.5, 1.0, 2.0], requires_grad=True)
        a = x.clamp(**CASES[name])
        (a / (a - 1)).sum().backward()  # infinite where the clamped value is 1
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
