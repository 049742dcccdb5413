"""Custom layers (build/add_weight/add_loss/training/get_config) and subclassed models (layers
as attributes, custom train_step/test_step) written once and run on Keras 3 (torch backend)
and on ember.keras from the same weights."""
import numpy as np
import pytest

import ember
from ember import keras as ek

RTOL, ATOL = 2e-4, 2e-4


def classes(mod, no_grad):
    """The same user code for either library (``mod`` is keras or ember.keras)."""
    ops, layers = mod.ops, mod.layers

    class Linear(layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True, name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True,
                                     name="b", regularizer=mod.regularizers.l2(0.01))

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    class ComputeSum(layers.Layer):
        def __init__(self, input_dim, **kwargs):
            super().__init__(**kwargs)
            self.total = self.add_weight(initializer="zeros", shape=(input_dim,),
                                         trainable=False, name="total")

        def call(self, inputs):
            self.total.assign_add(ops.sum(inputs, axis=0))
            return inputs

    class ActivityPenalty(layers.Layer):
        def __init__(self, rate=1e-2, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

        def call(self, inputs):
            self.add_loss(self.rate * ops.mean(ops.square(inputs)))
            return inputs

    class NoisyScale(layers.Layer):
        def call(self, inputs, training=None):
            return inputs * 2.0 if training else inputs

    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first = Linear(6)
            self.penalty = ActivityPenalty(0.05)
            self.second = Linear(1)

        def call(self, inputs):
            x = ops.relu(self.first(inputs))
            return self.second(self.penalty(x))

    class Regressor(mod.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.block = Block()
            self.scale = NoisyScale()
            self.constrained = layers.Dense(1, kernel_constraint=mod.constraints.MaxNorm(0.5),
                                            name="constrained")

        def call(self, inputs, training=None):
            return self.constrained(self.scale(self.block(inputs), training=training))

    class CustomStep(Regressor):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.loss_tracker = mod.metrics.Mean(name="loss")
            self.mae_metric = mod.metrics.MeanAbsoluteError(name="mae")

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            weights = [v for v in self.trainable_weights]
            grads = [v.value.grad for v in weights]
            with no_grad():
                self.optimizer.apply(grads, weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.loss_tracker.update_state(self.compute_loss(y=y, y_pred=y_pred))
            self.mae_metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    return {"Linear": Linear, "ComputeSum": ComputeSum, "Block": Block,
            "Regressor": Regressor, "CustomStep": CustomStep, "NoisyScale": NoisyScale}


@pytest.fixture(scope="module")
def both(keras_ref):
    import torch
    return (keras_ref, classes(keras_ref, torch.no_grad)), (ek, classes(ek, ember.no_grad))


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    return x, (x[:, :1] - 0.5 * x[:, 1:2]).astype(np.float32)


def _pair(both, name, x):
    (kmod, kc), (emod, ec) = both
    kmod.utils.set_random_seed(11)
    ref, ours = kc[name](), ec[name]()
    ref(x[:2]), ours(x[:2])
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    ours.set_weights([np.asarray(w) for w in ref.get_weights()])
    return ref, ours


def test_custom_layer_weights_losses_and_outputs_match_keras(both):
    x, _ = _data()
    ref, ours = _pair(both, "Block", x)
    assert [w.name for w in ours.weights] == [w.name for w in ref.weights] == ["w", "b"] * 2
    out_ref, out_ours = ref(x), ours(x)
    np.testing.assert_allclose(out_ours._data, np.asarray(out_ref.detach()), rtol=1e-5, atol=1e-6)
    assert len(ours.losses) == len(ref.losses) == 3  # the activity penalty, two bias L2 terms
    np.testing.assert_allclose(sorted(float(l.detach()) for l in ours.losses),
                               sorted(float(l.detach()) for l in ref.losses), rtol=1e-5, atol=1e-7)
    ours(x[:3])
    assert len(ours.losses) == 3  # an outermost call clears the previous call's add_loss


def test_non_trainable_state_and_training_flag_match_keras(both):
    (kmod, kc), (emod, ec) = both
    x, _ = _data(8)
    ref, ours = kc["ComputeSum"](5), ec["ComputeSum"](5)
    for _ in range(2):
        ref(x), ours(x)
    np.testing.assert_allclose(ours.total.numpy(), np.asarray(ref.total.numpy()), rtol=1e-5)
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 1
    assert not ours.total.requires_grad
    scale = ec["NoisyScale"]()
    np.testing.assert_allclose(scale(x, training=True)._data, 2 * x)
    np.testing.assert_allclose(scale(x)._data, x)


@pytest.mark.parametrize("name", ["Regressor", "CustomStep"])
def test_subclassed_model_training_matches_keras(both, name):
    x, y = _data()
    ref, ours = _pair(both, name, x)
    assert [n for n, _ in ours.named_parameters()] == [
        "block.first.w", "block.first.b", "block.second.w", "block.second.b",
        "constrained.kernel", "constrained.bias"]
    hist = {}
    for mod, model in ((both[0][0], ref), (ek, ours)):
        model.compile(optimizer=mod.optimizers.SGD(0.05, momentum=0.5), loss="mse",
                      metrics=None if name == "CustomStep" else ["mae"])
        hist[mod] = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                              validation_data=(x[:16], y[:16])).history
    assert list(hist[ek]) == list(hist[both[0][0]])
    for key in hist[both[0][0]]:
        np.testing.assert_allclose(hist[ek][key], hist[both[0][0]][key], rtol=RTOL, atol=ATOL,
                                   err_msg=key)
    kernel = ours.constrained.kernel.numpy()
    assert np.sqrt((kernel ** 2).sum(axis=0)).max() <= 0.5 + 1e-6  # MaxNorm after every step
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-3, atol=1e-4)


def test_layer_contract_errors():
    class NoConfig(ek.layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

        def call(self, x):
            return x

    assert NoConfig(3.0).get_config()["table"] == 3.0  # plain arguments: Keras's auto-config
    with pytest.raises(NotImplementedError, match="non-serializable argument values"):
        NoConfig(np.ones(3)).get_config()
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        ek.layers.Dense(2, name="a/b")
    with pytest.raises(NotImplementedError, match="does not have a `call\\(\\)` method"):
        ek.layers.Layer()(np.ones((1, 2), np.float32))
    v = ek.Variable(np.zeros(3, np.float32), name="v")
    with pytest.raises(ValueError, match=r"variable.shape=\(3,\), Received: value.shape=\(2,\)"):
        v.assign(np.zeros(2, np.float32))
