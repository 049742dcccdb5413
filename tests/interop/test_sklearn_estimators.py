"""ember.sklearn estimators against scikit-learn's own checks and tools (issue 18, part 4)."""
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import ember  # noqa: E402
from ember import nn  # noqa: E402
from ember.datasets import load_diabetes, load_iris  # noqa: E402
from ember.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

# ember tensors refuse pickle by design (rule: no pickle anywhere; weights go to safetensors), so
# the one check that pickles a fitted estimator is expected to fail.
SKIPPED = {"check_estimators_pickle": "ember tensors are not picklable by design (no pickle "
                                      "anywhere); save module_.state_dict() with ember.save"}


@parametrize_with_checks(
    [NeuralNetClassifier(hidden_layer_sizes=(32,), max_iter=100, random_state=0),
     NeuralNetRegressor(hidden_layer_sizes=(32,), max_iter=100, random_state=0)],
    expected_failed_checks=lambda estimator: SKIPPED)
def test_sklearn_check_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _iris():
    data = load_iris()
    return np.asarray(data.data, np.float32), np.asarray(data.target)


def _diabetes():
    data = load_diabetes()
    y = np.asarray(data.target, np.float32)
    return np.asarray(data.data, np.float32), (y - y.mean()) / y.std()


def test_pipeline_grid_search_and_cross_val_score():
    X, y = _iris()
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(max_iter=40, learning_rate_init=0.02,
                                                              random_state=0))
    search = GridSearchCV(pipe, {"neuralnetclassifier__hidden_layer_sizes": [(8,), (32,)]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
        scores = cross_val_score(make_pipeline(StandardScaler(), NeuralNetRegressor(
            hidden_layer_sizes=(32,), learning_rate_init=0.02, max_iter=40, random_state=0)),
            *_diabetes(), cv=3)
    assert search.best_params_["neuralnetclassifier__hidden_layer_sizes"] in [(8,), (32,)]
    assert search.best_score_ > 0.8
    assert scores.shape == (3,) and scores.mean() > 0.3


def test_wraps_any_module_without_changing_it():
    X, y = _iris()
    module = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.1), nn.Linear(16, 3))
    before = {k: v.numpy().copy() for k, v in module.state_dict().items()}
    clf = NeuralNetClassifier(module=module, max_iter=80, learning_rate_init=0.01, random_state=1)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.9
    assert clf.module_ is not module and isinstance(clf.module_[1], nn.Tanh)
    for key, value in module.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 3) and np.allclose(proba.sum(axis=1), 1)


def test_module_factory_and_string_labels():
    X, y = _iris()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = NeuralNetClassifier(module=lambda n_in, n_out: nn.Sequential(nn.Linear(n_in, n_out)),
                              max_iter=100, learning_rate_init=0.05, random_state=0).fit(X, labels)
    assert list(clf.classes_) == list(labels[[0, 50, 100]])
    assert set(clf.predict(X)) <= set(labels) and clf.score(X, labels) > 0.8


def test_same_random_state_same_model_and_global_rng_untouched():
    X, y = _iris()
    state = ember.random.get_rng_state()
    a = NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=3).fit(X, y)
    b = NeuralNetClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert ember.random.get_rng_state() == state


def test_partial_fit_and_early_stopping():
    X, y = _iris()
    clf = NeuralNetClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for _ in range(30):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 30 and len(clf.loss_curve_) == 30 and clf.score(X, y) > 0.8
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]

    Xd, yd = _diabetes()
    reg = NeuralNetRegressor(hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=3,
                             learning_rate_init=0.05, max_iter=500, random_state=0)
    reg.fit(StandardScaler().fit_transform(Xd), yd)
    assert reg.n_iter_ < 500 and len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)


@pytest.mark.parametrize("params, message", [
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes=\\(0,\\), expected positive ints"),
    ({"activation": "swish"}, "activation='swish', expected one of"),
    ({"optimizer": "lbfgs"}, "optimizer='lbfgs', expected one of"),
    ({"validation_fraction": 1.5}, "validation_fraction=1.5, expected in \\(0, 1\\)"),
    ({"module": 3}, "module=3, expected an ember.nn.Module"),
])
def test_bad_parameters_name_the_value(params, message):
    X, y = _iris()
    with pytest.raises(ValueError, match=message):
        NeuralNetClassifier(**params).fit(X, y)
