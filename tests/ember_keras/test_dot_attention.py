"""Keras's ``Attention`` and ``AdditiveAttention`` against Keras 3 (torch backend) from the same
weights: outputs, attention scores and gradients of every input and weight, for each score mode,
scale, key, causal mask and the inputs' Keras masks; in a functional model; Keras's errors."""
import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.keras.layers.masking import get_keras_mask

TOL = dict(rtol=2e-5, atol=2e-6)
CASES = [
    ("Attention", {}, {}),
    ("Attention", {"use_scale": True}, {"return_attention_scores": True}),
    ("Attention", {"score_mode": "concat"}, {}),
    ("Attention", {"score_mode": "concat", "use_scale": True}, {"use_causal_mask": True}),
    ("Attention", {"use_scale": True}, {"use_causal_mask": True, "return_attention_scores": True}),
    ("AdditiveAttention", {}, {"return_attention_scores": True}),
    ("AdditiveAttention", {"use_scale": False}, {}),
    ("AdditiveAttention", {}, {"use_causal_mask": True}),
]


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "cpu") else t.detach().numpy()


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _both(keras_ref, name, ctor, inputs, call, masks=None):
    """Runs Keras and ember on the same inputs and weights; returns outputs and gradients."""
    import torch
    k_layer, e_layer = getattr(keras_ref.layers, name)(**ctor), getattr(ek.layers, name)(**ctor)
    k_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    e_in = [ember.tensor(a, requires_grad=True) for a in inputs]
    k_kw, e_kw = dict(call), dict(call)
    if masks is not None:
        k_kw["mask"] = [torch.tensor(m) for m in masks]
        e_kw["mask"] = [ember.tensor(m) for m in masks]
    k_layer(k_in, **k_kw)
    e_layer(e_in, **e_kw)
    assert [(w.path.split("/")[-1], tuple(w.shape)) for w in e_layer.weights] == \
        [(w.path.split("/")[-1], tuple(w.shape)) for w in k_layer.weights]
    e_layer.set_weights(k_layer.get_weights())
    k_out, e_out = _flat(k_layer(k_in, **k_kw)), _flat(e_layer(e_in, **e_kw))
    assert len(k_out) == len(e_out) == (2 if call.get("return_attention_scores") else 1)
    rng = np.random.default_rng(1)
    k_loss = e_loss = 0
    for a, b in zip(e_out, k_out):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == ember.float32
        np.testing.assert_allclose(_np(a), _np(b), **TOL)
        up = rng.standard_normal(tuple(a.shape)).astype(np.float32)
        k_loss = k_loss + (b * torch.tensor(up)).sum()
        e_loss = e_loss + (a * ember.tensor(up)).sum()
    k_loss.backward()
    e_loss.backward()
    k_grads = [t.grad for t in k_in] + [w.value.grad for w in k_layer.weights]
    for a, b in zip(e_in + list(e_layer.weights), k_grads):
        np.testing.assert_allclose(a.grad.numpy(), _np(b), rtol=1e-4, atol=1e-5)
    return e_layer, e_out


@pytest.mark.parametrize("name,ctor,call", CASES, ids=[f"{n}-{a}-{b}" for n, a, b in CASES])
@pytest.mark.parametrize("with_key", [False, True])
def test_matches_keras(keras_ref, name, ctor, call, with_key):
    rng = np.random.default_rng(0)
    tv = 4 if call.get("use_causal_mask") else 5
    inputs = [rng.standard_normal((2, 4, 3)), rng.standard_normal((2, tv, 3))]
    if with_key:
        inputs.append(rng.standard_normal((2, tv, 3)))
    _both(keras_ref, name, ctor, [a.astype(np.float32) for a in inputs], call)


@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_masks_given_and_from_embeddings(keras_ref, name):
    import torch
    rng = np.random.default_rng(2)
    q, v = rng.standard_normal((2, 4, 3)).astype(np.float32), rng.standard_normal((2, 5, 3))
    masks = [np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool), np.array([[1, 0, 1, 1, 0], [1] * 5], bool)]
    _, (out, scores) = _both(keras_ref, name, {}, [q, v.astype(np.float32)],
                             {"return_attention_scores": True}, masks)
    assert np.all(_np(scores)[0, :, 1] < 1e-6) and np.all(_np(out)[0, 2] == 0)
    # the inputs' Keras masks (Embedding(mask_zero=True)) are the layer's mask list
    tokens_q, tokens_v = np.array([[3, 1, 0, 0]]), np.array([[2, 0, 4, 5, 0]])
    results = []
    for keras, wrap in ((keras_ref, torch.tensor), (ek, ember.tensor)):
        emb = keras.layers.Embedding(6, 3, mask_zero=True, embeddings_initializer="ones")
        layer = getattr(keras.layers, name)(use_scale=False)
        xq, xv = emb(wrap(tokens_q)), emb(wrap(tokens_v))
        out = layer([xq, xv])
        results.append(_np(out))
        if keras is ek:
            np.testing.assert_array_equal(get_keras_mask(out).numpy(), tokens_q != 0)
    np.testing.assert_allclose(results[1], results[0], **TOL)


@pytest.mark.parametrize("scores", [False, True])
def test_in_a_functional_model(keras_ref, scores):
    import torch
    rng = np.random.default_rng(3)
    xq, xv = rng.standard_normal((2, 4, 6)).astype(np.float32), rng.standard_normal((2, 7, 6))
    xv = xv.astype(np.float32)
    models = []
    for keras in (keras_ref, ek):
        q, v = keras.Input((4, 6)), keras.Input((7, 6))
        out = keras.layers.AdditiveAttention()([q, v], return_attention_scores=scores)
        models.append(keras.Model([q, v], out))
    assert [tuple(t.shape) for t in models[1].outputs] == \
        [(None, 4, 6)] + ([(None, 4, 7)] if scores else [])
    models[1].set_weights(models[0].get_weights())
    k_out = _flat(models[0]([torch.tensor(xq), torch.tensor(xv)]))
    for a, b in zip(_flat(models[1]([xq, xv])), k_out):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)
    config = models[1].layers[-1].get_config()
    assert "score_mode" not in config and config["use_scale"] is True
    assert ek.layers.AdditiveAttention.from_config(config).get_config() == config


def test_dropout_only_in_training():
    layer = ek.layers.Attention(dropout=0.5, seed=1)
    q = np.ones((2, 3, 4), np.float32)
    np.testing.assert_allclose(layer([q, q]).numpy(), 1.0)
    _, weights = layer([q, q], training=True, return_attention_scores=True)
    kept = weights.numpy()  # each weight 1/3, dropped or scaled by 1 / (1 - 0.5)
    assert np.all(np.isclose(kept, 0) | np.isclose(kept, 2 / 3)) and 0 < (kept == 0).mean() < 1


@pytest.mark.parametrize("make,call,message", [
    (lambda m: m.layers.Attention(score_mode="add"), None, "score_mode=add"),
    (lambda m: m.layers.Attention(), "single", "must be called on a list of inputs"),
    (lambda m: m.layers.Attention(), "four", "Received length: 4"),
])
def test_errors_as_keras(keras_ref, make, call, message):
    q = np.ones((1, 2, 3), np.float32)
    args = {None: None, "single": q, "four": [q, q, q, q]}[call]
    for keras in (keras_ref, ek):
        with pytest.raises(ValueError, match=message):
            layer = make(keras)
            layer(keras.ops.convert_to_tensor(q) if call == "single" else
                  [keras.ops.convert_to_tensor(a) for a in args])
