"""The baselines of ``ember train`` (``ember.cli.baseline``) against scikit-learn's own fits."""
import numpy as np
import pytest

from ember import datasets
from ember.cli import baseline
from ember.cli.data import fit_standardisation, fit_target_scaling, standardise

sklearn_linear = pytest.importorskip("sklearn.linear_model")


def _standardised(name):
    bunch = datasets.load(name)
    X = np.asarray(bunch.X, np.float32).reshape(len(bunch.X), -1)
    spec = {}
    fit_standardisation(spec, X)
    return standardise(spec, X), np.asarray(bunch.y)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_softmax_regression_matches_scikit_learn(name):
    X, y = _standardised(name)
    model = baseline.fit_softmax(X, y, int(y.max()) + 1)
    ours = model.weight.detach().numpy() @ X.T.astype(np.float64) + model.bias.detach().numpy()[:, None]
    # two classes: scikit-learn fits one weight vector v = w1 - w0, whose penalty is twice the
    # softmax's smallest ||w0||^2 + ||w1||^2 = ||v||^2 / 2, so C=2 is the same problem
    binary = y.max() == 1
    theirs = sklearn_linear.LogisticRegression(C=2.0 if binary else 1.0, max_iter=2000,
                                               tol=1e-8).fit(X, y)
    assert model.weight.dtype.__str__().endswith("float64")
    np.testing.assert_array_equal(ours.argmax(axis=0), theirs.predict(X))
    probs = np.exp(ours - ours.max(axis=0))
    probs /= probs.sum(axis=0)
    np.testing.assert_allclose(probs.T, theirs.predict_proba(X), atol=2e-3)


def test_ridge_matches_scikit_learn():
    X, y = _standardised("diabetes")
    coef, intercept = baseline.fit_ridge(X, y)
    theirs = sklearn_linear.Ridge(alpha=1.0).fit(X.astype(np.float64), y)
    np.testing.assert_allclose(coef[:, 0], theirs.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(intercept[0], theirs.intercept_, rtol=1e-9)


def _splits(X, y, n_test):
    return {"train": (X[n_test:], y[n_test:]), "test": (X[:n_test], y[:n_test])}


def test_classification_baselines_score_the_test_rows():
    X, y = _standardised("wine")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    spec = {"encoding": {"task": "multiclass", "classes": ["a", "b", "c"]}}
    scores = baseline.fit_baselines(_splits(X, y, 40), spec)
    majority = np.bincount(y[40:]).argmax()
    assert scores["trivial"]["accuracy"] == np.mean(y[:40] == majority)
    fitted = sklearn_linear.LogisticRegression(max_iter=2000).fit(X[40:], y[40:])
    assert scores["linear"]["accuracy"] == pytest.approx(fitted.score(X[:40], y[:40]), abs=1 / 40)
    assert scores["linear"]["model"].startswith("softmax regression")


def test_regression_baselines_are_in_the_target_units():
    X, y = _standardised("diabetes")
    spec = {"encoding": {"task": "regression", "classes": None}}
    fit_target_scaling(spec, y[100:])
    ys = ((y - spec["y_mean"]) / spec["y_std"]).astype(np.float32)[:, None]
    scores = baseline.fit_baselines(_splits(X, ys, 100), spec)
    pred = sklearn_linear.Ridge(alpha=1.0).fit(X[100:], ys[100:, 0]).predict(X[:100])
    true_pred = pred * spec["y_std"] + spec["y_mean"]
    assert scores["linear"]["mae"] == pytest.approx(np.mean(np.abs(true_pred - y[:100])), rel=1e-4)
    assert scores["trivial"]["mae"] == pytest.approx(np.mean(np.abs(y[100:].mean() - y[:100])), rel=1e-4)
    assert scores["trivial"]["r2"] < 0.05 < scores["linear"]["r2"]


def test_no_test_split_no_baselines():
    assert baseline.fit_baselines({"train": (np.zeros((3, 2)), np.zeros(3)), "test": None}, {}) is None
    assert baseline.comparison(None, None) is None


@pytest.mark.parametrize("net, lin, beats, words", [
    (0.97, 0.95, True, "The network beats the linear baseline"),
    (0.95, 0.95, False, "both reach accuracy 0.9500"),
    (0.90, 0.95, False, "does not beat the linear baseline on the test split (accuracy 0.9000 against 0.9500)"),
])
def test_verdict_says_whether_the_network_beats_the_linear_model(net, lin, beats, words):
    def m(acc):
        return {"accuracy": acc, "macro_f1": acc}
    result = baseline.comparison(m(net), {"linear": m(lin), "trivial": m(0.3)})
    assert result["beats_linear"] is beats and words in result["verdict"]
    assert (result["network"], result["linear"], result["trivial"]) == (net, lin, 0.3)
    lines = baseline.console_lines(m(net), {"linear": m(lin), "trivial": m(0.3)})
    assert [line.split()[0] for line in lines[:3]] == ["network", "linear", "trivial"]
    assert lines[-1] == result["verdict"]


def test_regression_verdict_uses_r2():
    def m(r2):
        return {"r2": r2, "mae": 1.0, "rmse": 1.0, "mse": 1.0}
    result = baseline.comparison(m(0.5), {"linear": m(0.45), "trivial": m(-0.01)})
    assert result["metric"] == "r2" and result["beats_linear"] and "R² 0.5000 against 0.4500" in result["verdict"]
