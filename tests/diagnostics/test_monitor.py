"""TrainingMonitor detects what it claims to detect, on real (small) ember networks."""
import sys

import numpy as np
import pytest

import ember
from ember import nn
from ember.diagnostics import TrainingMonitor

IN, OUT = 16, 4


def _data(seed=0, n=64):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(OUT, IN)) * 2
    y = rng.integers(0, OUT, n)
    X = centers[y] + rng.normal(size=(n, IN))
    X = (X - X.mean(axis=0)) / X.std(axis=0)           # standardised, as inputs should be
    return ember.tensor(X.astype(np.float32)), ember.tensor(y)


def _deep(act, init, width, depth=10, seed=0):
    """A ``depth``-layer MLP with ``act`` between the layers, weights from ``init``, zero biases."""
    ember.manual_seed(seed)
    layers, d = [], IN
    for i in range(depth):
        out = OUT if i == depth - 1 else width
        lin = nn.Linear(d, out)
        if init == "normal":
            nn.init.normal_(lin.weight, 0.0, 1.0)
        else:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < depth - 1:
            layers.append(act())
        d = out
    return nn.Sequential(*layers)


def _train(model, lr=0.05, steps=10, epochs=1, data=None, monitor=None):
    X, y = data if data is not None else _data()
    monitor = monitor or TrainingMonitor(model)
    opt = ember.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            monitor.step(loss=loss)
        monitor.epoch_end()
    return monitor


# The textbook case: ten sigmoid layers with N(0, 1) weights. Narrow, the gradient falls
# 1e3-1e4-fold from the last layer to the first; wider, the big weights offset the small slope
# (about 100-fold at width 32, 2-6-fold at 128) while a quarter to two thirds of the hidden
# units saturate. Either way it is flagged, and the finding names saturation as the cause.
@pytest.mark.parametrize("width,seed", [(4, 0), (8, 1), (16, 2), (32, 0), (32, 3), (64, 4), (128, 0)])
def test_deep_sigmoid_normal_init_flags_vanishing_with_saturation_as_cause(width, seed):
    report = _train(_deep(nn.Sigmoid, "normal", width=width, seed=seed), steps=5).report()
    vanishing = [f for f in report if f.kind == "vanishing_gradients"]
    assert len(vanishing) == 1, str(report)
    assert "Cause: saturation" in vanishing[0].message
    assert "saturation" in report.kinds()          # the per-layer saturation finding stays


# ReLU with He init is the healthy counterpart: never flagged, at any width or depth.
@pytest.mark.parametrize("width,depth,seed", [(4, 10, 0), (8, 10, 1), (32, 10, 2), (128, 10, 3),
                                              (8, 5, 4), (128, 3, 5)])
def test_relu_he_is_never_flagged_vanishing_or_exploding(width, depth, seed):
    relu = _train(_deep(nn.ReLU, "he", width=width, depth=depth, seed=seed), steps=5).report()
    assert not {"vanishing_gradients", "exploding_gradients"} & relu.kinds(), str(relu)


@pytest.mark.parametrize("seed", [0, 1])
def test_healthy_network_has_no_findings(seed):
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(IN, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, OUT))
    monitor = _train(model, lr=0.1, steps=10, epochs=3, data=_data(seed))
    report = monitor.report()
    assert list(report) == [], str(report)
    assert str(report) == "No problems found."
    assert monitor.losses[-1] < monitor.losses[0]


def test_learning_rate_10_is_flagged_diverging():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, OUT))
    report = _train(model, lr=10.0, steps=15).report()
    assert "diverging_loss" in report.kinds(), str(report)


@pytest.mark.parametrize("bias", [-10.0, -50.0])
def test_very_negative_biases_are_flagged_dead_relus(bias):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, OUT))
    with ember.no_grad():
        model[0].bias.fill_(bias)
    monitor = _train(model, steps=3)
    report = monitor.report()
    dead = [f for f in report if f.kind == "dead_relu"]
    assert {f.layer for f in dead} >= {"1"}
    assert monitor.dead_fraction["1"] == [1.0]
    assert "Leaky ReLU" in dead[0].suggestion


def test_non_finite_weights_are_reported():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN, 8), nn.ReLU(), nn.Linear(8, OUT))
    with ember.no_grad():
        model[2].weight[0, 0] = float("nan")
    report = _train(model, steps=2).report()
    assert {"non_finite", "diverging_loss"} <= report.kinds()
    assert "step 1" in next(f for f in report if f.kind == "non_finite").message


def test_statistics_match_a_hand_computation():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(IN, 8), nn.Sigmoid(), nn.Linear(8, OUT))
    X, y = _data()
    before = [model[0].weight.detach().numpy().copy(), model[2].weight.detach().numpy().copy()]
    monitor = TrainingMonitor(model)
    opt = ember.optim.SGD(model.parameters(), lr=0.5)
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(X), y)
    loss.backward()
    opt.step()
    monitor.step(loss=loss)
    assert monitor.layers == ["0", "2"]
    for name, w0, layer in zip(["0", "2"], before, [model[0], model[2]]):
        g = layer.weight.grad.numpy()
        w1 = layer.weight.detach().numpy()
        assert monitor.history["grad_norm"][name][0] == pytest.approx(np.linalg.norm(g), rel=1e-5)
        assert monitor.history["weight_norm"][name][0] == pytest.approx(np.linalg.norm(w1), rel=1e-5)
        ratio = np.linalg.norm(w1 - w0) / np.linalg.norm(w0)
        assert monitor.history["update_ratio"][name][0] == pytest.approx(ratio, rel=1e-4)
        assert monitor.history["update_ratio"][name][0] == pytest.approx(
            0.5 * np.linalg.norm(g) / np.linalg.norm(w0), rel=1e-4)
    assert monitor.losses == [pytest.approx(loss.item())]
    assert 0.0 <= monitor.saturation["1"][0] <= 1.0
    assert monitor.grad_norms().shape == (1, 2)


def test_saturation_fraction_is_exact():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    with ember.no_grad():
        model[0].weight.copy_(ember.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        model[0].bias.zero_()
    monitor = TrainingMonitor(model)
    x = ember.tensor([[5.0, 0.0], [0.0, -1.0]])   # pre-activations [5, 0, 5] and [0, -1, -1]
    model(x).sum().backward()
    monitor.step()
    assert monitor.saturation["1"] == [pytest.approx(2 / 6)]


def test_dead_units_window_and_eval_mode():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    with ember.no_grad():
        model[0].weight.copy_(ember.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]))
        model[0].bias.zero_()
    monitor = TrainingMonitor(model)
    model(ember.tensor([[1.0, 1.0]]))            # units 0 and 2 fire
    model.eval()
    model(ember.tensor([[-1.0, -1.0]]))          # ignored: eval mode
    model.train()
    monitor.step()
    monitor.epoch_end()
    model(ember.tensor([[-1.0, 1.0]]))           # units 1 and 2 fire
    model(ember.tensor([[1.0, -1.0]]))           # units 0 and 3 fire
    monitor.step()
    monitor.epoch_end()
    assert monitor.dead_fraction["1"] == [0.5, 0.0]


def test_close_removes_hooks_and_keeps_history():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    with TrainingMonitor(model) as monitor:
        model(ember.ones(3, 2)).sum().backward()
        monitor.step()
    model(-ember.ones(3, 2))
    monitor.epoch_end()
    assert monitor.steps == 1 and len(monitor.history["grad_norm"]["0"]) == 1
    assert all(not m._forward_hooks for m in model.modules())


def test_summary_table():
    monitor = _train(_deep(nn.ReLU, "he", width=8, depth=3), steps=2)
    lines = monitor.summary().splitlines()
    assert lines[0].split() == ["layer", "grad", "norm", "weight", "norm", "update/weight"]
    assert [line.split()[0] for line in lines[1:4]] == ["0", "2", "4"]


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    monitor = _train(_deep(nn.ReLU, "he", width=8, depth=3), steps=4)
    path = tmp_path / "grads.png"
    monitor.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_errors(tmp_path, monkeypatch):
    model = _deep(nn.ReLU, "he", width=8, depth=3)
    monitor = TrainingMonitor(model)
    with pytest.raises(RuntimeError, match="Nothing to plot"):
        monitor.plot(tmp_path / "x.png")
    _train(model, steps=1, monitor=monitor)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install ember\[plots\]"):
        monitor.plot(tmp_path / "x.png")


@pytest.mark.parametrize("model,kwargs,error,match", [
    (nn.Sequential(nn.ReLU()), {}, ValueError, "found no layer with a weight matrix"),
    (object(), {}, TypeError, "expects an ember.nn.Module"),
    (nn.Linear(2, 2), {"saturation_threshold": -1}, ValueError, "Invalid saturation_threshold: -1"),
    (nn.Linear(2, 2), {"vanish_ratio": 1}, TypeError, r"Unknown threshold\(s\) \['vanish_ratio'\]"),
])
def test_bad_arguments(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingMonitor(model, **kwargs)


def test_thresholds_are_passed_on():
    default = _train(_deep(nn.ReLU, "he", width=8, depth=3), steps=3)
    assert "vanishing_gradients" not in default.report().kinds()
    model = _deep(nn.ReLU, "he", width=8, depth=3)
    strict = _train(model, steps=3, monitor=TrainingMonitor(model, vanishing_ratio=1e6))
    assert "vanishing_gradients" in strict.report().kinds()


@pytest.mark.parametrize("position,flagged", [("hidden", True), ("output", False)])
def test_output_sigmoid_is_not_a_saturation_finding(position, flagged):
    # A confident classifier's output sigmoid sits beyond ±4 by design; a hidden one should not.
    ember.manual_seed(0)
    big = nn.Linear(IN, 8)
    with ember.no_grad():
        big.weight.mul_(40.0)
    if position == "hidden":
        model = nn.Sequential(big, nn.Sigmoid(), nn.Linear(8, 1))
    else:
        model = nn.Sequential(nn.Linear(IN, IN), nn.ReLU(), big, nn.Sigmoid())
    monitor = TrainingMonitor(model)
    X, _ = _data()
    model(X).sum().backward()
    monitor.step()
    assert monitor.saturation["1" if position == "hidden" else "3"][0] > 0.5
    assert ("saturation" in monitor.report().kinds()) == flagged


@pytest.mark.parametrize("values,expected", [
    (np.full(4, 1e20, np.float32), 2e20),          # float32 sum of squares overflows
    (np.array([3.0, 4.0], np.float32), 5.0),
    (np.array([np.inf, 1.0], np.float32), np.inf),
])
def test_norm(values, expected):
    from ember.diagnostics.monitor import _norm
    assert _norm(values) == pytest.approx(expected, rel=1e-6)
