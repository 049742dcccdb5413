"""Every scheduler reproduces torch's learning-rate (and momentum) sequence exactly."""
import json
import warnings

import numpy as np
import pytest

import ember
from ember.optim import lr_scheduler as ember_sched

torch = pytest.importorskip("torch")
torch_sched = torch.optim.lr_scheduler

STEPS = 100


def _sgd(lib, momentum=0.9):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    return lib.optim.SGD([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.03}], lr=0.1, momentum=momentum)


def _adam(lib):
    return lib.optim.Adam([lib.zeros(2, requires_grad=True)], lr=0.01)


# Each case: (optimizer factory, scheduler factory taking (lr_scheduler module, optimizer)).
CASES = {
    "StepLR": (_sgd, lambda S, o: S.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": (_sgd, lambda S, o: S.MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3)),
    "ExponentialLR": (_sgd, lambda S, o: S.ExponentialLR(o, gamma=0.95)),
    "LambdaLR": (_sgd, lambda S, o: S.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.99 ** e])),
    "MultiplicativeLR": (_sgd, lambda S, o: S.MultiplicativeLR(o, lambda e: 0.97)),
    "CosineAnnealingLR": (_sgd, lambda S, o: S.CosineAnnealingLR(o, T_max=30, eta_min=1e-4)),
    "LinearLR": (_sgd, lambda S, o: S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=20)),
    "ConstantLR": (_sgd, lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=10)),
    "PolynomialLR": (_sgd, lambda S, o: S.PolynomialLR(o, total_iters=50, power=2.0)),
    "CosineAnnealingWarmRestarts": (_sgd, lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2,
                                                                                       eta_min=1e-5)),
    "OneCycleLR-cos": (_sgd, lambda S, o: S.OneCycleLR(o, max_lr=[0.1, 0.05], total_steps=STEPS)),
    "OneCycleLR-linear-3phase-adam": (_adam, lambda S, o: S.OneCycleLR(o, max_lr=0.02, epochs=10,
                                                                        steps_per_epoch=10, anneal_strategy="linear",
                                                                        three_phase=True, pct_start=0.25)),
    "CyclicLR-triangular": (_sgd, lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7)),
    "CyclicLR-triangular2": (_sgd, lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5,
                                                           step_size_down=9, mode="triangular2")),
    "CyclicLR-exp_range-adam": (_adam, lambda S, o: S.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=6,
                                                               mode="exp_range", gamma=0.98)),
    "CyclicLR-no-momentum": (lambda lib: _sgd(lib, momentum=0),
                             lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4, cycle_momentum=False)),
    "SequentialLR": (_sgd, lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=10), S.ExponentialLR(o, gamma=0.9)], milestones=[10])),
    "SequentialLR-3": (_sgd, lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=3), S.CosineAnnealingLR(o, T_max=20),
            S.StepLR(o, step_size=5, gamma=0.7)], milestones=[5, 40])),
    "ChainedScheduler": (_sgd, lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=5), S.ExponentialLR(o, gamma=0.9)])),
    "ChainedScheduler-cosine-multistep": (_sgd, lambda S, o: S.ChainedScheduler(
        [S.CosineAnnealingLR(o, T_max=25), S.MultiStepLR(o, milestones=[20, 50], gamma=0.5)], optimizer=o)),
}


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _sequence(lib, S, case, steps=STEPS):
    make_opt, make_sched = CASES[case]
    opt = make_opt(lib)
    sched = make_sched(S, opt)
    seen = [(sched.get_last_lr(), [g["lr"] for g in opt.param_groups], _momenta(opt))]
    for _ in range(steps):
        opt.step()
        sched.step()
        seen.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups], _momenta(opt)))
    return seen


@pytest.mark.parametrize("case", sorted(CASES))
def test_lr_sequence_equals_torch_exactly(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _sequence(torch, torch_sched, case)
    got = _sequence(ember, ember_sched, case)
    assert got == want  # exact float equality, step by step


@pytest.mark.parametrize("through_json", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_state_dict_resume_equals_uninterrupted(case, through_json):
    full = _sequence(ember, ember_sched, case)
    make_opt, make_sched = CASES[case]
    opt = make_opt(ember)
    sched = make_sched(ember_sched, opt)
    for _ in range(40):
        opt.step()
        sched.step()
    opt_state, sched_state = opt.state_dict(), sched.state_dict()
    if through_json:
        opt_state, sched_state = json.loads(json.dumps(opt_state)), json.loads(json.dumps(sched_state))
    opt2 = make_opt(ember)
    sched2 = make_sched(ember_sched, opt2)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    rest = []
    for _ in range(STEPS - 40):
        opt2.step()
        sched2.step()
        rest.append((list(sched2.get_last_lr()), [g["lr"] for g in opt2.param_groups], _momenta(opt2)))
    assert rest == full[41:]


def test_scheduler_state_dict_leaves_out_optimizer_and_lambdas():
    opt = _sgd(ember)
    sched = ember_sched.LambdaLR(opt, lambda e: 0.5)
    state = sched.state_dict()
    assert "optimizer" not in state and state["lr_lambdas"] == [None, None]
    assert state["base_lrs"] == [0.1, 0.03] and state["last_epoch"] == 0


# ------------------------------------------------------------ ReduceLROnPlateau
def _metrics():
    rng = np.random.default_rng(0)
    trend = np.concatenate([np.linspace(1.0, 0.5, 30), np.full(40, 0.5), np.linspace(0.5, 0.45, 30)])
    return (trend + rng.normal(0, 0.002, STEPS)).tolist()


PLATEAU = [
    {},
    {"mode": "min", "factor": 0.5, "patience": 3, "cooldown": 2, "min_lr": 1e-3},
    {"mode": "max", "factor": 0.3, "patience": 2, "threshold": 0.01, "threshold_mode": "abs"},
    {"mode": "min", "factor": 0.7, "patience": 0, "threshold": 0.05, "min_lr": [0.02, 0.001]},
    {"mode": "max", "patience": 4, "threshold_mode": "rel", "eps": 1e-2},
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_equals_torch(kwargs):
    metrics = _metrics()

    def run(lib, S):
        opt = _sgd(lib)
        sched = S.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append((list(sched.get_last_lr()), sched.num_bad_epochs, sched.cooldown_counter, sched.best))
        return out

    got, want = run(ember, ember_sched), run(torch, torch_sched)
    assert got == want
    assert got[-1][0] != got[0][0] or kwargs.get("mode") == "max"


def test_reduce_lr_on_plateau_resumes():
    metrics = _metrics()
    opt = _sgd(ember)
    sched = ember_sched.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    for m in metrics[:50]:
        sched.step(m)
    state = sched.state_dict()
    tail = []
    for m in metrics[50:]:
        sched.step(m)
        tail.append(sched.get_last_lr())
    opt2 = _sgd(ember)
    opt2.load_state_dict(opt.state_dict())
    for g, lr in zip(opt2.param_groups, [0.1, 0.03]):
        g["lr"] = lr
    sched2 = ember_sched.ReduceLROnPlateau(opt2)
    sched2.load_state_dict(state)
    for g, lr in zip(opt2.param_groups, state["_last_lr"]):
        g["lr"] = lr
    tail2 = []
    for m in metrics[50:]:
        sched2.step(m)
        tail2.append(sched2.get_last_lr())
    assert tail2 == tail


# ------------------------------------------------- several schedulers on one optimizer
@pytest.mark.parametrize("step_both", [False, True])
def test_two_schedulers_on_one_optimizer_like_torch(step_both):
    def run(lib, S):
        opt = lib.optim.Adam([lib.zeros(2, requires_grad=True)], lr=0.01)
        exp = S.ExponentialLR(opt, gamma=0.9)
        step = S.StepLR(opt, step_size=10, gamma=0.5)
        out = []
        for _ in range(30):
            opt.step()
            exp.step()
            if step_both:
                step.step()
            out.append((exp.get_last_lr(), step.get_last_lr(), opt.param_groups[0]["lr"]))
        return out

    assert run(ember, ember_sched) == run(torch, torch_sched)


def test_exponential_lr_prints_the_seed_sequence():
    opt = ember.optim.Adam([ember.zeros(2, requires_grad=True)], lr=0.01)
    sched = ember_sched.ExponentialLR(opt, gamma=0.9)
    printed = []
    for _ in range(4):
        opt.step()
        sched.step()
        printed.append(f"{sched.get_last_lr()[0]:.6f}")
    assert printed == ["0.009000", "0.008100", "0.007290", "0.006561"]


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, error, message", [
    (lambda o: ember_sched.StepLR("not an optimizer", step_size=2), TypeError, "str is not an Optimizer"),
    (lambda o: ember_sched.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
    (lambda o: ember_sched.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
    (lambda o: ember_sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda o: ember_sched.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
    (lambda o: ember_sched.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps OR (epochs AND steps_per_epoch)"),
    (lambda o: ember_sched.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError, "pct_start"),
    (lambda o: ember_sched.CyclicLR(o, 0.01, 0.1, mode="zigzag"), ValueError, "mode is invalid"),
    (lambda o: ember_sched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "positive integer T_0"),
    (lambda o: ember_sched.StepLR(o, step_size=2, last_epoch=5), KeyError, "initial_lr"),
    (lambda o: ember_sched.SequentialLR(o, [ember_sched.StepLR(o, 2)], milestones=[3]), ValueError,
     "one more than the number of milestone"),
    (lambda o: ember_sched.ChainedScheduler([ember_sched.ReduceLROnPlateau(o)]), ValueError,
     "does not support `ReduceLROnPlateau`"),
])
def test_bad_scheduler_arguments(make, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(_sgd(ember))


@pytest.mark.parametrize("make", [
    lambda S, o: S.ConstantLR(o, factor=0.0), lambda S, o: S.ConstantLR(o, factor=1.0),
    lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.0),
], ids=["ConstantLR-0", "ConstantLR-1", "LinearLR-1-to-0"])
def test_edge_arguments_accepted_like_torch(make):
    lrs = []
    for lib, S in ((torch, torch_sched), (ember, ember_sched)):
        opt = _sgd(lib)
        sched = make(S, opt)
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
    assert lrs[1] == lrs[0]


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _sgd(ember)
    sched = ember_sched.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _sgd(ember)
    sched = ember_sched.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


@pytest.mark.parametrize("make", [
    lambda S, o: S.StepLR(o, step_size=4, gamma=0.5, last_epoch=9),
    lambda S, o: S.CosineAnnealingLR(o, T_max=12, eta_min=0.001, last_epoch=9),
    lambda S, o: S.ExponentialLR(o, gamma=0.9, last_epoch=9),
    lambda S, o: S.LinearLR(o, start_factor=0.5, total_iters=15, last_epoch=9),
    lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 20], last_epoch=9),
], ids=["StepLR", "CosineAnnealingLR", "ExponentialLR", "LinearLR", "MultiStepLR"])
def test_resuming_with_last_epoch_equals_torch(make):
    def run(lib, S):
        opt = _sgd(lib)
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
        sched = make(S, opt)
        out = [list(sched.get_last_lr())]
        for _ in range(30):
            opt.step()
            sched.step()
            out.append(list(sched.get_last_lr()))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = run(torch, torch_sched)
    assert run(ember, ember_sched) == want


CLOSED_FORM = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.4, total_iters=6),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=12),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=15, power=2.0),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=9, eta_min=0.001),
}


@pytest.mark.parametrize("case", sorted(CLOSED_FORM))
def test_step_with_an_epoch_uses_the_closed_form_like_torch(case):
    def run(lib, S):
        opt = _sgd(lib)
        sched = CLOSED_FORM[case](S, opt)
        out = []
        for epoch in [1, 2, 7, 4, 10, 5, 6, 12, 13, 20, 25, 3]:
            opt.step()
            sched.step(epoch)
            out.append(list(sched.get_last_lr()))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = run(torch, torch_sched)
        got = run(ember, ember_sched)
    assert got == want


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_stepped_to_an_epoch_equal_torch(T_mult):
    def run(lib, S):
        opt = _sgd(lib)
        sched = S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=T_mult, eta_min=0.001)
        out = []
        for epoch in [0.5, 3, 4, 5.25, 10, 13, 12, 27, 29.5, 2, 41, 100]:
            opt.step()
            sched.step(epoch)
            out.append((list(sched.get_last_lr()), sched.T_i, sched.T_cur, sched.last_epoch))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = run(torch, torch_sched)
    got = run(ember, ember_sched)
    assert [g[:2] + (pytest.approx(g[2], rel=1e-12), g[3]) for g in got] == want


@pytest.mark.parametrize("S_name,kwargs", [
    ("StepLR", dict(step_size=2)), ("MultiStepLR", dict(milestones=[2, 4])), ("ConstantLR", {}),
    ("LinearLR", {}), ("PolynomialLR", {}), ("CosineAnnealingWarmRestarts", dict(T_0=3)),
])
def test_default_arguments_equal_torch(S_name, kwargs):
    def run(lib, S):
        opt = _sgd(lib)
        sched = getattr(S, S_name)(opt, **kwargs)
        out = [list(sched.get_last_lr())]
        for _ in range(8):
            opt.step()
            sched.step()
            out.append(list(sched.get_last_lr()))
        return out
    assert run(ember, ember_sched) == run(torch, torch_sched)


def test_cyclic_momentum_on_rmsprop_built_without_momentum():
    def run(lib, S):
        w = lib.tensor([1.0, -1.0], requires_grad=True)
        opt = lib.optim.RMSprop([w], lr=0.01, momentum=0.5)
        sched = S.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=3)
        for _ in range(10):
            w.grad = lib.tensor([0.5, -0.25])
            opt.step()
            sched.step()
        return w.detach().numpy().tolist(), opt.param_groups[0]["momentum"]

    got, want = run(ember, ember_sched), run(torch, torch_sched)
    assert got[1] == want[1]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
