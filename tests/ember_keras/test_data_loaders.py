"""fit / evaluate / predict on ember.utils.data loaders give what the same arrays give."""
import numpy as np
import pytest

import ember
from ember import keras
from ember.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def _model():
    ember.manual_seed(0)
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _loader(x, y=None, batch_size=8):
    tensors = [ember.tensor(x)] + ([] if y is None else [ember.tensor(y)])
    return DataLoader(TensorDataset(*tensors), batch_size=batch_size, shuffle=False)


def test_fit_evaluate_predict_on_loader_equal_arrays():
    a, b = _model(), _model()
    ha = a.fit(X[:30], Y[:30], batch_size=8, epochs=3, shuffle=False, verbose=0,
               validation_data=(X[30:], Y[30:])).history
    hb = b.fit(_loader(X[:30], Y[:30]), epochs=3, verbose=0,
               validation_data=_loader(X[30:], Y[30:])).history
    assert ha == hb
    assert a.evaluate(X, Y, batch_size=8, verbose=0) == b.evaluate(_loader(X, Y), verbose=0)
    np.testing.assert_array_equal(a.predict(X, verbose=0), b.predict(_loader(X), verbose=0))


def test_loader_with_class_weight_and_plain_iterable():
    a, b = _model(), _model()
    cw = {0: 1.0, 1: 2.0}
    ha = a.fit(X, Y, batch_size=10, shuffle=False, class_weight=cw, verbose=0).history
    batches = [(X[i:i + 10], Y[i:i + 10]) for i in range(0, 40, 10)]

    class Batches:
        def __iter__(self):
            return iter(batches)

        def __len__(self):
            return len(batches)

    hb = b.fit(Batches(), class_weight=cw, verbose=0).history
    assert ha == hb


@pytest.mark.parametrize("kwargs,match", [
    ({"y": Y}, "`y` is not supported"),
    ({"validation_split": 0.2}, "validation_split"),
])
def test_loader_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _model().fit(_loader(X, Y), verbose=0, **kwargs)


def test_unsized_iterable_needs_steps():
    gen = ((X[i:i + 8], Y[i:i + 8]) for i in range(0, 40, 8))
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _model().fit(gen, verbose=0)
    gen = ((X[i:i + 8], Y[i:i + 8]) for i in range(0, 40, 8))
    hist = _model().fit(gen, steps_per_epoch=5, verbose=0).history
    assert len(hist["loss"]) == 1
