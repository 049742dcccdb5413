"""Sequence layers against Keras 3 (torch backend) from the same weights: SimpleRNN/LSTM/GRU
(return_sequences/state, go_backwards, reset_after, activations, initial states), masks from
Embedding(mask_zero=True) through the following layers, Bidirectional, TimeDistributed,
MultiHeadAttention; outputs and gradients of inputs and weights; Keras's errors."""
import numpy as np
import pytest

import ember
from ember import keras as ek
from ember.keras.layers.masking import get_keras_mask

TOL = dict(rtol=2e-5, atol=2e-6)


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "cpu") else t.detach().numpy()


def _flat(out):
    """The tensors of a layer's output, nested lists (stacked cells' states) flattened."""
    if not isinstance(out, (list, tuple)):
        return [out]
    return [t for part in out for t in _flat(part)]


def _run_both(keras, k_layer, e_layer, inputs, call_kwargs=None, seed=0):
    """Builds both, copies Keras's weights into ember's, compares outputs and gradients."""
    import torch
    call_kwargs = call_kwargs or {}
    k_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    e_in = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    k_layer(*k_in, **call_kwargs)
    e_layer(*e_in, **call_kwargs)
    assert [tuple(w.shape) for w in e_layer.weights] == [tuple(w.shape) for w in k_layer.weights]
    e_layer.set_weights(k_layer.get_weights())
    k_out, e_out = _flat(k_layer(*k_in, **call_kwargs)), _flat(e_layer(*e_in, **call_kwargs))
    assert len(k_out) == len(e_out)
    rng = np.random.default_rng(seed)
    k_loss = e_loss = 0
    for a, b in zip(e_out, k_out):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == ember.float32
        np.testing.assert_allclose(_np(a), _np(b), **TOL)
        up = rng.standard_normal(tuple(a.shape)).astype(np.float32)
        e_loss = e_loss + (a * ember.tensor(up)).sum()
        k_loss = k_loss + (b * torch.tensor(up)).sum()
    e_loss.backward(), k_loss.backward()
    for a, b in zip(e_in, k_in):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TOL)
    for ew, kw in zip(e_layer.weights, k_layer.weights):
        if kw.value.grad is None:  # a weight the call does not use
            assert ew.grad is None, kw.path
            continue
        np.testing.assert_allclose(ew.grad.numpy(), _np(kw.value.grad), err_msg=kw.path, **TOL)
    return e_out, k_out


RNN_CASES = [
    ("SimpleRNN", {}), ("SimpleRNN", {"activation": "relu", "return_sequences": True}),
    ("SimpleRNN", {"go_backwards": True, "return_state": True, "use_bias": False}),
    ("LSTM", {}), ("LSTM", {"return_sequences": True, "return_state": True}),
    ("LSTM", {"go_backwards": True, "return_sequences": True, "unit_forget_bias": False}),
    ("LSTM", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("GRU", {}), ("GRU", {"return_sequences": True, "return_state": True}),
    ("GRU", {"reset_after": False, "go_backwards": True, "return_sequences": True}),
    ("GRU", {"reset_after": False, "use_bias": False, "return_state": True}),
]


@pytest.mark.parametrize("name,kwargs", RNN_CASES, ids=[f"{n}-{k}" for n, k in RNN_CASES])
def test_recurrent_layer_matches_keras(keras_ref, name, kwargs):
    x = np.random.default_rng(1).standard_normal((3, 6, 4)).astype(np.float32)
    k_layer, e_layer = getattr(keras_ref.layers, name)(5, **kwargs), getattr(ek.layers, name)(5, **kwargs)
    _run_both(keras_ref, k_layer, e_layer, [x])
    assert [w.path for w in e_layer.weights] == [w.path.replace(k_layer.name, e_layer.name, 1)
                                                 for w in k_layer.weights]


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state(keras_ref, name):
    import torch
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    states = [rng.standard_normal((2, 5)).astype(np.float32) for _ in range(2 if name == "LSTM" else 1)]
    k_layer = getattr(keras_ref.layers, name)(5, return_sequences=True)
    e_layer = getattr(ek.layers, name)(5, return_sequences=True)
    k_layer(x), e_layer(x)
    e_layer.set_weights(k_layer.get_weights())
    k = k_layer(torch.tensor(x), initial_state=[torch.tensor(s) for s in states])
    e = e_layer(ember.tensor(x), initial_state=[ember.tensor(s) for s in states])
    np.testing.assert_allclose(_np(e), _np(k), **TOL)


def _masked_tokens(rng, batch=4, steps=7, vocab=9, pre=False):
    tokens = rng.integers(1, vocab, size=(batch, steps))
    for b, n in enumerate([7, 4, 2, 5][:batch]):
        if pre:
            tokens[b, :steps - n] = 0
        else:
            tokens[b, n:] = 0
    return tokens


MASK_CASES = [
    ("LSTM", {"return_sequences": True}, False), ("LSTM", {}, True),
    ("GRU", {"return_sequences": True, "go_backwards": True}, False),
    ("GRU", {"return_state": True}, True), ("SimpleRNN", {"return_sequences": True}, True),
    ("LSTM", {"return_sequences": True, "zero_output_for_mask": True}, True),
]


@pytest.mark.parametrize("name,kwargs,pre", MASK_CASES, ids=[f"{n}-{k}-pre{p}" for n, k, p in MASK_CASES])
def test_embedding_mask_flows_into_recurrent_layer(keras_ref, name, kwargs, pre):
    tokens = _masked_tokens(np.random.default_rng(3), pre=pre)

    def model(mod):
        return mod.Sequential([mod.layers.Embedding(9, 3, mask_zero=True),
                               getattr(mod.layers, name)(4, **kwargs)])
    k_model, e_model = model(keras_ref), model(ek)
    _run_both(keras_ref, k_model, e_model, [tokens])
    emb = ek.layers.Embedding(9, 3, mask_zero=True)
    np.testing.assert_array_equal(get_keras_mask(emb(tokens)).numpy(), tokens != 0)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("inner,kwargs", [("LSTM", {"return_sequences": True}),
                                          ("GRU", {"return_state": True}),
                                          ("SimpleRNN", {})])
def test_bidirectional_matches_keras(keras_ref, inner, kwargs, merge_mode):
    x = np.random.default_rng(4).standard_normal((3, 5, 2)).astype(np.float32)
    k = keras_ref.layers.Bidirectional(getattr(keras_ref.layers, inner)(3, **kwargs), merge_mode=merge_mode)
    e = ek.layers.Bidirectional(getattr(ek.layers, inner)(3, **kwargs), merge_mode=merge_mode)
    _run_both(keras_ref, k, e, [x])
    assert e.forward_layer.name.startswith("forward_") and e.backward_layer.go_backwards


def test_bidirectional_with_mask(keras_ref):
    tokens = _masked_tokens(np.random.default_rng(5))

    def model(mod):
        return mod.Sequential([mod.layers.Embedding(9, 3, mask_zero=True),
                               mod.layers.Bidirectional(mod.layers.LSTM(4, return_sequences=True)),
                               mod.layers.Bidirectional(mod.layers.GRU(2))])
    _run_both(keras_ref, model(keras_ref), model(ek), [tokens])


def test_time_distributed_matches_keras(keras_ref):
    x = np.random.default_rng(6).standard_normal((2, 4, 3)).astype(np.float32)
    k = keras_ref.layers.TimeDistributed(keras_ref.layers.Dense(5, activation="tanh"))
    e = ek.layers.TimeDistributed(ek.layers.Dense(5, activation="tanh"))
    _run_both(keras_ref, k, e, [x])
    tokens = _masked_tokens(np.random.default_rng(7))

    def model(mod):
        return mod.Sequential([mod.layers.Embedding(9, 3, mask_zero=True),
                               mod.layers.TimeDistributed(mod.layers.Dense(4)),
                               mod.layers.LSTM(3)])
    _run_both(keras_ref, model(keras_ref), model(ek), [tokens])


MHA_CASES = [({}, {}), ({"value_dim": 3, "output_shape": 7}, {}), ({"use_bias": False}, {"use_causal_mask": True}),
             ({}, {"return_attention_scores": True}),
             ({}, {"return_attention_scores": True, "use_causal_mask": True}),
             ({"use_gate": True, "value_dim": 2}, {}),
             ({"sliding_window": 2}, {"return_attention_scores": True})]


@pytest.mark.parametrize("ctor,call", MHA_CASES, ids=[f"{a}-{b}" for a, b in MHA_CASES])
def test_multi_head_attention_matches_keras(keras_ref, ctor, call):
    rng = np.random.default_rng(8)
    q = rng.standard_normal((2, 4, 6)).astype(np.float32)
    v = rng.standard_normal((2, 5 if not call.get("use_causal_mask") else 4, 6)).astype(np.float32)
    k_layer = keras_ref.layers.MultiHeadAttention(num_heads=2, key_dim=3, **ctor)
    e_layer = ek.layers.MultiHeadAttention(num_heads=2, key_dim=3, **ctor)
    _run_both(keras_ref, k_layer, e_layer, [q, v], call)
    assert [w.path.split("/", 1)[1] for w in e_layer.weights] == \
        [w.path.split("/", 1)[1] for w in k_layer.weights]


@pytest.mark.parametrize("scores", [False, True])
def test_multi_head_attention_with_masks(keras_ref, scores):
    import torch
    rng = np.random.default_rng(9)
    tokens = _masked_tokens(rng)
    attention_mask = rng.random((4, 7, 7)) > 0.2
    emb_k, emb_e = keras_ref.layers.Embedding(9, 6, mask_zero=True), ek.layers.Embedding(9, 6, mask_zero=True)
    emb_k(tokens), emb_e(tokens)
    emb_e.set_weights(emb_k.get_weights())
    xk, xe = emb_k(torch.tensor(tokens)), emb_e(ember.tensor(tokens))
    k_layer = keras_ref.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    e_layer = ek.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    kw_k = dict(attention_mask=torch.tensor(attention_mask), return_attention_scores=scores)
    kw_e = dict(attention_mask=ember.tensor(attention_mask), return_attention_scores=scores)
    k_layer(xk, xk, **kw_k), e_layer(xe, xe, **kw_e)
    e_layer.set_weights(k_layer.get_weights())
    # Keras's call clears the masks of its inputs: fresh masked tensors for the comparison
    xk, xe = emb_k(torch.tensor(tokens)), emb_e(ember.tensor(tokens))
    for a, b in zip(_flat(e_layer(xe, xe, **kw_e)), _flat(k_layer(xk, xk, **kw_k))):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)
    out = e_layer(xe, xe)
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), tokens != 0)


@pytest.mark.parametrize("scores", [False, True])
def test_multi_head_attention_in_a_functional_model(keras_ref, scores):
    """A symbolic call builds from the query, value and key shapes (value dim 6 differs from
    the query's 8), returns (output, scores) when asked, and the model runs as Keras's."""
    import torch
    rng = np.random.default_rng(10)
    models, weights = [], None
    for keras in (keras_ref, ek):
        q, v = keras.Input((5, 8)), keras.Input((7, 6))
        mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
        out = mha(q, v, return_attention_scores=scores)
        assert isinstance(out, tuple) == scores
        assert [tuple(w.shape) for w in mha.weights] == [
            (8, 2, 4), (2, 4), (6, 2, 4), (2, 4), (6, 2, 4), (2, 4), (2, 4, 8), (8,)]
        models.append(keras.Model([q, v], out))
    assert tuple(models[1].outputs[0].shape) == (None, 5, 8)
    if scores:  # Keras's symbolic spec says (None, 2, 5, 5); the scores really are 5 x 7
        assert tuple(models[1].outputs[1].shape) == (None, 2, 5, 7)
    models[1].set_weights(models[0].get_weights())
    xq, xv = rng.standard_normal((3, 5, 8)), rng.standard_normal((3, 7, 6))
    xq, xv = xq.astype(np.float32), xv.astype(np.float32)
    k_out = _flat(models[0]([torch.tensor(xq), torch.tensor(xv)]))
    e_out = _flat(models[1]([xq, xv]))
    assert len(k_out) == len(e_out) == (2 if scores else 1)
    for a, b in zip(e_out, k_out):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)


def _pair_layer(keras):
    class Pair(keras.layers.Layer):
        """build(x_shape, y_shape): Keras passes each call argument's shape by name."""
        def build(self, x_shape, y_shape):
            self.w = self.add_weight(shape=(x_shape[-1], y_shape[-1]), initializer="ones")

        def call(self, x, y):
            return keras.ops.matmul(x, self.w) * y
    return Pair()


@pytest.mark.parametrize("symbolic", [False, True])
def test_build_takes_each_call_arguments_shape_by_name(keras_ref, symbolic):
    x, y = np.ones((2, 3), np.float32), np.full((2, 4), 2.0, np.float32)
    for keras in (keras_ref, ek):
        layer = _pair_layer(keras)
        if symbolic:
            out = layer(keras.Input((3,)), keras.Input((4,)))
            assert tuple(out.shape) == (None, 4)
        else:
            np.testing.assert_allclose(_np(layer(keras.ops.convert_to_tensor(x),
                                                 keras.ops.convert_to_tensor(y))), 6.0)
        assert tuple(layer.w.shape) == (3, 4)


def test_embedding_matches_keras(keras_ref):
    tokens = np.array([[1, 4, 0], [7, 7, 2]])
    k, e = keras_ref.layers.Embedding(8, 3), ek.layers.Embedding(8, 3)
    _run_both(keras_ref, k, e, [tokens])
    w = ek.layers.Embedding(1000, 4)
    w.build()
    values = w.embeddings.numpy()
    assert values.dtype == np.float32 and np.abs(values).max() <= 0.05 and np.abs(values).max() > 0.045


def test_recurrent_dropout_masks_are_fixed_over_time():
    """Keras's dropout draws one input mask per call: with an identity kernel, a linear
    activation and no recurrence, every step's output is its input times the same mask."""
    layer = ek.layers.SimpleRNN(4, activation="linear", use_bias=False, dropout=0.5,
                                return_sequences=True, seed=3)
    x = np.ones((8, 6, 4), np.float32)
    layer(x)
    layer.set_weights([np.eye(4, dtype=np.float32), np.zeros((4, 4), np.float32)])
    out = layer(x, training=True).detach().numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and 0 < (out == 0).mean() < 1
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1], out.shape))
    np.testing.assert_array_equal(layer(x).detach().numpy(), x)  # no dropout outside training


ERROR_CASES = [
    (lambda m: m.layers.LSTM(4)(np.zeros((2, 3), np.float32)), ValueError, "expected ndim=3, found ndim=2"),
    (lambda m: m.layers.LSTM(-1), ValueError, "expected a positive integer, got -1"),
    (lambda m: m.layers.MultiHeadAttention(0, 2), ValueError, "Received: num_heads=0"),
    (lambda m: m.layers.Bidirectional(m.layers.LSTM(2), merge_mode="x"), ValueError, "Invalid merge mode"),
    (lambda m: m.layers.Embedding(0, 2), ValueError, "Received: input_dim=0"),
    (lambda m: m.layers.Embedding(5, 2)(np.array([[7]])), IndexError, "index out of range in self"),
]


def assert_same_error(keras_ref, fn, exc, text):
    """``fn(keras)`` raises ``exc`` matching ``text`` both in Keras and in ember.keras."""
    for module in (keras_ref, ek):
        with pytest.raises(exc, match=text):
            fn(module)


@pytest.mark.parametrize("fn,exc,text", ERROR_CASES, ids=[c[2][:30] for c in ERROR_CASES])
def test_errors_are_keras(keras_ref, fn, exc, text):
    assert_same_error(keras_ref, fn, exc, text)


def test_mask_of_the_wrong_shape_names_it():
    with pytest.raises(ValueError, match=r"received mask.shape=\(2, 4\)"):
        ek.layers.LSTM(3)(np.zeros((2, 3, 2), np.float32), mask=np.ones((2, 4), bool))


@pytest.mark.parametrize("make", [
    lambda: ek.layers.Bidirectional(ek.layers.GRU(3, return_sequences=True), merge_mode="sum"),
    lambda: ek.layers.TimeDistributed(ek.layers.Dense(2)),
    lambda: ek.layers.LSTM(3, dropout=0.2, go_backwards=True, unit_forget_bias=False),
    lambda: ek.layers.MultiHeadAttention(2, 4, value_dim=3),
    lambda: ek.layers.Embedding(6, 2, mask_zero=True)])
def test_config_round_trip(make):
    layer = make()
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


@pytest.mark.parametrize("name", ["masking", "rnn", "embedding", "attention", "wrappers"])
def test_docstring_examples(name):
    import doctest
    import importlib
    module = importlib.import_module(f"ember.keras.layers.{name}")
    result = doctest.testmod(module, extraglobs={"ember": ember, "np": np, "layers": ek.layers,
                                                 "keras": ek, "get_keras_mask": get_keras_mask},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("pool", ["GlobalAveragePooling1D", "GlobalMaxPooling1D"])
def test_masked_pooling_after_embedding_and_rnn(keras_ref, pool):
    """The mask made by Embedding(mask_zero=True) reaches the pooling layer (through an RNN
    that returns sequences), which then ignores the padded steps, as in Keras."""
    import warnings
    tokens = _masked_tokens(np.random.default_rng(11), pre=True)

    def model(mod):
        return mod.Sequential([mod.layers.Embedding(9, 4, mask_zero=True),
                               mod.layers.GRU(3, return_sequences=True),
                               getattr(mod.layers, pool)(name="pool"), mod.layers.Dense(2)])
    # GlobalMaxPooling1D drops the mask with Keras's warning, word for word (the layer is named,
    # so the message does not depend on how many layers the session made before)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out, _ = _run_both(keras_ref, model(keras_ref), model(ek), [tokens])
    dropped = [w for w in seen if "does not support masking" in str(w.message)]
    assert len({str(w.message) for w in dropped}) == (pool == "GlobalMaxPooling1D")
    assert get_keras_mask(out[0]) is None
