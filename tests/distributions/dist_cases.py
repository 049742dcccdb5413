"""The table of distributions compared with torch.distributions.

Each case names a class, its parameters (NumPy arrays, turned into leaf tensors of the tested
dtype on both sides), points to score (``value``; ``None`` draws them from the torch twin so
they lie in the support) and the unit-interval points for ``icdf``.
"""
import numpy as np

R = np.random.default_rng(0)


def _pos(*shape, low=0.5, high=2.0):
    return R.uniform(low, high, shape)


def _simplex(*shape):
    p = R.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def _spd(n, batch=()):
    a = R.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(n, batch=()):
    return np.linalg.cholesky(_spd(n, batch))


# name → (class name, params, fixed values or None, whether to check icdf)
CASES = {
    "normal": ("Normal", {"loc": R.normal(size=(3,)), "scale": _pos(3)}, None, True),
    "normal_batch": ("Normal", {"loc": R.normal(size=(2, 3)), "scale": _pos(1, 3)}, None, True),
    "categorical_probs": ("Categorical", {"probs": _simplex(2, 4)}, None, False),
    "categorical_logits": ("Categorical", {"logits": R.normal(size=(3, 5))}, None, False),
    "bernoulli_probs": ("Bernoulli", {"probs": R.uniform(0.1, 0.9, (4,))}, None, False),
    "bernoulli_logits": ("Bernoulli", {"logits": R.normal(size=(2, 3))}, None, False),
    "uniform": ("Uniform", {"low": R.uniform(-1, 1, (3,)), "high": R.normal(size=(3,)) + 4.0},
                None, True),
}

# methods/properties compared with torch (those torch does not implement must raise on ember too)
METHODS = ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]
