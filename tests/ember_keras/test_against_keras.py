"""Same small models, same initial weights, shuffle=False: ember.keras vs Keras 3 (torch backend).

Each case trains both and compares the per-epoch history (loss, metrics, val_*) to ~1e-4.
"""
import numpy as np
import pytest

import ember
from ember import keras as ek

RTOL, ATOL = 2e-4, 2e-4


def _data(kind, n=48, d=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    if kind == "binary":
        y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.float32)
    elif kind == "sparse":
        y = (np.digitize(x[:, 0], [-0.5, 0.5])).astype(np.int64)
    elif kind == "onehot":
        y = np.eye(3, dtype=np.float32)[np.digitize(x[:, 0], [-0.5, 0.5])]
    else:
        y = (x @ rng.normal(size=(d, 1))).astype(np.float32)
    return x, y


def _build(mod, spec, d):
    """spec: list of (layer name, kwargs); ``mod`` is ember.keras or keras."""
    if mod is not ek:
        mod.utils.set_random_seed(1234)  # fixed initial weights, copied into ember's model
    layers = [mod.Input(shape=(d,))]
    for name, kw in spec:
        kw = dict(kw)
        for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
            if key in kw:
                cls, args = kw[key]
                kw[key] = getattr(mod.regularizers, cls)(**args)
        layers.append(getattr(mod.layers, name)(**kw))
    return mod.Sequential(layers)


def _opt(mod, spec):
    name, kw = spec
    kw = dict(kw)
    if "schedule" in kw:
        cls, args = kw.pop("schedule")
        kw["learning_rate"] = getattr(mod.optimizers.schedules, cls)(**args)
    return getattr(mod.optimizers, name)(**kw)


MLP = [("Dense", {"units": 8, "activation": "relu"}), ("Dense", {"units": 1, "activation": "sigmoid"})]
MLP3 = [("Dense", {"units": 8, "activation": "tanh"}), ("Dense", {"units": 3, "activation": "softmax"})]
REG = [("Dense", {"units": 8, "activation": "relu", "kernel_regularizer": ("L1L2", {"l1": 0.01, "l2": 0.01}),
                  "bias_regularizer": ("L2", {"l2": 0.02})}),
       ("Dense", {"units": 1, "activation": "sigmoid", "kernel_regularizer": ("L1", {"l1": 0.01}),
                  "activity_regularizer": ("L2", {"l2": 0.01})})]
BN = [("Dense", {"units": 8}), ("BatchNormalization", {}), ("Activation", {"activation": "relu"}),
      ("Dense", {"units": 1, "activation": "sigmoid"})]
LN = [("Dense", {"units": 8}), ("LayerNormalization", {}), ("LeakyReLU", {}), ("Dense", {"units": 6}),
      ("ELU", {}), ("Dense", {"units": 3}), ("Softmax", {})]
PRELU = [("Dense", {"units": 8}), ("PReLU", {}), ("Dense", {"units": 1})]

CASES = {
    "sgd": ("binary", MLP, ("SGD", {"learning_rate": 0.1}), "binary_crossentropy", ["accuracy"]),
    "sgd_momentum": ("binary", MLP, ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
                     "binary_crossentropy", ["accuracy"]),
    "sgd_nesterov": ("binary", MLP, ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
                     "binary_crossentropy", ["accuracy"]),
    "rmsprop": ("sparse", MLP3, ("RMSprop", {}), "sparse_categorical_crossentropy", ["accuracy"]),
    "rmsprop_centered_mom": ("sparse", MLP3, ("RMSprop", {"momentum": 0.5, "centered": True}),
                             "sparse_categorical_crossentropy", ["accuracy"]),
    "adam": ("binary", MLP, ("Adam", {"learning_rate": 0.01}), "binary_crossentropy", ["accuracy"]),
    "adam_amsgrad": ("onehot", MLP3, ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
                     "categorical_crossentropy", ["accuracy"]),
    "adamw": ("reg", [("Dense", {"units": 8, "activation": "relu"}), ("Dense", {"units": 1})],
              ("AdamW", {"learning_rate": 0.01}), "mse", ["mae"]),
    "adagrad": ("binary", MLP, ("Adagrad", {"learning_rate": 0.1}), "binary_crossentropy", ["accuracy"]),
    "adadelta": ("binary", MLP, ("Adadelta", {"learning_rate": 1.0}), "binary_crossentropy", ["accuracy"]),
    "adamax": ("sparse", MLP3, ("Adamax", {"learning_rate": 0.01}), "sparse_categorical_crossentropy",
               ["accuracy"]),
    "nadam": ("binary", MLP, ("Nadam", {"learning_rate": 0.01}), "binary_crossentropy", ["accuracy"]),
    "regularizers": ("binary", REG, ("Adam", {"learning_rate": 0.01}), "binary_crossentropy", ["accuracy"]),
    "clipnorm": ("reg", PRELU, ("Adam", {"learning_rate": 0.05, "clipnorm": 0.5}), "mse", ["mae"]),
    "clipvalue": ("reg", PRELU, ("SGD", {"learning_rate": 0.01, "clipvalue": 0.1}), "huber", ["mse"]),
    "global_clipnorm": ("reg", PRELU, ("RMSprop", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
                        "mae", ["mse"]),
    "batchnorm": ("binary", BN, ("Adam", {"learning_rate": 0.01}), "binary_crossentropy", ["accuracy"]),
    "layernorm": ("onehot", LN, ("Adam", {"learning_rate": 0.01}), "categorical_crossentropy",
                  ["categorical_accuracy"]),
    "exp_decay": ("binary", MLP, ("SGD", {"schedule": ("ExponentialDecay", {
        "initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.8})}), "binary_crossentropy",
        ["accuracy"]),
    "cosine_decay": ("sparse", MLP3, ("Adam", {"schedule": ("CosineDecay", {
        "initial_learning_rate": 0.02, "decay_steps": 10})}), "sparse_categorical_crossentropy",
        ["accuracy"]),
    "piecewise": ("reg", PRELU, ("SGD", {"schedule": ("PiecewiseConstantDecay", {
        "boundaries": [4, 8], "values": [0.02, 0.01, 0.005]})}), "mse", ["mae"]),
    "logits": ("sparse", [("Dense", {"units": 8, "activation": "relu"}), ("Dense", {"units": 3})],
               ("Adam", {"learning_rate": 0.01}), "SparseCategoricalCrossentropy(from_logits=True)",
               ["accuracy"]),
}


def _loss(mod, loss):
    if loss.endswith("(from_logits=True)"):
        return getattr(mod.losses, loss.split("(")[0])(from_logits=True)
    return loss


def _run(mod, case, callbacks=(), epochs=4, **fit_kw):
    kind, spec, opt, loss, metrics = CASES[case]
    x, y = _data(kind)
    model = _build(mod, spec, x.shape[1])
    return model, x, y, opt, loss, metrics


@pytest.mark.parametrize("case", sorted(CASES))
def test_history_matches_keras(keras_ref, case):
    kind, spec, opt, loss, metrics = CASES[case]
    x, y = _data(kind)
    ref = _build(keras_ref, spec, x.shape[1])
    ours = _build(ek, spec, x.shape[1])
    ours.set_weights(ref.get_weights())
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=_opt(mod, opt), loss=_loss(mod, loss), metrics=list(metrics))
        hist[mod] = model.fit(x, y, batch_size=16, epochs=4, shuffle=False, validation_split=0.25,
                              verbose=0).history
    assert list(hist[ek]) == list(hist[keras_ref])
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case}: {key}")
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=1e-3, atol=1e-4)
    res_ours, res_ref = ours.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(res_ours, res_ref, rtol=RTOL, atol=ATOL)


def _pair(keras_ref, case):
    kind, spec, opt, loss, metrics = CASES[case]
    x, y = _data(kind, n=64)
    ref = _build(keras_ref, spec, x.shape[1])
    ours = _build(ek, spec, x.shape[1])
    ours.set_weights(ref.get_weights())
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=_opt(mod, opt), loss=_loss(mod, loss), metrics=list(metrics))
    return x, y, ref, ours


@pytest.mark.parametrize("patience,start_from_epoch,min_delta", [(1, 0, 0.0), (2, 2, 0.001)])
def test_early_stopping_restore_best_matches_keras(keras_ref, patience, start_from_epoch, min_delta):
    x, y, ref, ours = _pair(keras_ref, "adam")
    # a large rate makes val_loss bounce, so stopping and restoring both happen
    ref.optimizer.learning_rate = 0.3
    ours.optimizer.learning_rate = 0.3
    hist, final = {}, {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        stop = mod.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                           restore_best_weights=True, start_from_epoch=start_from_epoch)
        hist[mod] = model.fit(x, y, batch_size=8, epochs=15, shuffle=False, validation_split=0.3,
                              callbacks=[stop], verbose=0).history
        final[mod] = (stop.stopped_epoch, stop.best_epoch)
    assert final[ek] == final[keras_ref]
    assert len(hist[ek]["loss"]) == len(hist[keras_ref]["loss"])
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_learning_rate_scheduler_matches_keras(keras_ref):
    x, y, ref, ours = _pair(keras_ref, "sgd_momentum")
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        sched = mod.callbacks.LearningRateScheduler(lambda epoch, lr: lr * np.exp(-0.1))
        hist[mod] = model.fit(x, y, batch_size=16, epochs=5, shuffle=False, callbacks=[sched],
                              verbose=0).history
    assert list(hist[ek]) == list(hist[keras_ref]) == ["accuracy", "loss", "learning_rate"]
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("patience,cooldown,min_delta", [(0, 0, 0.05), (2, 0, 0.1), (1, 2, 0.05)])
def test_reduce_lr_on_plateau_matches_keras(keras_ref, patience, cooldown, min_delta):
    x, y, ref, ours = _pair(keras_ref, "sgd")
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        cb = mod.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=patience, cooldown=cooldown,
                                             min_delta=min_delta)
        hist[mod] = model.fit(x, y, batch_size=16, epochs=12, shuffle=False, callbacks=[cb],
                              verbose=0).history
    rates = hist[keras_ref]["learning_rate"]
    assert len(set(rates)) > 2  # the case reduces the rate more than once, so the counting is exercised
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL)


def test_sample_and_class_weight_match_keras(keras_ref):
    x, y, ref, ours = _pair(keras_ref, "adam")
    sw = np.linspace(0.5, 2.0, len(x)).astype(np.float32)
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        h1 = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, sample_weight=sw, verbose=0)
        h2 = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, class_weight={0: 1.0, 1: 3.0},
                       verbose=0)
        hist[mod] = h1.history["loss"] + h2.history["loss"]
    np.testing.assert_allclose(hist[ek], hist[keras_ref], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("metric", ["Precision", "Recall", "AUC", "RootMeanSquaredError",
                                    "MeanSquaredError", "MeanAbsoluteError", "BinaryAccuracy"])
def test_metric_objects_match_keras(keras_ref, metric):
    rng = np.random.default_rng(3)
    y_true = (rng.random((40, 1)) > 0.4).astype(np.float32)
    y_pred = rng.random((40, 1)).astype(np.float32)
    ref, ours = getattr(keras_ref.metrics, metric)(), getattr(ek.metrics, metric)()
    for chunk in (slice(0, 25), slice(25, 40)):
        ref.update_state(y_true[chunk], y_pred[chunk])
        ours.update_state(y_true[chunk], y_pred[chunk])
    np.testing.assert_allclose(ours.result(), float(ref.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_matches_keras(keras_ref, average):
    rng = np.random.default_rng(4)
    y_true = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 30)]
    y_pred = rng.random((30, 3)).astype(np.float32)
    ref = keras_ref.metrics.F1Score(average=average)
    ours = ek.metrics.F1Score(average=average)
    ref.update_state(y_true, y_pred)
    ours.update_state(y_true, y_pred)
    np.testing.assert_allclose(ours.result(), np.asarray(ref.result()), rtol=1e-5, atol=1e-6)


LOSSES = ["binary_crossentropy", "mse", "mae", "huber", "hinge", "squared_hinge", "log_cosh",
          "kl_divergence", "categorical_hinge", "categorical_crossentropy", "mape", "msle", "poisson"]


@pytest.mark.parametrize("name", LOSSES)
def test_loss_values_match_keras(keras_ref, name):
    rng = np.random.default_rng(5)
    y_pred = rng.random((6, 3)).astype(np.float32) * 0.9 + 0.05
    if name in ("categorical_crossentropy", "categorical_hinge", "kl_divergence"):
        y_true = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 6)]
    else:
        y_true = (rng.random((6, 3)) > 0.5).astype(np.float32)
    ref = keras_ref.ops.convert_to_numpy(keras_ref.losses.get(name)(y_true, y_pred))
    ours = ek.losses.get(name)(y_true, y_pred)
    assert ours.dtype.np == np.float32
    # per-sample values, not only their mean: a reduction over the wrong axis keeps the mean
    assert ours.shape == ref.shape == (6,)
    np.testing.assert_allclose(ours._data, ref, rtol=1e-5, atol=1e-6)


METRIC_FUNCTIONS = {
    "binary_accuracy": "binary", "categorical_accuracy": "onehot", "sparse_categorical_accuracy": "sparse",
    "top_k_categorical_accuracy": "onehot", "sparse_top_k_categorical_accuracy": "sparse",
}


@pytest.mark.parametrize("name", sorted(METRIC_FUNCTIONS))
def test_metric_functions_match_keras_with_default_arguments(keras_ref, name):
    rng = np.random.default_rng(7)
    kind = METRIC_FUNCTIONS[name]
    y_pred = rng.random((40, 7)).astype(np.float32)  # 7 classes: the default top-k (5) is not everything
    y_true = {"binary": (rng.random((40, 7)) > 0.5).astype(np.float32),
              "onehot": np.eye(7, dtype=np.float32)[rng.integers(0, 7, 40)],
              "sparse": rng.integers(0, 7, 40)}[kind]
    ref = keras_ref.ops.convert_to_numpy(getattr(keras_ref.metrics, name)(y_true, y_pred))
    ours = np.asarray(getattr(ek.metrics, name)(y_true, y_pred))
    assert ours.dtype == np.float32 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)
    assert 0 < ours.mean() < 1  # neither all right nor all wrong: the comparison can tell


def test_initial_weights_and_summary_counts_match_keras(keras_ref):
    spec = BN + [("Dense", {"units": 2})]
    ref, ours = _build(keras_ref, spec, 5), _build(ek, spec, 5)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in ref.get_weights()]
    assert ours.count_params() == ref.count_params()
    assert [l.output_shape for l in ours.layers] == [tuple(l.output.shape) for l in ref.layers]


def test_summary_text_matches_keras(keras_ref, capsys):
    texts = {}
    for mod in (keras_ref, ek):
        model = mod.Sequential([mod.Input(shape=(3,)),
                                mod.layers.Dense(4, activation="relu", name="hidden"),
                                mod.layers.BatchNormalization(name="batch_normalization"),
                                mod.layers.Dropout(0.1, name="drop"),
                                mod.layers.Dense(1, name="out")], name="net")
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32), verbose=0)
        capsys.readouterr()
        model.summary()
        texts[mod] = capsys.readouterr().out
    assert texts[ek] == texts[keras_ref]


LOSS_OBJECTS = [
    ("BinaryCrossentropy", {"from_logits": True}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse"),
    ("Huber", {"delta": 0.3}, "binary"),
    ("MeanSquaredError", {"reduction": "sum"}, "binary"),
    ("MeanAbsoluteError", {"reduction": "none"}, "binary"),
    ("LogCosh", {}, "binary"),
    ("KLDivergence", {}, "onehot"),
]


@pytest.mark.parametrize("name,kw,kind", LOSS_OBJECTS, ids=lambda v: str(v))
def test_loss_objects_with_sample_weight_match_keras(keras_ref, name, kw, kind):
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(8, 3)).astype(np.float32)
    y_pred = logits if kw.get("from_logits") else \
        (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype(np.float32)
    if kind == "binary":
        y_true = (rng.random((8, 3)) > 0.5).astype(np.float32)
    elif kind == "onehot":
        y_true = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 8)]
    else:
        y_true = rng.integers(0, 3, 8)
    sw = np.linspace(0.2, 1.5, 8).astype(np.float32)
    ref = keras_ref.ops.convert_to_numpy(getattr(keras_ref.losses, name)(**kw)(y_true, y_pred, sw))
    ours = getattr(ek.losses, name)(**kw)(y_true, y_pred, sample_weight=sw)
    assert ours.dtype.np == np.float32
    np.testing.assert_allclose(ours._data, ref, rtol=1e-5, atol=1e-6)


def test_normalization_adapt_matches_keras(keras_ref):
    data = np.random.default_rng(2).normal(3.0, 2.0, size=(50, 4)).astype(np.float32)
    outs = []
    for mod in (keras_ref, ek):
        layer = mod.layers.Normalization()
        layer.adapt(data)
        outs.append(np.asarray(keras_ref.ops.convert_to_numpy(layer(data))) if mod is keras_ref
                    else layer(data)._data)
        if mod is keras_ref:
            ref_weights = [np.asarray(w) for w in layer.get_weights()]
        else:
            ours_w = layer.get_weights()
            assert [w.shape for w in ours_w] == [w.shape for w in ref_weights]
            for a, b in zip(ours_w[:2], ref_weights[:2]):  # mean, variance (then a sample count)
                np.testing.assert_allclose(a, b, rtol=1e-5)
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-5)


def test_initial_epoch_and_evaluate_sample_weight_match_keras(keras_ref):
    x, y, ref, ours = _pair(keras_ref, "rmsprop")
    sw = np.linspace(0.1, 1.0, len(x)).astype(np.float32)
    out = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        hist = model.fit(x, y, batch_size=16, epochs=4, initial_epoch=2, shuffle=False, verbose=0)
        out[mod] = (hist.epoch, hist.history["loss"],
                    model.evaluate(x, y, sample_weight=sw, verbose=0))
    assert out[ek][0] == out[keras_ref][0] == [2, 3]
    np.testing.assert_allclose(out[ek][1], out[keras_ref][1], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out[ek][2], out[keras_ref][2], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", sorted(ek.activations.ALL))
def test_activations_match_keras(keras_ref, name):
    x = np.linspace(-6, 6, 25, dtype=np.float32).reshape(5, 5)
    ref = keras_ref.ops.convert_to_numpy(keras_ref.activations.get(name)(x))
    ours = ek.activations.get(name)(ember.tensor(x))
    assert ours.dtype == ember.float32
    np.testing.assert_allclose(ours._data, ref, rtol=1e-5, atol=1e-6)
