"""A Keras layer is an ember.nn.Module: parameters, state dicts, modes, hooks and torch-style
training loops work on Keras models, as they do on Keras 3's torch backend."""
import copy

import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.nn import functional as F

RTOL, ATOL = 1e-5, 1e-6


def _spec(mod, d=4):
    return [mod.Input(shape=(d,)), mod.layers.Dense(6, activation="tanh", name="hidden"),
            mod.layers.BatchNormalization(name="bn"), mod.layers.Dropout(0.3, seed=1),
            mod.layers.Dense(2, name="out")]


def _pair(keras_ref, d=4):
    keras_ref.utils.set_random_seed(7)
    ref = keras_ref.Sequential(_spec(keras_ref, d), name="net")
    ours = ek.Sequential(_spec(ek, d), name="net")
    ours.set_weights(ref.get_weights())
    return ref, ours


def _ours_name(keras_path: str) -> str:
    """Keras-on-torch's parameter name (``…_torch_params.net/hidden/kernel``) as ember's."""
    path = keras_path.split("_torch_params.")[-1]
    return ".".join(path.split("/")[1:])


def test_named_parameters_match_keras_on_torch(keras_ref):
    ref, ours = _pair(keras_ref)
    # Keras also lists Dropout's random-seed state; ember's Dropout draws from ember's generator
    theirs = {_ours_name(n): (tuple(p.shape), p.requires_grad) for n, p in ref.named_parameters()
              if "seed_generator" not in n}
    mine = {n: (tuple(p.shape), p.requires_grad) for n, p in ours.named_parameters()}
    assert mine == theirs
    assert list(mine) == ["hidden.kernel", "hidden.bias", "bn.gamma", "bn.beta", "bn.moving_mean",
                          "bn.moving_variance", "out.kernel", "out.bias"]
    assert len(list(ours.parameters())) == len(ref.weights) == len(list(ref.parameters())) - 1
    assert [id(p) for p in ours.parameters()] == [id(w) for w in ours.weights]
    assert all(isinstance(p, ember.nn.Parameter) for p in ours.parameters())
    assert isinstance(ours, ember.nn.Module) and isinstance(ours.layers[0], ember.nn.Module)


def test_state_dict_round_trip_through_ember_io(tmp_path):
    ember.manual_seed(0)
    a = ek.Sequential(_spec(ek))
    ember.manual_seed(1)
    b = ek.Sequential(_spec(ek))
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    a(x, training=True)  # moves the BN statistics away from their initial values
    assert list(a.state_dict()) == ["hidden.kernel", "hidden.bias", "bn.gamma", "bn.beta",
                                    "bn.moving_mean", "bn.moving_variance", "out.kernel",
                                    "out.bias"]
    ember.save(a.state_dict(), tmp_path / "w.safetensors")
    assert not np.array_equal(b.predict(x, verbose=0), a.predict(x, verbose=0))
    b.load_state_dict(ember.load(tmp_path / "w.safetensors"))
    np.testing.assert_array_equal(b.predict(x, verbose=0), a.predict(x, verbose=0))
    with pytest.raises(RuntimeError, match='Missing key.*"bn.moving_mean"'):
        b.load_state_dict({"hidden.kernel": a.layers[0].kernel})


def test_train_eval_and_trainable_flags():
    model = ek.Sequential(_spec(ek))
    assert all(m.training for m in model.modules())
    model.eval()
    assert not any(m.training for m in model.modules())
    model.layers[0].trainable = False
    assert [p.requires_grad for p in model.layers[0].parameters()] == [False, False]
    assert len(model.trainable_weights) == 4  # bn gamma/beta, out kernel/bias
    model.layers[0].trainable = True
    assert [p.requires_grad for p in model.layers[0].parameters()] == [True, True]
    assert not model.layers[1].moving_mean.requires_grad  # non-trainable state stays frozen


def test_fit_switches_modes_like_keras_on_torch():
    seen = []
    model = ek.Sequential([ek.Input(shape=(2,)), ek.layers.Dense(1)])
    model.layers[0].register_forward_hook(lambda m, i, o: seen.append(m.training))
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    model.fit(x, y, batch_size=2, epochs=1, validation_data=(x, y), verbose=0)
    assert seen == [True, True, False, False]  # two training batches, then two validation ones
    model.predict(x, verbose=0)
    assert seen[-1] is False


def test_torch_style_loop_matches_keras_on_torch(keras_ref):
    """optimizer(model.parameters()) + model(x, training=True) + backward, on both."""
    import torch
    ref, ours = _pair(keras_ref)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 4)).astype(np.float32)
    y = rng.normal(size=(16, 2)).astype(np.float32)
    ref.layers[2].rate = ours.layers[2].rate = 0.0  # Dropout masks differ between libraries
    topt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    eopt = ember.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    for step in range(4):
        sl = slice(4 * step, 4 * step + 4)
        topt.zero_grad()
        tloss = torch.nn.functional.mse_loss(ref(torch.tensor(x[sl]), training=True),
                                             torch.tensor(y[sl]))
        tloss.backward()
        topt.step()
        eopt.zero_grad()
        eloss = F.mse_loss(ours(x[sl], training=True), ember.tensor(y[sl]))
        eloss.backward()
        eopt.step()
        assert eloss.item() == pytest.approx(tloss.item(), rel=1e-5)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=1e-5)


def test_model_as_a_layer_matches_keras(keras_ref, capsys):
    ref_inner, inner = _pair(keras_ref)
    ref = keras_ref.Sequential([ref_inner, keras_ref.layers.Softmax(name="probs")], name="outer")
    ours = ek.Sequential([inner, ek.layers.Softmax(name="probs")], name="outer")
    x = np.random.default_rng(2).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(ours.predict(x, verbose=0), ref.predict(x, verbose=0),
                               rtol=RTOL, atol=ATOL)
    assert ours.count_params() == ref.count_params()
    assert [l.name for l in ours.layers] == [l.name for l in ref.layers] == ["net", "probs"]
    texts = []
    for model in (ref, ours):
        model.summary()
        texts.append(capsys.readouterr().out)
    assert texts[1] == texts[0]
    assert [n for n, _ in ours.named_parameters()][:2] == ["net.hidden.kernel", "net.hidden.bias"]
    ref_inner.layers[2].rate = inner.layers[2].rate = 0.0  # Dropout masks differ between libraries
    ours.compile(optimizer="adam", loss="categorical_crossentropy")
    ref.compile(optimizer="adam", loss="categorical_crossentropy")
    y = np.eye(2, dtype=np.float32)[np.arange(5) % 2]
    h = [m.fit(x, y, epochs=2, shuffle=False, verbose=0).history["loss"] for m in (ref, ours)]
    np.testing.assert_allclose(h[1], h[0], rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((5, 4, 3), -1), ((5, 3, 4), 1),
                                        ((1, 3), -1), ((2, 3, 2, 2), 1)])
def test_batch_normalization_moving_statistics_match_keras(keras_ref, shape, axis):
    x = np.random.default_rng(3).normal(2.0, 3.0, size=shape).astype(np.float32)
    ref = keras_ref.layers.BatchNormalization(axis=axis, momentum=0.8)
    ours = ek.layers.BatchNormalization(axis=axis, momentum=0.8)
    outs = []
    for layer in (ref, ours):
        for _ in range(3):
            out = layer(x, training=True)
        outs.append((np.asarray(keras_ref.ops.convert_to_numpy(out)),
                     np.asarray(keras_ref.ops.convert_to_numpy(layer(x, training=False)))))
    for a, b in zip(outs[1], outs[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


def test_deepcopy_gives_an_independent_model():
    model = ek.Sequential(_spec(ek))
    twin = copy.deepcopy(model)
    x = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    twin.layers[0].kernel.assign(np.zeros((4, 6), np.float32))
    assert model.layers[0].kernel._data.any()
    assert isinstance(twin.layers[0].kernel, ek.Variable)
    assert [id(p) for p in twin.parameters()] == [id(w) for w in twin.weights]


def test_layers_in_lists_and_dicts_are_tracked():
    class Block(ek.layers.Layer):
        def __init__(self):
            super().__init__()
            self.stack = [ek.layers.Dense(3), ek.layers.Dense(2)]
            self.heads = {"a": ek.layers.Dense(1)}

        def call(self, x):
            for layer in self.stack:
                x = layer(x)
            return self.heads["a"](x)

    block = Block()
    block(np.ones((2, 4), np.float32))
    assert [n for n, _ in block.named_parameters()] == [
        "stack.0.kernel", "stack.0.bias", "stack.1.kernel", "stack.1.bias", "heads.a.kernel",
        "heads.a.bias"]
    assert len(block.weights) == 6 and block.count_params() == 4 * 3 + 3 + 3 * 2 + 2 + 2 + 1
    block.stack.append(ek.layers.Dense(2))
    block.stack[-1].build((None, 2))
    assert len(list(block.parameters())) == 8 and len(block.weights) == 8
