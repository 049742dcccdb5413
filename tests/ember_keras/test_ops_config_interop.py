"""A functional model's ``keras.ops`` calls are saved in Keras 3's own form: the operation's
module and class (``keras.src.ops.numpy`` / ``Mean``), its constructor arguments in ``config``
(``axis``, ``keepdims``), its tensors and indices (slices, Ellipsis, constants) in the node's
``args``. ember writes exactly what Keras writes for the same model, and a config Keras wrote
(``model.to_json()``) loads in ember and computes what Keras computes."""
import json

import numpy as np
import pytest

import ember
from ember import keras as ek


def _ops_zoo(k):
    x = k.Input((5, 4))
    h = k.layers.Dense(4)(x)
    r = k.ops.relu(h + x)
    y = k.ops.concatenate([k.ops.mean(r, axis=1), r[:, -1], k.ops.max(r, axis=1)], axis=-1)
    y = 1.0 - abs(y) ** 2 @ k.ops.ones((12, 3))
    y = k.ops.where(y > 0, y, y * 0.1)
    halves = k.ops.split(r, 2, axis=-1)
    z = k.ops.softmax(k.ops.reshape(k.ops.stack(halves, axis=1), (-1, 20)), axis=-1)
    z = z + k.ops.sum(k.ops.expand_dims(y, 1), axis=-1, keepdims=True)[:, 0]
    return k.Model(x, [y, r[..., :3], r[:, 1:, ::2], z, k.ops.transpose(r, (0, 2, 1)),
                       k.ops.clip(r, 0.0, 1.0) / 2.0])


def _slices(k):
    x = k.Input((6, 3))
    a = k.layers.Dense(3)(x[:, 1:])
    b = x[..., :2][:, ::2] * 2.0 - x[:, 1::2, 1:]
    return k.Model(x, [a[:, -1], b[:, None, 0], k.ops.swish(x)[:, 2:4, ...]])


def _transformer_block(k):
    inputs = k.Input((6, 4))
    x = k.layers.MultiHeadAttention(num_heads=2, key_dim=2)(inputs, inputs)
    res = k.layers.LayerNormalization(epsilon=1e-6)(x + inputs)
    x = k.layers.Dense(8, activation="relu")(res)
    x = k.layers.Dense(4)(x) + res
    x = k.ops.mean(x, axis=1) + x[:, 0]
    return k.Model(inputs, k.layers.Dense(2, activation="softmax")(x))


MODELS = {"ops_zoo": (_ops_zoo, (5, 4)), "slices": (_slices, (6, 3)),
          "transformer_block": (_transformer_block, (6, 4))}


def _canonical(layers: list) -> list:
    """The config's layer specs with each name replaced by its position (Keras and ember number
    names by process-wide counters) and build configs left out."""
    names = {spec["name"]: f"#{i}" for i, spec in enumerate(layers)}

    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items() if k != "build_config"}
        if isinstance(value, (list, tuple)):
            if key == "keras_history":
                return [names[value[0]], *value[1:]]
            return [walk(v) for v in value]
        return names.get(value, value) if key == "name" else value

    return [walk(spec) for spec in layers]


def _op_specs(model) -> list:
    return [spec for spec in _canonical(model.get_config()["layers"])
            if spec["module"].startswith("keras.src.ops.")]


@pytest.mark.parametrize("name", MODELS)
def test_op_nodes_are_written_as_keras_writes_them(keras_ref, name):
    build, _ = MODELS[name]
    ours, theirs = _op_specs(build(ek)), _op_specs(build(keras_ref))
    assert len(theirs) > 2
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(theirs))


@pytest.mark.parametrize("name", MODELS)
def test_config_written_by_keras_loads_and_runs_as_keras(keras_ref, name):
    import torch
    build, shape = MODELS[name]
    k_model = build(keras_ref)
    rng = np.random.default_rng(3)
    k_model.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.5
                         for w in k_model.get_weights()])
    e_model = ek.models.model_from_json(k_model.to_json())
    e_model.set_weights(k_model.get_weights())
    assert [type(o).__name__ for o in e_model.operations] == \
        [type(o).__name__ for o in k_model.operations]
    x = rng.standard_normal((3,) + shape).astype(np.float32)
    ours, theirs = e_model(ember.tensor(x)), k_model(torch.tensor(x))
    ours, theirs = (ours, theirs) if isinstance(ours, list) else ([ours], [theirs])
    for a, b in zip(ours, theirs):
        assert a.dtype == ember.float32
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert _op_specs(e_model) == _op_specs(k_model)  # and writes it back the same


def test_op_without_keras_form_round_trips_in_embers_own(tmp_path):
    x = ek.Input((3, 4))
    y = ek.ops.einsum("bij,bkj->bik", x, x)  # *operands: saved as ember's SymbolicOp node
    model = ek.Model(x, ek.ops.mean(y, axis=-1))
    specs = {spec["class_name"]: spec for spec in model.get_config()["layers"]}
    assert specs["SymbolicOp"]["config"]["op"] == "einsum"
    assert specs["Mean"]["config"]["axis"] == -1
    data = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    loaded = ek.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded(data).detach().numpy(), model(data).detach().numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("class_name, module, match", [
    ("NoSuchOp", "keras.src.ops.numpy", "keras.ops.no_such_op, which ember.keras.ops does not"),
    ("__Class__", "keras.src.ops.numpy", "ember.keras.ops does not have"),
    ("Resize", "keras.src.ops.numpy", "keras.ops.resize, which"),
])
def test_unknown_keras_operation_is_refused_by_name(class_name, module, match):
    x = ek.Input((4,))
    config = json.loads(ek.Model(x, ek.ops.relu(x)).to_json())
    spec = config["config"]["layers"][1]
    spec.update(class_name=class_name, module=module, registered_name=class_name)
    with pytest.raises(ValueError, match=match):
        ek.models.model_from_json(json.dumps(config))


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
@pytest.mark.parametrize("name", MODELS)
def test_keras_archive_saved_by_keras_loads(keras_ref, tmp_path, name):
    """A ``.keras`` zip Keras 3 wrote (slices, ops and layers; compiled) loads with its weights,
    loss and metrics."""
    import torch
    build, shape = MODELS[name]
    k_model = build(keras_ref)
    rng = np.random.default_rng(5)
    k_model.set_weights([rng.standard_normal(w.shape).astype(np.float32) * 0.5
                         for w in k_model.get_weights()])
    n_out = len(k_model.outputs)
    k_model.compile(optimizer="adam", loss=["mse"] * n_out,
                    metrics=[["mae"]] * n_out if n_out > 1 else ["mae"])
    k_model.save(tmp_path / "keras_made.keras")
    e_model = ek.saving.load_model(tmp_path / "keras_made.keras")
    x = rng.standard_normal((3,) + shape).astype(np.float32)
    ours, theirs = e_model(ember.tensor(x)), k_model(torch.tensor(x))
    ours, theirs = (ours, theirs) if isinstance(ours, list) else ([ours], [theirs])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)
    ys = [rng.standard_normal(tuple(b.shape)).astype(np.float32) for b in theirs]
    ys = ys if n_out > 1 else ys[0]
    k_logs = k_model.evaluate(x, ys, verbose=0, return_dict=True)
    e_logs = e_model.evaluate(x, ys, verbose=0, return_dict=True)
    assert sorted(e_logs) == sorted(k_logs)
    for key in k_logs:
        np.testing.assert_allclose(e_logs[key], k_logs[key], rtol=1e-5, err_msg=key)
    assert type(e_model.optimizer).__name__ == "Adam"
    e_model.set_weights([w * 2.0 for w in e_model.get_weights()])
    e_model.save_weights(tmp_path / "ember_made.weights.h5")  # and back: Keras reads ember's
    k_model.load_weights(tmp_path / "ember_made.weights.h5")
    for a, b in zip(e_model.get_weights(), k_model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert ek.saving.load_model(tmp_path / "keras_made.keras", compile=False).optimizer is None


@pytest.mark.parametrize("members, match", [
    ({"metadata.json": "{}"}, "without config.json"),
    ({"config.json": "[1, 2]", "model.weights.h5": ""}, "does not describe a model"),
])
def test_bad_keras_archive_is_refused_by_name(tmp_path, members, match):
    import zipfile
    path = tmp_path / "bad.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(ValueError, match=match):
        ek.saving.load_model(path)


@pytest.mark.parametrize("name", [*MODELS, "sequential"])
def test_config_written_by_ember_loads_in_keras(keras_ref, name):
    """``model.to_json()`` of an ember model is what ``keras.models.model_from_json`` reads:
    Keras's modules and class names, its op nodes and slices."""
    import torch
    build, shape = MODELS.get(name) or (lambda k: k.Sequential([
        k.Input((4,)), k.layers.Dense(3, activation="relu", kernel_regularizer="l2"),
        k.layers.Dropout(0.2), k.layers.Dense(2)]), (4,))
    e_model = build(ek)
    k_model = keras_ref.models.model_from_json(e_model.to_json())
    k_model.set_weights(e_model.get_weights())
    assert [type(o).__name__ for o in k_model.layers] == [type(o).__name__ for o in e_model.layers]
    x = np.random.default_rng(4).standard_normal((3,) + shape).astype(np.float32)
    ours, theirs = e_model(ember.tensor(x)), k_model(torch.tensor(x))
    ours, theirs = (ours, theirs) if isinstance(ours, list) else ([ours], [theirs])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("optimizer", [
    lambda k: k.optimizers.Adam(learning_rate=0.01),
    lambda k: k.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    lambda k: k.optimizers.RMSprop(learning_rate=0.01),
    lambda k: k.optimizers.AdamW(learning_rate=0.01, weight_decay=0.01),
], ids=["adam", "sgd_momentum", "rmsprop", "adamw"])
def test_training_continues_from_a_keras_archive_as_in_keras(keras_ref, tmp_path, optimizer):
    """The optimizer's step count and slots come back: one more epoch on ember moves the weights
    as one more epoch on Keras does."""
    build, shape = MODELS["slices"]
    k_model = build(keras_ref)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((16,) + shape).astype(np.float32)
    ys = [rng.standard_normal((16,) + tuple(t.shape[1:])).astype(np.float32)
          for t in k_model.outputs]
    k_model.compile(optimizer=optimizer(keras_ref), loss=["mse"] * len(ys))
    k_model.fit(x, ys, batch_size=8, epochs=2, shuffle=False, verbose=0)
    k_model.save(tmp_path / "trained.keras")
    e_model = ek.saving.load_model(tmp_path / "trained.keras")
    assert e_model.optimizer.iterations == 4
    for model in (k_model, e_model):
        model.fit(x, ys, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(e_model.get_weights(), k_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_optimizer_state_ember_does_not_keep_so_is_skipped_with_keras_warning(keras_ref, tmp_path):
    build, shape = MODELS["transformer_block"]
    k_model = build(keras_ref)
    x = np.ones((4,) + shape, np.float32)
    k_model.compile(optimizer=keras_ref.optimizers.Adam(use_ema=True), loss="mse")
    k_model.fit(x, np.zeros((4, 2), np.float32), verbose=0)
    k_model.save(tmp_path / "ema.keras")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        e_model = ek.saving.load_model(tmp_path / "ema.keras")
    assert e_model.optimizer.iterations == 0
    np.testing.assert_allclose(e_model(x).detach().numpy(), k_model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
