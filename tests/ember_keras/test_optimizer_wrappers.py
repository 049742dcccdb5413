"""LossScaleOptimizer, MultiOptimizer and OptimizerMap against Keras 3 (torch backend)."""
import numpy as np
import pytest

from ember import Tensor
from ember import keras as ek


def _scalar(v):
    return float(v.numpy()) if hasattr(v, "numpy") else float(v)


# gradients large enough that the scale matters; an inf and a NaN injected at steps 2 and 5
@pytest.mark.parametrize("inner,growth", [("Adam", 2), ("SGD", 3), ("RMSprop", 1)])
def test_loss_scale_steps_match_keras(keras_ref, inner, growth):
    import torch
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(5, 3)).astype(np.float32)
    grads = [rng.normal(size=w0.shape).astype(np.float32) * 1000 for _ in range(8)]
    grads[2][0, 0], grads[5][1, 1] = np.inf, np.nan
    runs = []
    for mod, to_var, to_grad in ((keras_ref, keras_ref.Variable, torch.tensor),
                                 (ek, lambda w: Tensor(w.copy()), lambda g: g)):
        opt = mod.optimizers.LossScaleOptimizer(getattr(mod.optimizers, inner)(0.01),
                                                initial_scale=1024.0, dynamic_growth_steps=growth)
        var, trace = to_var(w0), []
        for g in grads:
            opt.apply([to_grad(g)], [var])
            trace.append((_scalar(opt.dynamic_scale), int(_scalar(opt.step_counter)), int(opt.iterations),
                          np.array(var.numpy() if hasattr(var, "numpy") else var._data)))
        runs.append(trace)
    for (s_ref, c_ref, i_ref, w_ref), (s, c, i, w) in zip(*runs):
        assert (s, c, i) == (s_ref, c_ref, i_ref)
        assert w.dtype == np.float32
        np.testing.assert_allclose(w, w_ref, rtol=0, atol=1e-6)
    assert runs[1][2][2] == runs[1][1][2]  # the inf step was skipped: no update, no count


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(48, 6)).astype(np.float32), rng.normal(size=(48, 2)).astype(np.float32)


def _model(mod):
    return mod.Sequential([mod.Input(shape=(6,)), mod.layers.Dense(8, activation="tanh", name="body"),
                           mod.layers.Dense(2, name="head")])


def _multi_map(mod):
    return mod.optimizers.MultiOptimizer(mod.optimizers.OptimizerMap(
        mod.optimizers.SGD(0.1, momentum=0.9), {".*head/.*": mod.optimizers.Adam(0.01)}))


def _multi_callable(mod):
    adam, sgd = mod.optimizers.Adam(0.01, use_ema=True), mod.optimizers.SGD(0.05)
    return mod.optimizers.MultiOptimizer(lambda v: adam if "kernel" in v.path else sgd)


def _loss_scaled(mod):
    return mod.optimizers.LossScaleOptimizer(mod.optimizers.Adam(0.01), initial_scale=256.0,
                                             dynamic_growth_steps=4)


def _multi_scaled(mod):
    return mod.optimizers.MultiOptimizer(mod.optimizers.OptimizerMap(
        mod.optimizers.Adam(0.01), {".*body/kernel": mod.optimizers.Lion(1e-3)}), loss_scale_factor=32.0)


@pytest.mark.parametrize("make", [_multi_map, _multi_callable, _loss_scaled, _multi_scaled],
                         ids=lambda f: f.__name__)
def test_fit_matches_keras(keras_ref, make):
    x, y = _data()
    keras_ref.utils.set_random_seed(1)
    ref, ours = _model(keras_ref), _model(ek)
    ours.set_weights(ref.get_weights())
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=make(mod), loss="mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert ours.optimizer.iterations == int(ref.optimizer.iterations)
    for opt, opt_ref in zip(getattr(ours.optimizer, "optimizers", []),
                            getattr(ref.optimizer, "optimizers", [])):
        assert (type(opt).__name__, opt.iterations) == (type(opt_ref).__name__, int(opt_ref.iterations))


@pytest.mark.parametrize("make", [_multi_map, _loss_scaled, _multi_scaled], ids=lambda f: f.__name__)
def test_config_and_serialize_round_trip(keras_ref, make):
    opt = make(ek)
    config = opt.get_config()
    again = ek.optimizers.deserialize(ek.optimizers.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == config
    ref_config = make(keras_ref).get_config()
    assert sorted(config) == sorted(ref_config)


@pytest.mark.parametrize("make", [_multi_map, _loss_scaled], ids=lambda f: f.__name__)
def test_save_load_resumes_identically(tmp_path, make):
    x, y = _data()
    model = _model(ek)
    model.compile(optimizer=make(ek), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = ek.models.load_model(tmp_path / "m.keras")
    assert type(loaded.optimizer) is type(model.optimizer)
    for m in (model, loaded):
        m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_optimizer_map_lookup(keras_ref):
    for mod in (keras_ref, ek):
        adam, sgd, rms = mod.optimizers.Adam(), mod.optimizers.SGD(), mod.optimizers.RMSprop()
        opts = mod.optimizers.OptimizerMap(default_optimizer=rms)
        opts["encoder/layer_0/dense"] = adam
        opts["encoder/.*"] = sgd
        assert opts["encoder/layer_0/dense"] is adam
        assert opts["encoder/layer_0/attention"] is sgd
        assert opts["encoder"] is rms and opts["decoder/x"] is rms
        assert len(opts) == 2 and list(opts) == ["encoder/layer_0/dense", "encoder/.*"]
        with pytest.raises(ValueError, match="already exists"):
            opts["encoder/.*"] = adam
        opts["enc.*"] = adam
        with pytest.raises(ValueError, match="Multiple optimizers"):
            opts["encoder/layer_1"]


@pytest.mark.parametrize("call,error,message", [
    (lambda o: o.optimizers.LossScaleOptimizer(o.optimizers.SGD(), dynamic=False), ValueError,
     "no longer supports `dynamic=False`"),
    (lambda o: o.optimizers.LossScaleOptimizer(o.optimizers.SGD(), clipnorm=1.0), ValueError,
     "does not support `clipnorm`"),
    (lambda o: o.optimizers.LossScaleOptimizer(o.optimizers.SGD(), foo=1), ValueError,
     "does not support arguments: `foo`"),
    (lambda o: o.optimizers.OptimizerMap("sgd"), TypeError, "must be a Keras Optimizer"),
    (lambda o: o.optimizers.OptimizerMap(o.optimizers.SGD())
     .__setitem__("a", o.optimizers.LossScaleOptimizer(o.optimizers.SGD())), ValueError,
     "cannot be LossScaleOptimizer"),
    (lambda o: _multi_map(o).learning_rate, AttributeError, "cannot be accessed on a MultiOptimizer"),
])
def test_errors_match_keras(keras_ref, call, error, message):
    for mod in (keras_ref, ek):
        with pytest.raises(error, match=message):
            call(mod)


def test_loss_scale_inner_factor_is_switched_off():
    inner = ek.optimizers.Adam(loss_scale_factor=8.0)
    opt = ek.optimizers.LossScaleOptimizer(inner, initial_scale=4.0)
    assert inner.loss_scale_factor is None
    assert float(opt.scale_loss(ek.ops.convert_to_tensor(np.float32(3.0)))) == 12.0
    opt.learning_rate = 0.5
    assert inner.learning_rate == opt.learning_rate == 0.5


def test_loss_scale_decides_on_the_ranks_averaged_gradients(monkeypatch):
    """Data-parallel fit: another rank's inf reaches this rank through the average, so every
    rank skips the step together, and the inner optimizer does not average a second time."""
    from ember.keras import distribution

    class Plan:
        calls = 0

        def average_gradients(self, arrays):
            Plan.calls += 1
            return [np.full_like(a, np.inf) for a in arrays]

    opt = ek.optimizers.LossScaleOptimizer(ek.optimizers.SGD(0.1), initial_scale=8.0)
    var = Tensor(np.ones((2, 2), np.float32))
    monkeypatch.setitem(distribution._STATE, "step", Plan())
    opt.apply([np.ones((2, 2), np.float32)], [var])
    assert float(opt.dynamic_scale) == 4.0 and opt.iterations == 0 and Plan.calls == 1
    np.testing.assert_array_equal(var._data, np.ones((2, 2), np.float32))
    Plan.average_gradients = lambda self, arrays: (setattr(Plan, "calls", Plan.calls + 1) or arrays)
    opt.apply([np.full((2, 2), 8.0, np.float32)], [var])
    assert Plan.calls == 2 and opt.iterations == 1  # once, by the wrapper
    np.testing.assert_allclose(var._data, np.full((2, 2), 0.8, np.float32))  # 1 − 0.1·8/4
    assert isinstance(distribution._STATE["step"], Plan)  # restored after the inner step
