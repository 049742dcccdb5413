"""Bad input gives clear errors that name the bad value and the expectation."""

import numpy as np
import pytest

from ember import keras


def _model():
    model = keras.Sequential([keras.layers.Dense(3, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    return model


X = np.zeros((10, 4), np.float32)
Y = np.zeros((10, 1), np.float32)


@pytest.mark.parametrize("make,match", [
    (lambda: _model().compile(optimizer="adamz", loss="mse"), r"'adamz'.*adam, adamax, adamw.*sgd"),
    (lambda: _model().compile(optimizer="adam", loss="msee"), r"'msee'.*binary_crossentropy"),
    (lambda: _model().compile(optimizer="adam", loss="mse", metrics=["acuracy"]),
     r"'acuracy'.*accuracy"),
    (lambda: keras.layers.Dense(3, activation="rellu"), r"'rellu'.*relu.*sigmoid"),
    (lambda: keras.layers.Dense(3, kernel_initializer="glorot"), r"'glorot'.*glorot_uniform"),
    (lambda: keras.regularizers.get("l3"), r"'l3'.*l1, l1_l2, l2"),
    (lambda: keras.layers.Dense(0), r"units=0"),
    (lambda: keras.layers.Dense(-1), r"units=-1"),
    (lambda: keras.layers.Dropout(1.5), r"rate=1.5"),
    (lambda: keras.optimizers.Adam(learning_rate=-1.0), r"learning_rate=-1.0"),
    (lambda: keras.optimizers.SGD(momentum=2.0), r"momentum=2.0"),
    (lambda: keras.optimizers.SGD(learning_rate="fast"), r"learning_rate='fast'"),
    (lambda: keras.optimizers.Adam(clipnorm=1.0, clipvalue=1.0), r"Only one of"),
    (lambda: keras.regularizers.l2(-0.1), r"l2=-0.1"),
    (lambda: keras.layers.BatchNormalization(momentum=1.5), r"momentum=1.5"),
    (lambda: keras.callbacks.EarlyStopping(patience=-1), r"patience=-1"),
    (lambda: keras.optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1]), r"length"),
    (lambda: keras.Sequential([object()]), r"keras.Layer"),
    (lambda: keras.losses.BinaryCrossentropy(reduction="avg"), r"reduction=avg"),
])
def test_constructor_errors(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_fit_before_compile():
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using the model"):
        _model().fit(X, Y, verbose=0)


def test_no_loss():
    model = _model()
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="No loss"):
        model.fit(X, Y, verbose=0)


def test_mismatched_lengths():
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match=r"'x' sizes: 10\n'y' sizes: 9"):
        model.fit(X, Y[:9], verbose=0)


def test_wrong_input_width():
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(10, 5\)"):
        model.fit(np.zeros((10, 5), np.float32), Y, verbose=0)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\)"):
        model.predict(np.zeros((2, 3), np.float32), verbose=0)


def test_shape_mismatch_in_loss():
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="target.shape=.*output.shape"):
        model.fit(X, np.zeros((10, 2), np.float32), verbose=0)


def test_bad_sparse_label():
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"label value of 5.*\[0, 2\]"):
        model.fit(X, np.full(10, 5), verbose=0)


def test_early_stopping_missing_monitor_warns_with_available_keys():
    model = _model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max")
    with pytest.warns(UserWarning, match=r"`val_accuracy`.*Available metrics are: loss,mae"):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[stop])


def test_early_stopping_auto_mode_unknown_metric():
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    stop = keras.callbacks.EarlyStopping(monitor="weird")
    with pytest.raises(ValueError, match="mode='max'"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[stop])


def test_schedule_learning_rate_not_settable():
    opt = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_validation_split_out_of_range():
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="validation_split=1.5"):
        model.fit(X, Y, validation_split=1.5, verbose=0)


def test_set_weights_wrong_shapes():
    model = _model()
    with pytest.raises(ValueError, match="expecting 4 weights"):
        model.set_weights([np.zeros((4, 3))])
    weights = model.get_weights()
    weights[0] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"\(4, 3\) is not compatible with provided weight shape \(3, 4\)"):
        model.set_weights(weights)
