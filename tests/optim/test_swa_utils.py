"""``ember.optim.swa_utils`` against ``torch.optim.swa_utils``: the same averaged weights, buffers,
learning rates and BatchNorm statistics from the same model and data, step by step."""
from __future__ import annotations

import json

import numpy as np
import pytest

import ember
from ember.optim import swa_utils as ember_swa

torch = pytest.importorskip("torch")
from torch.optim import swa_utils as torch_swa  # noqa: E402


def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))


def _pair(seed=0):
    """An ember and a torch network with the same weights."""
    torch.manual_seed(seed)
    reference = _net(torch)
    model = _net(ember)
    model.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                           for k, v in reference.state_dict().items()})
    return model, reference


def _data(n_batches=5, seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)).astype(np.float32),
             rng.integers(0, 3, 8)) for _ in range(n_batches)]


def _step(lib, model, opt, x, y):
    opt.zero_grad()
    lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
    opt.step()


def _assert_same_state(mine, theirs, atol=1e-6):
    ours, ref = mine.state_dict(), theirs.state_dict()
    assert list(ours) == list(ref)
    for key, value in ref.items():
        got = ours[key].numpy()
        assert str(ours[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1], key
        np.testing.assert_allclose(got, value.numpy(), rtol=1e-5, atol=atol, err_msg=key)


AVERAGES = {  # name: factory of AveragedModel's keyword arguments, from the swa_utils module
    "swa": lambda S: {},
    "swa-buffers": lambda S: {"use_buffers": True},
    "ema-multi": lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.9)},
    "ema-multi-buffers": lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.8), "use_buffers": True},
    "ema-single": lambda S: {"avg_fn": S.get_ema_avg_fn(0.7)},
    "swa-multi": lambda S: {"multi_avg_fn": S.get_swa_multi_avg_fn()},
    "swa-single-fn": lambda S: {"avg_fn": S.get_swa_avg_fn()},
}


@pytest.mark.parametrize("kind", list(AVERAGES))
def test_averaged_model_follows_torch_step_by_step(kind):
    model, reference = _pair()
    averaged = ember_swa.AveragedModel(model, **AVERAGES[kind](ember_swa))
    expected = torch_swa.AveragedModel(reference, **AVERAGES[kind](torch_swa))
    opt = ember.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    topt = torch.optim.SGD(reference.parameters(), lr=0.2, momentum=0.9)
    for x, y in _data(6):
        _step(ember, model, opt, x, y)
        _step(torch, reference, topt, x, y)
        averaged.update_parameters(model)
        expected.update_parameters(reference)
        _assert_same_state(averaged, expected)
    assert int(averaged.n_averaged) == 6 and averaged.n_averaged.dtype == ember.int64
    x = ember.tensor(_data(1, seed=9)[0][0])
    averaged.eval(), expected.eval()
    out = averaged(x)
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.detach().numpy(), expected(torch.tensor(x.numpy())).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_the_copy_is_separate_and_the_first_update_copies():
    model, _ = _pair()
    averaged = ember_swa.AveragedModel(model)
    assert averaged.module[0].weight is not model[0].weight
    with ember.no_grad():
        model[0].weight.add_(1.0)
    assert not np.allclose(averaged.module[0].weight.detach().numpy(),
                           model[0].weight.detach().numpy())
    averaged.update_parameters(model)
    np.testing.assert_array_equal(averaged.module[0].weight.detach().numpy(),
                                  model[0].weight.detach().numpy())
    assert averaged.module[0].weight.requires_grad  # parameters of the copy, as in torch
    assert [n for n, _ in averaged.named_parameters()] == [
        n for n, _ in torch_swa.AveragedModel(_net(torch)).named_parameters()]


def test_update_bn_matches_torch_and_restores_mode_and_momentum():
    model, reference = _pair()
    batches = [x for x, _ in _data(4, seed=3)]
    model.eval(), reference.eval()
    ember_swa.update_bn([(ember.tensor(x), 0) for x in batches], model)
    torch_swa.update_bn([(torch.tensor(x), 0) for x in batches], reference)
    _assert_same_state(model, reference)
    assert not model.training and model[1].momentum == 0.1
    # plain tensors as batches, a loader, and a model without BatchNorm (nothing happens)
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(
        ember.tensor(np.concatenate(batches))), batch_size=8)
    ember_swa.update_bn(loader, model)
    np.testing.assert_array_equal(model[1].num_batches_tracked.numpy(), 4)
    linear = ember.nn.Linear(2, 2)
    ember_swa.update_bn([ember.ones(3, 2)], linear)


SCHEDULES = {
    "cos-10": dict(swa_lr=0.05),
    "linear-3": dict(swa_lr=0.01, anneal_epochs=3, anneal_strategy="linear"),
    "cos-0": dict(swa_lr=0.02, anneal_epochs=0),
    "cos-1-groups": dict(swa_lr=[0.02, 0.005], anneal_epochs=1),
    "linear-5-resumed": dict(swa_lr=0.03, anneal_epochs=5, anneal_strategy="linear"),
}


def _groups(lib):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.04}], lr=0.1)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_swalr_learning_rates_equal_torchs(name):
    opt, topt = _groups(ember), _groups(torch)
    sched = ember_swa.SWALR(opt, **SCHEDULES[name])
    tsched = torch_swa.SWALR(topt, **SCHEDULES[name])
    got, want = [sched.get_last_lr()], [tsched.get_last_lr()]
    for _ in range(12):
        opt.step(), topt.step()
        sched.step(), tsched.step()
        got.append(sched.get_last_lr())
        want.append(tsched.get_last_lr())
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert opt.param_groups[1]["swa_lr"] == topt.param_groups[1]["swa_lr"]
    # its state survives JSON and a reload, including the annealing function
    state = json.loads(json.dumps(sched.state_dict()))
    assert "anneal_func" not in state and "optimizer" not in state
    again = ember_swa.SWALR(_groups(ember), **SCHEDULES[name])
    again.load_state_dict(state)
    assert again.anneal_func == sched.anneal_func
    again.step(), tsched.step()
    np.testing.assert_allclose(again.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)


def test_swalr_after_another_schedule_as_in_the_swa_recipe():
    """torch's documented recipe: a cosine schedule, then SWALR from swa_start, averaging."""
    model, reference = _pair(seed=4)
    runs = []
    for lib, S, net in ((ember, ember_swa, model), (torch, torch_swa, reference)):
        opt = lib.optim.SGD(net.parameters(), lr=0.3)
        cosine = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8)
        swa_sched = S.SWALR(opt, swa_lr=0.05, anneal_epochs=2)
        averaged, lrs = S.AveragedModel(net), []
        for epoch in range(8):
            for x, y in _data(3, seed=epoch):
                _step(lib, net, opt, x, y)
            if epoch >= 4:
                averaged.update_parameters(net)
                swa_sched.step()
            else:
                cosine.step()
            lrs.append(opt.param_groups[0]["lr"])
        S.update_bn([(lib.tensor(x), 0) for x, _ in _data(3, seed=11)], averaged)
        runs.append((averaged, lrs))
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-12)
    _assert_same_state(runs[0][0], runs[1][0], atol=2e-6)


ERRORS = [
    (lambda S: S.get_swa_multi_avg_fn()([_lib(S).tensor(1)], [_lib(S).tensor(3)], 1), RuntimeError,
     "For integral input tensors, argument alpha must not be a floating point number."),
    (lambda S: S.get_swa_multi_avg_fn()([_lib(S).tensor(1)], [_lib(S).tensor(3)], _lib(S).tensor(1)),
     RuntimeError, "Integer division with addcdiv is no longer supported"),
    (lambda S: S.get_ema_multi_avg_fn(1.5), ValueError, "Invalid decay value 1.5 provided"),
    (lambda S: S.get_ema_avg_fn(-0.1), ValueError, "Please provide a value in [0,1] range"),
    (lambda S: S.AveragedModel(S_net(S), avg_fn=S.get_swa_avg_fn(),
                               multi_avg_fn=S.get_swa_multi_avg_fn()),
     AssertionError, "Only one of avg_fn and multi_avg_fn should be provided"),
]


def _lib(S):
    return ember if S is ember_swa else torch


def S_net(S):
    return _net(_lib(S))


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_as_torchs(index):
    make, kind, message = ERRORS[index]
    for S in (torch_swa, ember_swa):
        with pytest.raises(kind) as info:
            make(S)
        assert message in str(info.value)


@pytest.mark.parametrize("kwargs,message", [
    (dict(swa_lr=0.1, anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (dict(swa_lr=0.1, anneal_epochs=-1), "anneal_epochs must be equal or greater than 0, got -1"),
    (dict(swa_lr=0.1, anneal_epochs=2.5), "anneal_epochs must be equal or greater than 0, got 2.5"),
    (dict(swa_lr=[0.1, 0.2, 0.3]), "swa_lr must have the same length as optimizer.param_groups"),
])
def test_swalr_errors_as_torchs(kwargs, message):
    for lib, S in ((torch, torch_swa), (ember, ember_swa)):
        with pytest.raises(ValueError) as info:
            S.SWALR(_groups(lib), **kwargs)
        assert message in str(info.value)
