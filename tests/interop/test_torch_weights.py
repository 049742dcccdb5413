"""Weights shared with PyTorch through safetensors, both ways (issue 18, part 2).

The same model code is built twice, once on ``torch.nn`` and once on ``ember.nn`` (only the
namespace differs, as a user's program would). A torch ``state_dict`` written by
``safetensors.torch.save_file`` loads with ``load_state_dict(ember.load(...))`` and the outputs
agree; a file written by ``ember.save(model.state_dict(), ...)`` loads into torch with
``safetensors.torch.load_file``. Bad files raise torch's own errors.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
st = pytest.importorskip("safetensors.torch")


def mlp(nn):
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.BatchNorm1d(16), nn.Dropout(0.2),
                         nn.Linear(16, 3))


def cnn(nn):
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Identity(),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 5))


def lstm(nn):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(11, 6)
            self.rnn = nn.LSTM(6, 7, num_layers=2, batch_first=True, bidirectional=True)
            self.gru = nn.GRU(14, 5, batch_first=True)
            self.head = nn.Linear(5, 3)

        def forward(self, tokens):
            out, _ = self.rnn(self.embed(tokens))
            out, _ = self.gru(out)
            return self.head(out[:, -1])
    return Tagger()


def float_input(shape):
    return lambda rng: rng.standard_normal(shape).astype(np.float32)


CASES = {
    "mlp": (mlp, float_input((5, 8))),
    "cnn": (cnn, float_input((3, 2, 8, 8))),
    "lstm": (lstm, lambda rng: rng.integers(0, 11, size=(4, 9)).astype(np.int64)),
}


def _outputs(model, x, lib):
    model.eval()
    with lib.no_grad():
        return model(lib.tensor(x)).numpy()


def _warm_up(model, x, lib):
    """One train-mode forward so batch-norm running statistics are not the defaults."""
    model.train()
    with lib.no_grad():
        model(lib.tensor(x))


@pytest.mark.parametrize("case", CASES)
def test_torch_state_dict_loads_into_ember(case, tmp_path):
    build, make_input = CASES[case]
    x = make_input(np.random.default_rng(0))
    torch.manual_seed(0)
    reference = build(torch.nn)
    _warm_up(reference, x, torch)
    st.save_file(reference.state_dict(), tmp_path / "torch.safetensors")

    model = build(ember.nn)
    result = model.load_state_dict(ember.load(tmp_path / "torch.safetensors"))
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    got, expected = _outputs(model, x, ember), _outputs(reference, x, torch)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_ember_state_dict_loads_into_torch(case, tmp_path):
    build, make_input = CASES[case]
    x = make_input(np.random.default_rng(1))
    ember.manual_seed(0)
    model = build(ember.nn)
    _warm_up(model, x, ember)
    ember.save(model.state_dict(), tmp_path / "ember.safetensors")

    reference = build(torch.nn)
    state = st.load_file(tmp_path / "ember.safetensors")
    assert set(state) == set(reference.state_dict())
    reference.load_state_dict(state)
    np.testing.assert_allclose(_outputs(model, x, ember), _outputs(reference, x, torch),
                               rtol=1e-5, atol=1e-5)


def _break_missing_unexpected(state):
    state = dict(state)
    state["extra.weight"] = state.pop("4.bias")
    return state


def _break_shape(state):
    state = dict(state)
    state["0.weight"] = state["0.weight"][:3]
    return state


@pytest.mark.parametrize("breaker", [_break_missing_unexpected, _break_shape])
def test_bad_state_dicts_raise_torchs_errors(breaker, tmp_path):
    torch.manual_seed(0)
    st.save_file(breaker(mlp(torch.nn).state_dict()), tmp_path / "bad.safetensors")
    with pytest.raises(RuntimeError) as expected:
        mlp(torch.nn).load_state_dict(st.load_file(tmp_path / "bad.safetensors"))
    model = mlp(ember.nn)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError) as got:
        model.load_state_dict(ember.load(tmp_path / "bad.safetensors"))
    assert str(got.value).replace("ember.Size", "torch.Size") == str(expected.value)
    for key, value in model.state_dict().items():  # nothing half-loaded
        np.testing.assert_array_equal(value.numpy(), before[key])
