import numpy as np
import pytest

import ember
from ember import nn
from ember.diagnostics import LRFinderResult, lr_find
from ember.utils.data import DataLoader, TensorDataset


def _blobs(n=128, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(3, 8))[y] * 2 + rng.normal(size=(n, 8))
    return ember.tensor(X.astype(np.float32)), ember.tensor(y)


def _mlp(seed=0):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def _loader(batch_size=16):
    X, y = _blobs()
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_suggestion_trains_digits_mlp_to_95_percent(seed):
    digits = ember.datasets.load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.y))
    train, test = order[:1400], order[1400:]
    mean, std = digits.X[train].mean(0), digits.X[train].std(0) + 1e-3
    X, y = ((digits.X - mean) / std).astype(np.float32), digits.y
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    loader = DataLoader(TensorDataset(ember.tensor(X[train]), ember.tensor(y[train])),
                        batch_size=32, shuffle=True)
    optimizer = ember.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    result = lr_find(model, loss_fn, loader, optimizer=optimizer)
    assert 1e-3 < result.suggestion < 1.0
    for group in optimizer.param_groups:
        group["lr"] = result.suggestion
    for _ in range(6):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    with ember.no_grad():
        pred = model(ember.tensor(X[test])).argmax(1).numpy()
    assert np.mean(pred == y[test]) >= 0.95


def _arrays(state):
    """Flattens a (nested) state dict into {path: ndarray or value} for exact comparison."""
    out = {}

    def walk(obj, path):
        if hasattr(obj, "_data"):
            out[path] = obj._data.copy()
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}/{k}")
        elif isinstance(obj, (list, tuple)):
            for i, v in enumerate(obj):
                walk(v, f"{path}/{i}")
        else:
            out[path] = obj
    walk(state, "")
    return out


@pytest.mark.parametrize("make_opt", [
    lambda p: ember.optim.SGD(p, lr=0.05, momentum=0.9),
    lambda p: ember.optim.Adam(p, lr=0.01),
    None,
], ids=["sgd-momentum", "adam", "default"])
def test_restores_model_optimizer_rng_and_mode(make_opt):
    model = _mlp()
    loader = _loader()
    optimizer = make_opt(model.parameters()) if make_opt else None
    if optimizer is not None:                        # give the optimizer some state first
        X, y = _blobs(seed=5)
        for _ in range(3):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            optimizer.step()
    model.eval()
    params_before = _arrays(model.state_dict())
    optim_before = _arrays(optimizer.state_dict()) if optimizer else None
    rng_before = ember.get_rng_state()
    result = lr_find(model, nn.CrossEntropyLoss(), loader, optimizer=optimizer, steps=30)
    assert len(result.lrs) > 5
    params_after = _arrays(model.state_dict())
    assert params_after.keys() == params_before.keys()
    for k in params_before:
        np.testing.assert_array_equal(params_after[k], params_before[k])
    if optimizer is not None:
        optim_after = _arrays(optimizer.state_dict())
        assert optim_after.keys() == optim_before.keys()
        for k in optim_before:
            np.testing.assert_array_equal(optim_after[k], optim_before[k])
    assert ember.get_rng_state() == rng_before
    assert model.training is False
    assert all(p.grad is None or not p.grad.numpy().any() for p in model.parameters())


def test_rates_and_smoothing_follow_the_formulas():
    result = lr_find(_mlp(), nn.CrossEntropyLoss(), _loader(), start_lr=1e-4, end_lr=1.0,
                     steps=20, smooth=0.8)
    assert not result.diverged and len(result.lrs) == 20
    np.testing.assert_allclose(result.lrs, np.geomspace(1e-4, 1.0, 20), rtol=1e-12)
    avg, expected = 0.0, []
    for i, loss in enumerate(result.raw_losses):
        avg = 0.8 * avg + 0.2 * loss
        expected.append(avg / (1 - 0.8 ** (i + 1)))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-12)
    best = 5 + int(np.argmin(result.losses[5:]))     # the first 5 averages are skipped
    assert result.min_lr == result.lrs[best]
    assert result.suggestion == pytest.approx(result.min_lr / 10)
    assert result.lrs[0] <= result.steepest_lr <= result.min_lr


def test_stops_when_the_loss_diverges():
    result = lr_find(_mlp(), nn.CrossEntropyLoss(), _loader(), start_lr=1e-3, end_lr=1e4,
                     steps=100)
    assert result.diverged and len(result.lrs) < 100
    last = result.losses[-1]
    assert not np.isfinite(last) or last > 4 * min(result.losses[:-1])
    assert result.min_lr < result.lrs[-1]


def test_short_loader_is_cycled():
    X, y = _blobs(n=32)
    loader = DataLoader(TensorDataset(X, y), batch_size=16)          # 2 batches
    result = lr_find(_mlp(), nn.CrossEntropyLoss(), loader, start_lr=1e-5, end_lr=1e-3, steps=7)
    assert len(result.raw_losses) == 7


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    result = lr_find(_mlp(), nn.CrossEntropyLoss(), _loader(), steps=20)
    path = tmp_path / "lr.png"
    result.plot(path)
    assert path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("kwargs,match", [
    ({"start_lr": 0}, "Invalid start_lr: 0"),
    ({"start_lr": 1.0, "end_lr": 0.5}, "Invalid end_lr: 0.5"),
    ({"steps": 1}, "Invalid steps: 1"),
    ({"steps": 10.0}, "Invalid steps: 10.0"),
    ({"smooth": 1.0}, "Invalid smooth: 1.0"),
    ({"diverge_factor": 1}, "Invalid diverge_factor: 1"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_find(_mlp(), nn.CrossEntropyLoss(), _loader(), **kwargs)


def test_bad_loaders():
    with pytest.raises(RuntimeError, match="empty loader"):
        lr_find(_mlp(), nn.CrossEntropyLoss(), [], steps=3)
    X, y = _blobs(n=4)
    with pytest.raises(TypeError, match=r"\(inputs, targets\) pairs, got Tensor"):
        lr_find(_mlp(), nn.CrossEntropyLoss(), [X], steps=3)


def test_result_needs_a_step():
    with pytest.raises(RuntimeError, match="no step"):
        LRFinderResult([], [], [], diverged=False)
