"""Layers, models and components on their own: Keras's layouts, defaults and formulas."""
import numpy as np
import pytest

import ember
from ember import keras


def test_dense_layout_defaults_and_glorot_bound():
    ember.manual_seed(0)
    layer = keras.layers.Dense(200, input_shape=(300,))
    model = keras.Sequential([layer])
    kernel, bias = model.get_weights()
    assert kernel.shape == (300, 200) and bias.shape == (200,)
    assert kernel.dtype == np.float32 and not bias.any()
    limit = np.sqrt(6 / 500)
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert isinstance(layer.kernel, ember.nn.Parameter) and layer.kernel.requires_grad
    out = model.predict(np.ones((2, 300), np.float32), verbose=0)
    np.testing.assert_allclose(out, np.ones((2, 300), np.float32) @ kernel, rtol=1e-5)


def test_same_seed_same_model():
    def weights():
        ember.manual_seed(7)
        return keras.Sequential([keras.layers.Dense(4, input_dim=3), keras.layers.Dense(2)]).get_weights()
    for a, b in zip(weights(), weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("init,stat,expected", [
    ("glorot_normal", "std", np.sqrt(2 / (400 + 600))),
    ("he_normal", "std", np.sqrt(2 / 400)),
    ("lecun_normal", "std", np.sqrt(1 / 400)),
    ("he_uniform", "max", np.sqrt(6 / 400)),
    ("random_normal", "std", 0.05),
    ("random_uniform", "max", 0.05),
])
def test_initializer_statistics(init, stat, expected):
    ember.manual_seed(0)
    w = keras.initializers.get(init)((400, 600))
    assert w.dtype == ember.float32 and w.shape == (400, 600)
    value = getattr(np.abs(w._data) if stat == "max" else w._data, stat)()
    assert value == pytest.approx(expected, rel=0.03)


def test_initializers_by_class_and_seed():
    a = keras.initializers.HeNormal(seed=3)((5, 4))
    b = keras.initializers.HeNormal(seed=3)((5, 4))
    np.testing.assert_array_equal(a._data, b._data)
    q = keras.initializers.Orthogonal()((6, 4))._data
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    assert (keras.initializers.Constant(2.5)((3,))._data == 2.5).all()
    assert keras.initializers.get("Ones")((2,))._data.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("reg,expected", [
    (keras.regularizers.l1(0.1), 0.1 * 10.0),
    (keras.regularizers.l2(0.1), 0.1 * 30.0),
    (keras.regularizers.l1_l2(l1=0.1, l2=0.2), 0.1 * 10.0 + 0.2 * 30.0),
    (keras.regularizers.L1L2(), 0.0),
])
def test_regularizer_values(reg, expected):
    w = ember.tensor([1.0, -2.0, 3.0, -4.0])
    out = reg(w)
    assert out.dtype == ember.float32
    assert float(out) == pytest.approx(expected, rel=1e-6)


def test_regularization_is_in_reported_loss():
    x = np.ones((4, 2), np.float32)
    y = np.zeros((4, 1), np.float32)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), use_bias=False,
                                                 kernel_initializer="ones",
                                                 kernel_regularizer=keras.regularizers.l2(0.5))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    loss = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(4.0 + 0.5 * 2.0)  # mse (2**2) + 0.5 * (1 + 1)
    h = model.fit(x, y, epochs=1, verbose=0).history
    assert h["loss"][0] == pytest.approx(5.0)


def test_batchnorm_weights_order_and_moving_update():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(32, 3)).astype(np.float32)
    bn = keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input(shape=(3,)), bn])
    gamma, beta, mean, var = model.get_weights()
    assert (gamma == 1).all() and (beta == 0).all() and (mean == 0).all() and (var == 1).all()
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    out = bn(ember.tensor(x), training=True)
    np.testing.assert_allclose(out._data.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean._data, 0.01 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance._data, 0.99 + 0.01 * x.var(0), rtol=1e-5)
    inf = bn(ember.tensor(x), training=False)._data
    expected = (x - bn.moving_mean._data) / np.sqrt(bn.moving_variance._data + 1e-3)
    np.testing.assert_allclose(inf, expected, rtol=1e-5)


def test_dropout_training_and_inference():
    ember.manual_seed(0)
    layer = keras.layers.Dropout(0.25)
    x = ember.ones(1000, 8)
    out = layer(x, training=True)._data
    assert set(np.unique(out).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.02)
    np.testing.assert_array_equal(layer(x, training=False)._data, x._data)


def test_normalization_adapt():
    rng = np.random.default_rng(1)
    data = rng.normal(5.0, 3.0, size=(200, 4)).astype(np.float32)
    norm = keras.layers.Normalization()
    norm.adapt(data)
    out = norm(ember.tensor(data))._data
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(0), 1, atol=1e-3)
    assert [w.shape for w in norm.get_weights()] == [(4,), (4,), ()]
    assert norm.trainable_weights == []


@pytest.mark.parametrize("layer,x,expected", [
    (keras.layers.ReLU(max_value=1.0), [-1.0, 0.5, 2.0], [0.0, 0.5, 1.0]),
    (keras.layers.LeakyReLU(), [-1.0, 2.0], [-0.3, 2.0]),
    (keras.layers.ELU(alpha=2.0), [-1.0, 2.0], [2 * (np.exp(-1) - 1), 2.0]),
    (keras.layers.Softmax(), [[0.0, 0.0]], [[0.5, 0.5]]),
    (keras.layers.Activation("tanh"), [0.5], [np.tanh(0.5)]),
    (keras.layers.Flatten(), np.ones((2, 3, 2)), np.ones((2, 6))),
])
def test_activation_and_shape_layers(layer, x, expected):
    out = layer(ember.tensor(np.asarray(x, np.float32)))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out._data, np.asarray(expected, np.float32), rtol=1e-5)


def test_prelu_learns_its_slope():
    layer = keras.layers.PReLU()
    x = ember.tensor([[-2.0, 1.0]])
    out = layer(x)
    np.testing.assert_allclose(out._data, [[0.0, 1.0]])
    out.sum().backward()
    np.testing.assert_allclose(layer.alpha.grad._data, [[-2.0, 0.0]][0])


def test_sequential_add_pop_lazy_build_and_summary(capsys):
    model = keras.Sequential()
    model.add(keras.layers.Dense(5, activation="relu"))
    model.add(keras.layers.BatchNormalization())
    model.add(keras.layers.Dense(2))
    assert not model.built
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3), np.float32), np.ones((8, 2), np.float32), verbose=0)
    assert model.built and model.count_params() == 3 * 5 + 5 + 4 * 5 + 5 * 2 + 2
    model.summary()
    text = capsys.readouterr().out
    assert "┃ Layer (type)" in text and "│ dense" in text and "(Dense)" in text
    assert "(None, 5)" in text and "(None, 2)" in text
    assert " Total params: " in text and " Trainable params: 42 " in text
    assert " Non-trainable params: 10 " in text
    popped = model.pop()
    assert isinstance(popped, keras.layers.Dense) and len(model.layers) == 2


def test_trainable_false_freezes_layer():
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(2,)), keras.layers.Dense(1)])
    model.layers[0].trainable = False
    before = model.layers[0].get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(before, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2


def test_predict_evaluate_train_on_batch_types():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float64)
    y = np.arange(10) % 3
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(3,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)])
    pred = model.predict(x, batch_size=4, verbose=0)
    assert isinstance(pred, np.ndarray) and pred.dtype == np.float32 and pred.shape == (10, 3)
    np.testing.assert_array_equal(model.predict_on_batch(x), pred)
    res = model.train_on_batch(x, y)
    assert isinstance(res, list) and len(res) == 3
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(d) == {"loss", "accuracy", "sparse_top_k_categorical_accuracy"}
    model2 = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model2.compile(optimizer="adam", loss="mse")
    assert isinstance(model2.evaluate(x, y.astype(np.float32), verbose=0), float)


def test_fit_history_keys_and_shuffle_reproducible():
    x = np.random.default_rng(0).normal(size=(30, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)

    def run():
        ember.manual_seed(3)
        model = keras.Sequential([keras.layers.Dense(2, activation="relu", input_shape=(3,)),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model.fit(x, y, epochs=3, batch_size=4, validation_split=0.2, verbose=0)

    h1, h2 = run(), run()
    assert h1.history == h2.history
    assert list(h1.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert h1.epoch == [0, 1, 2] and h1.params["epochs"] == 3


def test_utils_to_categorical():
    np.testing.assert_array_equal(keras.utils.to_categorical([0, 2, 1]),
                                  np.eye(3, dtype=np.float32)[[0, 2, 1]])
    with pytest.raises(ValueError, match="num_classes=2"):
        keras.utils.to_categorical([0, 3], num_classes=2)


def test_integer_inputs_are_fed_as_float32():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    y = np.array([0, 1, 1, 0])
    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(2,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=2, verbose=0).history
    assert all(np.isfinite(hist["loss"]))
    assert model.predict(x, verbose=0).dtype == np.float32
