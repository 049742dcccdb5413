"""``nn.AdaptiveLogSoftmaxWithLoss`` against torch from the same weights: state_dict keys and
shapes, repr, output, loss, log_prob, predict (rows in the head's shortlist and in the
clusters), gradients of input and weights, unbatched input, a few SGD steps, torch's errors."""
import numpy as np
import pytest

import ember
from nn_helpers import train_losses

torch = pytest.importorskip("torch")


def _pair(**kw):
    args = dict(in_features=16, n_classes=50, cutoffs=[5, 20, 35])
    args.update(kw)
    torch.manual_seed(0)
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(**args)
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(**args)
    state = {k: v.detach().numpy().copy() for k, v in t.state_dict().items()}
    # steer the head: rows with a positive first feature pick the first cluster, the others
    # class 0, so that predict() meets both of its branches whatever the initialisation
    head = state["head.weight"]
    head[:, 0] = 0
    head[t.shortlist_size, 0], head[0, 0] = 40.0, -40.0
    t.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    assert list(e.state_dict()) == list(state)
    assert [tuple(v.shape) for v in e.state_dict().values()] == [v.shape for v in state.values()]
    e.load_state_dict({k: ember.tensor(v) for k, v in state.items()})
    assert repr(e) == repr(t)
    return e, t


@pytest.mark.parametrize("kw", [{}, {"div_value": 2.0, "head_bias": True}, {"cutoffs": [10]}])
def test_matches_torch(kw):
    e, t = _pair(**kw)
    rng = np.random.default_rng(0)
    x0 = (rng.standard_normal((24, 16)) * 3).astype(np.float32)
    t0 = rng.integers(0, 50, 24)
    results = []
    for m, layer in ((ember, e), (torch, t)):
        x = m.tensor(x0, requires_grad=True)
        out = layer(x, m.tensor(t0))
        out.loss.backward()
        grads = [x.grad.numpy()] + [p.grad.numpy() for p in layer.parameters()]
        single = layer(m.tensor(x0[3]), m.tensor(t0[3]))
        results.append([out.output.detach().numpy(), out.loss.detach().numpy(), *grads,
                        layer.log_prob(m.tensor(x0)).detach().numpy(),
                        layer.predict(m.tensor(x0)).numpy(),
                        single.output.detach().numpy(), single.loss.detach().numpy()])
    for a, b in zip(*results):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    predicted = results[0][-3]
    assert (predicted < e.shortlist_size).any() and (predicted >= e.shortlist_size).any()
    np.testing.assert_array_equal(predicted, results[0][-4].argmax(1))


def test_trains_like_torch():
    e, t = _pair()
    rng = np.random.default_rng(1)
    x0, t0 = rng.standard_normal((32, 16)).astype(np.float32), rng.integers(0, 50, 32)
    losses = []
    for m, layer in ((ember, e), (torch, t)):
        opt = m.optim.SGD(layer.parameters(), lr=0.5)
        losses.append(train_losses(opt, lambda: layer(m.tensor(x0), m.tensor(t0)).loss, 5))
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]


@pytest.mark.parametrize("make,call", [
    (dict(cutoffs=[]), None), (dict(cutoffs=[20, 5]), None), (dict(cutoffs=[5, 50]), None),
    (dict(cutoffs=[5, 5]), None), (dict(cutoffs=[0, 5]), None),
    ({}, (np.zeros((3, 16)), [1, 2])), ({}, (np.zeros((3, 16)), [1, 2, 50])),
    ({}, (np.zeros((3, 16)), [[1, 2, 3]])), ({}, (np.zeros(16), [1])),
    ({}, (np.zeros((2, 16)), 1)),
])
def test_errors_as_torch(make, call):
    args = dict(in_features=16, n_classes=50, cutoffs=[5, 20])
    args.update(make)
    messages = []
    for m in (ember, torch):
        with pytest.raises(Exception) as info:
            layer = m.nn.AdaptiveLogSoftmaxWithLoss(**args)
            x, target = call
            layer(m.tensor(np.asarray(x, np.float32)), m.tensor(target))
        messages.append((info.type, str(info.value).split(" with size")[0]))
    assert messages[0] == messages[1]
