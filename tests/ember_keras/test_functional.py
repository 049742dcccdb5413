"""The functional API against Keras 3 (torch backend): the same graph, the same initial weights,
the same data give the same predictions, histories (keys and values) and summaries."""
import io
import contextlib

import numpy as np
import pytest

from ember import keras as ek

RTOL, ATOL = 2e-4, 2e-4


def _copy_weights(ref, ours):
    ours.set_weights([np.asarray(w) for w in ref.get_weights()])


def _two_outputs(mod):
    inp = mod.Input(shape=(5,), name="x")
    h = mod.layers.Dense(8, activation="relu", name="h")(inp)
    a = mod.layers.Dense(1, name="out_a")(h)
    b = mod.layers.Dense(3, activation="softmax", name="out_b")(h)
    return mod.Model(inp, [a, b], name="two")


def _two_inputs(mod):
    left = mod.Input(shape=(4,), name="left")
    right = mod.Input(shape=(3,), name="right")
    shared = mod.layers.Dense(6, activation="tanh", name="shared")
    h = mod.layers.Concatenate(name="cat")([shared(mod.layers.Dense(4, name="pl")(left)),
                                             shared(mod.layers.Dense(4, name="pr")(right))])
    return mod.Model({"left": left, "right": right},
                     mod.layers.Dense(1, activation="sigmoid", name="p")(h), name="pair")


def _data(seed=0, n=40):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    ya = (x[:, :1] * 2 - x[:, 1:2]).astype(np.float32)
    yb = np.digitize(x[:, 2], [-0.5, 0.5]).astype(np.int64)
    return x, ya, yb


COMPILES = {
    "lists": dict(loss=["mse", "sparse_categorical_crossentropy"], metrics=[["mae"], ["accuracy"]]),
    "dicts": dict(loss={"out_a": "mse", "out_b": "sparse_categorical_crossentropy"},
                  loss_weights={"out_a": 0.3, "out_b": 2.0},
                  metrics={"out_a": ["mae", "mse"], "out_b": "accuracy"}),
    "weights_list": dict(loss=["mae", "sparse_categorical_crossentropy"], loss_weights=[1.5, 0.5],
                         metrics=[["mae"], ["accuracy", "accuracy"]],
                         weighted_metrics=[["mae"], []]),
}


@pytest.mark.parametrize("case", sorted(COMPILES))
def test_two_output_training_matches_keras(keras_ref, case):
    x, ya, yb = _data()
    keras_ref.utils.set_random_seed(3)
    ref, ours = _two_outputs(keras_ref), _two_outputs(ek)
    _copy_weights(ref, ours)
    hist, evals = {}, {}
    sw = np.linspace(0.2, 1.0, len(x)).astype(np.float32)
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=mod.optimizers.Adam(0.01), **COMPILES[case])
        y = {"out_a": ya, "out_b": yb} if case == "dicts" else [ya, yb]
        hist[mod] = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.25,
                              sample_weight=sw if case == "weights_list" else None,
                              verbose=0).history
        evals[mod] = (model.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0,
                                                                       return_dict=True))
    assert list(hist[ek]) == list(hist[keras_ref])
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL,
                                   err_msg=key)
    np.testing.assert_allclose(evals[ek][0], evals[keras_ref][0], rtol=RTOL, atol=ATOL)
    assert list(evals[ek][1]) == list(evals[keras_ref][1])
    assert ours.metrics_names == ref.metrics_names
    for p, r in zip(ours.predict(x, verbose=0), ref.predict(x, verbose=0)):
        np.testing.assert_allclose(p, r, rtol=1e-3, atol=1e-4)


def test_dict_inputs_shared_layer_matches_keras(keras_ref):
    rng = np.random.default_rng(1)
    data = {"left": rng.normal(size=(32, 4)).astype(np.float32),
            "right": rng.normal(size=(32, 3)).astype(np.float32)}
    y = (data["left"][:, 0] > data["right"][:, 0]).astype(np.float32)
    keras_ref.utils.set_random_seed(5)
    ref, ours = _two_inputs(keras_ref), _two_inputs(ek)
    _copy_weights(ref, ours)
    assert [l.name for l in ours.layers] == [l.name for l in ref.layers]
    assert len(ours.get_layer("shared")._inbound_nodes) == 2
    hist = {}
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        hist[mod] = model.fit(data, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=RTOL, atol=ATOL)
    texts = []
    for model in (ref, ours):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            model.summary()
        texts.append(buf.getvalue())
    assert texts[1] == texts[0] and "Connected to" in texts[1] and "shared[1][0]" in texts[1]


MERGES = [("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}), ("Maximum", {}),
          ("Minimum", {}), ("Concatenate", {"axis": -1}), ("Concatenate", {"axis": 1}),
          ("Dot", {"axes": 1}), ("Dot", {"axes": -1, "normalize": True}), ("Dot", {"axes": (1, 2)})]


@pytest.mark.parametrize("name,kwargs", MERGES, ids=lambda v: str(v))
def test_merge_layers_match_keras(keras_ref, name, kwargs):
    rng = np.random.default_rng(2)
    three_d = kwargs.get("axes") == (1, 2) or kwargs.get("axis") == 1
    shape_a, shape_b = ((3, 4), (2, 3)) if kwargs.get("axes") == (1, 2) else \
        (((3, 4), (3, 4)) if three_d else ((4,), (4,)))
    a = rng.normal(size=(6,) + shape_a).astype(np.float32)
    b = rng.normal(size=(6,) + shape_b).astype(np.float32)
    outs, shapes = [], []
    for mod in (keras_ref, ek):
        ia, ib = mod.Input(shape=shape_a), mod.Input(shape=shape_b)
        out = getattr(mod.layers, name)(**kwargs)([ia, ib])
        shapes.append(tuple(out.shape))
        outs.append(np.asarray(mod.Model([ia, ib], out).predict([a, b], verbose=0)))
    assert shapes[1] == shapes[0]
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda m: m.layers.Add()([m.Input((4,)), m.Input((5,))]),
    lambda m: m.layers.Concatenate(axis=1)([m.Input((2, 3)), m.Input((4, 5))]),
    lambda m: m.layers.Subtract()([m.Input((4,))] * 3),
    lambda m: m.layers.Add()(m.Input((4,))),
    lambda m: m.layers.Dot(axes=1)([m.Input((3,)), m.Input((4,))]),
    lambda m: m.Model(np.zeros((2, 4)), m.layers.Dense(2)(m.Input((4,)))),
], ids=["add", "concatenate", "subtract3", "not_a_list", "dot", "not_keras_tensor"])
def test_graph_errors_match_keras(keras_ref, make):
    messages = []
    for mod in (keras_ref, ek):
        with pytest.raises(ValueError) as info:
            make(mod)
        messages.append(str(info.value).split("\n")[0])
    assert messages[1] == messages[0]


def test_disconnected_graph_names_the_missing_input():
    a, b = ek.Input((4,), name="a"), ek.Input((4,), name="b")
    out = ek.layers.Add()([ek.layers.Dense(3)(a), ek.layers.Dense(3)(b)])
    with pytest.raises(ValueError, match=r"not connected to `inputs`.*\"b\".*\['a'\]"):
        ek.Model(a, out)


def test_model_call_errors_match_keras(keras_ref):
    messages = []
    for mod in (keras_ref, ek):
        a, b = mod.Input((4,), name="a"), mod.Input((4,), name="b")
        model = mod.Model([a, b], mod.layers.Add()([a, b]), name="m")
        with pytest.raises(ValueError) as info:
            model([np.zeros((2, 4), np.float32), np.zeros((2, 5), np.float32)])
        messages.append(str(info.value))
        with pytest.raises(ValueError, match="nope"):
            model.get_layer("nope")
    assert messages[1] == messages[0]


def test_loss_dict_with_unknown_output_matches_keras(keras_ref):
    x, ya, yb = _data()
    messages = []
    for mod in (keras_ref, ek):
        model = _two_outputs(mod)
        with pytest.raises(ValueError) as info:
            model.compile(optimizer="adam", loss={"out_a": "mse", "out_c": "mse"})
            model.fit(x, [ya, yb], verbose=0)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_nested_and_intermediate_models_match_keras(keras_ref):
    x = np.random.default_rng(4).normal(size=(7, 5)).astype(np.float32)
    outs = []
    for mod in (keras_ref, ek):
        mod.utils.set_random_seed(9) if mod is keras_ref else None
        base = _two_outputs(mod)
        if mod is ek:
            base.set_weights(ref_weights)
        else:
            ref_weights = [np.asarray(w) for w in base.get_weights()]
        feat = mod.Model(base.input, base.get_layer("h").output, name="feat")
        inp = mod.Input((5,), name="z")
        top = mod.layers.Dense(2, kernel_initializer="ones", name="top")(feat(inp))
        outer = mod.Model(inp, mod.layers.Add(name="sum")([top, base(inp)[0]]), name="outer")
        outs.append([np.asarray(o) for o in (feat.predict(x, verbose=0),
                                             outer.predict(x, verbose=0))])
        assert [l.name for l in outer.layers] == ["z", "feat", "top", "two", "sum"]
    for a, b in zip(outs[1], outs[0]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_lambda_and_subclass_built_functionally():
    class Scaled(ek.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.tracker = ek.metrics.Mean(name="seen")

    inp = ek.Input((3,))
    out = ek.layers.Lambda(lambda t: t * 2.0 + 1.0, name="affine")(inp)
    model = Scaled(inp, out)
    assert isinstance(model, Scaled) and isinstance(model, ek.models.Functional)
    np.testing.assert_allclose(model.predict(np.ones((2, 3), np.float32), verbose=0), 3.0)
    assert out.shape == (None, 3) and model.metrics == [model.tracker]
