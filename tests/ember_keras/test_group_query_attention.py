"""GroupQueryAttention and ReversibleEmbedding against Keras 3 (torch backend) from the same
weights: outputs, attention scores, gradients of inputs and weights, masks, causal and sliding-
window masks, gates; configs, shapes, errors and a tiny fit."""
import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.keras.layers.masking import get_keras_mask
from test_sequence_layers import TOL, _flat, assert_same_error, _masked_tokens, _np, _run_both

GQA_CASES = [
    ({}, {}),
    ({}, {"return_attention_scores": True}),
    ({"num_key_value_heads": 1}, {"return_attention_scores": True, "use_causal_mask": True}),
    ({"num_key_value_heads": 1}, {"use_causal_mask": True}),
    ({"num_key_value_heads": 4, "use_bias": False}, {}),
    ({"use_gate": True}, {"return_attention_scores": True}),
    ({"sliding_window": 2}, {}),
    ({"sliding_window": 3, "use_gate": True}, {"use_causal_mask": True,
                                               "return_attention_scores": True}),
]


@pytest.mark.parametrize("ctor,call", GQA_CASES, ids=[f"{a}-{b}" for a, b in GQA_CASES])
@pytest.mark.parametrize("with_key", [False, True])
def test_group_query_attention_matches_keras(keras_ref, ctor, call, with_key):
    rng = np.random.default_rng(3)
    args = {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2, **ctor}
    q = rng.standard_normal((2, 4, 6)).astype(np.float32)
    v = rng.standard_normal((2, 5, 6)).astype(np.float32)
    inputs = [q, v] + ([rng.standard_normal((2, 5, 7)).astype(np.float32)] if with_key else [])
    k_layer = keras_ref.layers.GroupQueryAttention(**args)
    e_layer = ek.layers.GroupQueryAttention(**args)
    e_out, _ = _run_both(keras_ref, k_layer, e_layer, inputs, call)
    assert [w.path.split("/", 1)[1] for w in e_layer.weights] == \
        [w.path.split("/", 1)[1] for w in k_layer.weights]
    if call.get("return_attention_scores"):
        assert tuple(e_out[1].shape) == (2, 4, 4, 5)


@pytest.mark.parametrize("scores", [False, True])
def test_group_query_attention_with_masks(keras_ref, scores):
    """The inputs' Keras masks, value_mask and attention_mask merge as Keras merges them; the
    output carries the query's mask."""
    import torch
    rng = np.random.default_rng(4)
    tokens = _masked_tokens(rng)
    attention_mask = rng.random((4, 7, 7)) > 0.2
    value_mask = rng.random((4, 7)) > 0.3
    emb_k = keras_ref.layers.Embedding(9, 6, mask_zero=True)
    emb_e = ek.layers.Embedding(9, 6, mask_zero=True)
    emb_k(tokens), emb_e(tokens)
    emb_e.set_weights(emb_k.get_weights())
    layers = [mod.layers.GroupQueryAttention(2, 4, 2) for mod in (keras_ref, ek)]
    kw_k = dict(attention_mask=torch.tensor(attention_mask), return_attention_scores=scores)
    kw_e = dict(attention_mask=ember.tensor(attention_mask), return_attention_scores=scores)
    xk, xe = emb_k(torch.tensor(tokens)), emb_e(ember.tensor(tokens))
    layers[0](xk, xk, **kw_k), layers[1](xe, xe, **kw_e)
    layers[1].set_weights(layers[0].get_weights())
    for extra in ({}, {"value_mask": value_mask}):
        xk, xe = emb_k(torch.tensor(tokens)), emb_e(ember.tensor(tokens))
        k_out = layers[0](xk, xk, **kw_k, **{k: torch.tensor(m) for k, m in extra.items()})
        e_out = layers[1](xe, xe, **kw_e, **{k: ember.tensor(m) for k, m in extra.items()})
        for a, b in zip(_flat(e_out), _flat(k_out)):
            np.testing.assert_allclose(_np(a), _np(b), **TOL)
    out = layers[1](xe, xe)
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), tokens != 0)


def test_group_query_attention_learns_in_a_model():
    """A tiny functional model with GroupQueryAttention fits (the loss falls)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((32, 6, 8)).astype(np.float32)
    y = x[:, :, :2].mean(axis=1)
    ember.manual_seed(0)
    inputs = ek.Input((6, 8))
    h = ek.layers.GroupQueryAttention(4, 4, 2)(inputs, inputs, use_causal_mask=True)
    model = ek.Model(inputs, ek.layers.Dense(2)(ek.layers.GlobalAveragePooling1D()(h)))
    model.compile(optimizer=ek.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=15, batch_size=8, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    assert model.predict(x, verbose=0).dtype == np.float32


REVERSIBLE_CASES = [{}, {"tie_weights": False}, {"logit_soft_cap": 0.02},
                    {"tie_weights": False, "logit_soft_cap": 0.05, "mask_zero": True}]


@pytest.mark.parametrize("ctor", REVERSIBLE_CASES, ids=str)
def test_reversible_embedding_matches_keras(keras_ref, ctor):
    rng = np.random.default_rng(6)
    tokens = rng.integers(0, 9, (3, 5))
    hidden = rng.standard_normal((3, 5, 4)).astype(np.float32)
    k_layer = keras_ref.layers.ReversibleEmbedding(9, 4, **ctor)
    e_layer = ek.layers.ReversibleEmbedding(9, 4, **ctor)
    _run_both(keras_ref, k_layer, e_layer, [tokens])
    for kw, ew in zip(k_layer.weights, e_layer.weights):
        kw.value.grad = ew.grad = None
    _run_both(keras_ref, k_layer, e_layer, [hidden], {"reverse": True})
    out = e_layer(ember.tensor(tokens))
    assert (get_keras_mask(out) is not None) == bool(ctor.get("mask_zero"))
    assert get_keras_mask(e_layer(out, reverse=True)) is None
    assert e_layer.compute_output_shape((3, 5, 4), reverse=True) == \
        tuple(k_layer.compute_output_shape((3, 5, 4), reverse=True))
    assert e_layer.compute_output_shape((3, 5)) == tuple(k_layer.compute_output_shape((3, 5)))


def test_reversible_embedding_reverse_dtype(keras_ref):
    """``reverse_dtype='float16'``: the reverse matmul (and its logits) in half precision."""
    import torch
    hidden = np.random.default_rng(9).standard_normal((2, 3, 4)).astype(np.float32)
    layers = [mod.layers.ReversibleEmbedding(9, 4, reverse_dtype="float16")
              for mod in (keras_ref, ek)]
    layers[0].build(), layers[1].build()
    layers[1].set_weights(layers[0].get_weights())
    k_out = layers[0](torch.tensor(hidden), reverse=True)
    e_out = layers[1](ember.tensor(hidden), reverse=True)
    assert k_out.dtype == torch.float16 and e_out.dtype == ember.float16
    np.testing.assert_allclose(_np(e_out), _np(k_out), rtol=1e-3, atol=1e-3)


def test_reversible_embedding_ties_a_language_model():
    """Embedding in, the same table out: a tiny next-token model trains its one table."""
    rng = np.random.default_rng(7)
    tokens = rng.integers(0, 12, (64, 6))
    ember.manual_seed(0)
    emb = ek.layers.ReversibleEmbedding(12, 8, embeddings_initializer="glorot_uniform")
    inputs = ek.Input((6,), dtype="int64")
    hidden = ek.layers.Dense(8, activation="tanh")(emb(inputs))
    model = ek.Model(inputs, emb(hidden, reverse=True))
    model.compile(optimizer=ek.optimizers.Adam(0.02),
                  loss=ek.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(tokens, (tokens + 1) % 12, epochs=20, batch_size=16,
                        verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    assert [w.path for w in emb.weights] == [f"{emb.name}/embeddings"]


@pytest.mark.parametrize("make", [
    lambda: ek.layers.GroupQueryAttention(4, 4, 2, dropout=0.1, use_gate=True, sliding_window=3),
    lambda: ek.layers.ReversibleEmbedding(7, 3, tie_weights=False, logit_soft_cap=30.0,
                                          mask_zero=True)])
def test_config_round_trip(make):
    layer = make()
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_group_query_attention_symbolic_and_summary():
    q, v = ek.Input((5, 8)), ek.Input((7, 6))
    layer = ek.layers.GroupQueryAttention(4, 6, 3)
    out, scores = layer(q, v, return_attention_scores=True)
    assert tuple(out.shape) == (None, 5, 8) and tuple(scores.shape)[1:] == (6, 5, 7)
    model = ek.Model([q, v], out)
    assert model.count_params() == 8 * 24 + 24 + 2 * (6 * 12 + 12) + 24 * 8 + 8
    assert layer.compute_output_shape((None, 5, 8), (None, 7, 8)) == (None, 5, 8)


ERROR_CASES = [
    (lambda m: m.layers.GroupQueryAttention(4, 6, 4), ValueError,
     "`num_query_heads` must be divisible by `num_key_value_heads`"),
    (lambda m: m.layers.GroupQueryAttention(4, 4, 2, dropout=0.5, flash_attention=True),
     ValueError, "Dropout is not supported when flash attention is enabled"),
    (lambda m: m.layers.GroupQueryAttention(4, 4, 2, sliding_window=0), ValueError,
     "Received: sliding_window=0"),
    (lambda m: m.layers.GroupQueryAttention(4, 4, 2).compute_output_shape((2, 3, 8), (2, 3, 6)),
     ValueError, "The last dimension of `query_shape` and `value_shape` must be equal"),
]


@pytest.mark.parametrize("fn,exc,text", ERROR_CASES, ids=[c[2][:30] for c in ERROR_CASES])
def test_errors_are_keras(keras_ref, fn, exc, text):
    assert_same_error(keras_ref, fn, exc, text)


def test_saved_model_with_attention_and_reversible_embedding_reloads(tmp_path):
    """A functional model (attention built from query and value shapes, saved as Keras's
    ``shapes_dict``) saves and reloads with the same predictions."""
    tokens = ek.Input((6,), dtype="int64")
    emb = ek.layers.ReversibleEmbedding(10, 8, tie_weights=False, logit_soft_cap=5.0)
    h = emb(tokens)
    h = ek.layers.GroupQueryAttention(4, 4, 2, use_gate=True)(h, h, use_causal_mask=True)
    h = ek.layers.MultiHeadAttention(2, 4)(h, ek.layers.Dense(6)(h))
    model = ek.Model(tokens, emb(h, reverse=True))
    model.save(tmp_path / "m.keras")
    again = ek.models.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(8).integers(0, 10, (3, 6))
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_flash_attention_refuses_scores_as_keras_does():
    """Keras's message (Keras on a CPU fails earlier: no flash kernel there); without scores
    ember's one attention kernel runs."""
    x = ember.tensor(np.ones((2, 3, 8), np.float32))
    layer = ek.layers.GroupQueryAttention(4, 4, 2, flash_attention=True)
    with pytest.raises(ValueError, match="Returning attention scores is not supported when "
                                         "flash attention is enabled"):
        layer(x, x, return_attention_scores=True)
    assert tuple(layer(x, x).shape) == (2, 3, 8)
