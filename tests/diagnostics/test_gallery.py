import sys

import numpy as np
import pytest

import ember
from ember.diagnostics import ACTIVATIONS, autograd_derivative, plot_activations
from ember.diagnostics.gallery import _away_from_kinks, _erf

NAMES = [spec.name for spec in ACTIVATIONS]
X = np.linspace(-7, 7, 561, dtype=np.float32)


def test_table_covers_every_nn_activation():
    wanted = {"ReLU", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "Sigmoid", "Tanh", "Softplus",
              "Softsign", "Hardtanh", "ReLU6", "SiLU", "Heaviside step"}
    assert set(NAMES) == wanted
    for name in wanted - {"Heaviside step"}:
        assert hasattr(ember.nn, name)


@pytest.mark.parametrize("spec", ACTIVATIONS, ids=NAMES)
def test_autograd_derivative_matches_the_table(spec):
    y, dy = autograd_derivative(spec.name, X)
    assert y.dtype == np.float32 and dy.dtype == np.float32
    keep = _away_from_kinks(X, spec.kinks)
    x64 = X.astype(np.float64)
    np.testing.assert_allclose(y[keep], spec.f(x64)[keep], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dy[keep], spec.df(x64)[keep], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", [s for s in ACTIVATIONS if s.name != "Heaviside step"],
                         ids=[n for n in NAMES if n != "Heaviside step"])
def test_table_derivative_matches_finite_differences(spec):
    x = np.linspace(-6.5, 6.5, 131)
    x = x[_away_from_kinks(x, spec.kinks, gap=1e-2)]
    h = 1e-6
    numeric = (spec.f(x + h) - spec.f(x - h)) / (2 * h)
    np.testing.assert_allclose(spec.df(x), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "GELU", "PReLU"])
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    module = {"ReLU": torch.nn.ReLU(), "Sigmoid": torch.nn.Sigmoid(), "GELU": torch.nn.GELU(),
              "PReLU": torch.nn.PReLU()}[name]
    t = torch.tensor(X, requires_grad=True)
    module(t).sum().backward()
    _, dy = autograd_derivative(name, X)
    np.testing.assert_allclose(dy, t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_erf_is_accurate():
    import math
    x = np.linspace(-4, 4, 81)
    exact = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(_erf(x), exact, atol=2e-7)


def test_plot_writes_png_and_returns_gaps(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "act.png"
    gaps = plot_activations(path, points=201)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(gaps) == set(NAMES)
    assert max(gaps.values()) < 1e-5


def test_plot_needs_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install ember\[plots\]"):
        plot_activations(tmp_path / "act.png")


@pytest.mark.parametrize("kwargs,match", [
    ({"x_min": 1.0, "x_max": 1.0}, "Invalid range"),
    ({"points": 1}, "Invalid points: 1"),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_activations(tmp_path / "act.png", **kwargs)


def test_missing_folder_is_a_clear_error(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot_activations(tmp_path / "nope" / "act.png", points=11)


def test_unknown_activation():
    with pytest.raises(ValueError, match="Unknown activation 'Swish'"):
        autograd_derivative("Swish", X)
