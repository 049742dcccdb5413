import warnings

import numpy as np
import pytest

import ember
from ember.models import Perceptron, PerceptronConvergenceWarning

X01 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "xor": [0, 1, 1, 0]}


def _sign(labels):
    return [2 * v - 1 for v in labels]


@pytest.mark.parametrize("activation", ["step", "sign"])
@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_linearly_separable_gates_converge(gate, activation):
    y = GATES[gate] if activation == "step" else _sign(GATES[gate])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = Perceptron(activation=activation).fit(X01, y, lr=1.0, epochs=50)
    assert p.converged
    assert p.mistakes[-1] == 0 and all(m > 0 for m in p.mistakes[:-1])
    assert p.n_epochs == len(p.mistakes) < 50
    assert p.predict(X01).tolist() == y
    assert p.score(X01, y) == 1.0
    # The learnt hyperplane really separates the classes.
    z = X01 @ p.weights.numpy() + p.bias.item()
    positive = np.array(y) == 1
    assert (z[positive] >= 0).all() and (z[~positive] < 0).all()
    assert "converged" in p.reason


@pytest.mark.parametrize("activation", ["step", "sign"])
def test_xor_does_not_converge_and_says_why(activation):
    y = GATES["xor"] if activation == "step" else _sign(GATES["xor"])
    with pytest.warns(PerceptronConvergenceWarning, match="not linearly separable"):
        p = Perceptron(activation=activation).fit(X01, y, lr=1.0, epochs=100)
    assert not p.converged
    assert min(p.mistakes) > 0
    assert p.score(X01, y) < 1.0
    assert "XOR" in p.reason and "hidden layer" in p.reason


@pytest.mark.parametrize("epochs", [1, 3])
def test_epoch_limit_without_cycle_explains(epochs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    y = (rng.random(40) > 0.5).astype(np.int64)          # random labels: not separable
    with pytest.warns(PerceptronConvergenceWarning, match=f"within {epochs} epoch"):
        p = Perceptron(shuffle=True, generator=ember.Generator().manual_seed(0)).fit(
            X, y, lr=0.5, epochs=epochs)
    assert len(p.mistakes) == epochs and not p.converged


def test_rule_matches_hand_computation():
    # Sequential Rosenblatt updates on the AND gate, worked out by hand for the first epoch.
    with pytest.warns(PerceptronConvergenceWarning, match="more epochs are needed"):
        p = Perceptron().fit(X01, GATES["and"], lr=0.5, epochs=1)
    # sample (0,0): z=0 -> 1, y=0 -> w=(0,0), b=-0.5; (0,1): z=-0.5 -> 0 ok; (1,0): ok;
    # (1,1): z=-0.5 -> 0, y=1 -> w=(0.5,0.5), b=0
    np.testing.assert_array_equal(p.weights.numpy(), [0.5, 0.5])
    assert p.bias.item() == 0.0
    assert p.mistakes == [2]


@pytest.mark.parametrize("dtype,expected", [(np.float32, ember.float32), (np.float64, ember.float64),
                                            (np.int64, ember.float32)])
def test_dtypes(dtype, expected):
    p = Perceptron().fit(X01.astype(dtype), GATES["or"], lr=1, epochs=20)
    assert p.weights.dtype == expected and p.bias.dtype == expected
    assert p.predict(X01).dtype == ember.int64
    assert p.decision_function(X01).dtype == expected


def test_accepts_tensors_and_random_init_is_seeded():
    X = ember.tensor(X01)
    a = Perceptron(init="random", generator=ember.Generator().manual_seed(3)).fit(X, GATES["or"])
    b = Perceptron(init="random", generator=ember.Generator().manual_seed(3)).fit(X, GATES["or"])
    assert a.converged
    np.testing.assert_array_equal(a.weights.numpy(), b.weights.numpy())


@pytest.mark.parametrize("kwargs,match", [
    ({"activation": "relu"}, "Invalid activation: 'relu'"),
    ({"init": "ones"}, "Invalid init: 'ones'"),
])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Perceptron(**kwargs)


@pytest.mark.parametrize("X,y,kwargs,match", [
    (X01, GATES["and"], {"lr": -1.0}, "Invalid learning rate: -1.0"),
    (X01, GATES["and"], {"lr": 0}, "Invalid learning rate: 0"),
    (X01, GATES["and"], {"epochs": 0}, "Invalid epochs: 0"),
    (X01, GATES["and"], {"epochs": 2.5}, "Invalid epochs: 2.5"),
    (X01[0], GATES["and"], {}, r"X must be 2-D .* got shape \(2,\)"),
    (X01, [0, 1, 1], {}, "y has 3 labels but X has 4 samples"),
    (X01, [0, 1, 2, 1], {}, r"Invalid labels \[2\] for activation='step'"),
    (X01, _sign(GATES["and"]), {}, r"Invalid labels \[-1\]"),
])
def test_bad_fit_arguments(X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Perceptron().fit(X, y, **kwargs)


def test_predict_before_fit_and_wrong_width():
    p = Perceptron()
    with pytest.raises(RuntimeError, match="not fitted"):
        p.predict(X01)
    p.fit(X01, GATES["or"])
    with pytest.raises(ValueError, match="X has 3 features, but the perceptron was fitted with 2"):
        p.predict(np.zeros((2, 3), np.float32))
