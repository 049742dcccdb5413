"""ember.keras optimizers step for step against Keras 3 (torch backend): every optimizer, Keras's
clipping options, weight decay (with exclusions), schedules. The updates are ember.optim's rules
run with Keras's flags, so this is where those flags are checked."""
import numpy as np
import pytest

from ember import keras as ek

SHAPES = [(6, 5), (5,), (3, 2, 4), ()]

OPTIMIZERS = [
    ("SGD", {"learning_rate": 0.1}), ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("RMSprop", {"momentum": 0.5, "centered": True}), ("Adam", {"amsgrad": True}),
    ("AdamW", {"weight_decay": 0.05}), ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}), ("Adamax", {}), ("Nadam", {"learning_rate": 0.01}),
    ("Ftrl", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.05, "learning_rate_power": -0.7, "l1_regularization_strength": 1e-3,
              "l2_regularization_strength": 1e-2, "l2_shrinkage_regularization_strength": 1e-2, "beta": 0.1}),
    ("Lion", {"learning_rate": 1e-3}), ("Lion", {"learning_rate": 1e-3, "beta_1": 0.8, "weight_decay": 0.1}),
    ("Lamb", {"learning_rate": 1e-2}), ("Lamb", {"learning_rate": 1e-2, "beta_1": 0.8, "epsilon": 1e-5}),
    ("Adafactor", {"learning_rate": 1e-2}),
    ("Adafactor", {"learning_rate": 0.05, "beta_2_decay": -0.5, "epsilon_2": 1e-2, "clip_threshold": 0.5}),
    ("Adam", {"learning_rate": 0.05, "clipnorm": 0.05}), ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.1}),
    ("RMSprop", {"clipvalue": 0.05}), ("Adamax", {"weight_decay": 0.1}), ("SGD", {"weight_decay": 0.2}),
    ("ScheduleFreeAdamW", {"learning_rate": 0.01}),
    ("ScheduleFreeAdamW", {"learning_rate": 0.01, "warmup_steps": 3, "beta_1": 0.8, "weight_decay": 0.1}),
]


def _ids(case):
    return case[0] + "".join(f"-{k}={v}" for k, v in case[1].items())


def _trajectories(mod, name, kwargs, weights, grads, make_var, make_grad, exclude=None):
    opt = getattr(mod.optimizers, name)(**kwargs)
    variables = [make_var(w, f"v{i}" if i else "bias") for i, w in enumerate(weights)]
    if exclude:
        opt.exclude_from_weight_decay(var_names=exclude)
    out = []
    for step_grads in grads:
        opt.apply([make_grad(g) for g in step_grads], variables)
        out.append([np.array(v.numpy(), copy=True) for v in variables])
    return out


def _both(keras_ref, name, kwargs, exclude=None, steps=5, seed=0):
    import torch
    rng = np.random.default_rng(seed)
    weights = [np.asarray(rng.normal(scale=0.5, size=s)).astype(np.float32) for s in SHAPES]
    grads = [[np.asarray(rng.normal(scale=0.3, size=s)).astype(np.float32) for s in SHAPES] for _ in range(steps)]
    ref = _trajectories(keras_ref, name, kwargs, weights, grads,
                        lambda w, n: keras_ref.Variable(w.copy(), name=n), torch.tensor, exclude)
    ours = _trajectories(ek, name, kwargs, weights, grads,
                         lambda w, n: ek.Variable(w.copy(), name=n), lambda g: g, exclude)
    return weights, ours, ref


def _assert_close_updates(weights, ours, ref, tol, what):
    """Weights agree to ``tol`` of the largest update, or to two units in the last place of the
    largest weight (a weight much larger than its update only shows the update's rounding)."""
    for step, (a_step, b_step) in enumerate(zip(ours, ref)):
        for w0, a, b in zip(weights, a_step, b_step):
            assert a.dtype == np.float32 and a.shape == b.shape
            allowed = max(tol * float(np.abs(b - w0).max()), 2 * float(np.spacing(np.abs(b).max())))
            err = float(np.abs(a - b).max())
            assert err <= allowed, f"{what} step {step}: weights {err:.2e} apart (allowed {allowed:.2e})"


@pytest.mark.parametrize("case", OPTIMIZERS, ids=_ids)
def test_every_optimizer_steps_like_keras(keras_ref, case):
    name, kwargs = case
    weights, ours, ref = _both(keras_ref, name, kwargs)
    _assert_close_updates(weights, ours, ref, 2e-5, _ids(case))


@pytest.mark.parametrize("name", ["AdamW", "SGD", "Lion", "ScheduleFreeAdamW"])
def test_exclude_from_weight_decay_like_keras(keras_ref, name):
    weights, ours, ref = _both(keras_ref, name, {"learning_rate": 0.01, "weight_decay": 0.5}, exclude=["bias"])
    _assert_close_updates(weights, ours, ref, 2e-5, name)


SCHEDULES = [
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 4}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 3, "t_mul": 1.0, "m_mul": 0.5,
                             "alpha": 0.1}),
    # (a step exactly on a restart whose index is a non-trivial log ratio, e.g. step 5 with
    # first_decay_steps=2 and t_mul=1.5, lands where Keras's float32 log rounds it: avoided here)
    ("CosineDecayRestarts", {"initial_learning_rate": 0.2, "first_decay_steps": 3, "t_mul": 1.5, "m_mul": 0.8}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.7, "staircase": True}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "cycle": True, "power": 0.5}),
]


@pytest.mark.parametrize("case", SCHEDULES, ids=_ids)
def test_schedules_match_keras(keras_ref, case):
    name, kwargs = case
    ours, ref = getattr(ek.optimizers.schedules, name)(**kwargs), getattr(keras_ref.optimizers.schedules, name)(**kwargs)
    for step in range(40):
        assert ours(step) == pytest.approx(float(ref(step)), rel=1e-5, abs=1e-8), (name, step)
    assert ours.get_config() == pytest.approx(ref.get_config())
    again = ek.optimizers.schedules.deserialize(ek.optimizers.schedules.serialize(ours))
    assert [again(s) for s in range(10)] == [ours(s) for s in range(10)]


def test_an_optimizer_on_a_restarting_schedule_steps_like_keras(keras_ref):
    sched = ("CosineDecayRestarts", {"initial_learning_rate": 0.05, "first_decay_steps": 2, "m_mul": 0.7})

    def kwargs(mod):
        return {"learning_rate": getattr(mod.optimizers.schedules, sched[0])(**sched[1]), "momentum": 0.9}
    import torch
    rng = np.random.default_rng(3)
    w = rng.normal(size=(4, 3)).astype(np.float32)
    grads = [[rng.normal(size=(4, 3)).astype(np.float32)] for _ in range(7)]
    ref = _trajectories(keras_ref, "SGD", kwargs(keras_ref), [w], grads,
                        lambda a, n: keras_ref.Variable(a.copy()), torch.tensor)
    ours = _trajectories(ek, "SGD", kwargs(ek), [w], grads, lambda a, n: ek.Variable(a.copy()), lambda g: g)
    _assert_close_updates([w], ours, ref, 2e-5, "SGD on CosineDecayRestarts")


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam",
                                  "Ftrl", "Lion", "Lamb", "Adafactor", "ScheduleFreeAdamW", "Muon"])
def test_get_config_matches_keras(keras_ref, name):
    ours, ref = getattr(ek.optimizers, name)().get_config(), getattr(keras_ref.optimizers, name)().get_config()
    assert set(ours) == set(ref)
    for key, value in ref.items():
        if key != "name":
            assert ours[key] == pytest.approx(value), key
    again = ek.optimizers.deserialize(ek.optimizers.serialize(getattr(ek.optimizers, name)(learning_rate=0.3)))
    assert type(again).__name__ == name and again.learning_rate == pytest.approx(0.3)


@pytest.mark.parametrize("make, message", [
    (lambda: ek.optimizers.Lion(beta_1=0.0), "beta_1=0.0"),
    (lambda: ek.optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power=0.5"),
    (lambda: ek.optimizers.Ftrl(l1_regularization_strength=-1.0), "l1_regularization_strength=-1.0"),
    (lambda: ek.optimizers.schedules.CosineDecayRestarts(0.1, 0), "first_decay_steps=0"),
])
def test_bad_arguments_quote_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_slots_live_in_flat_buffers_and_save_and_load():
    opt = ek.optimizers.Adam(learning_rate=0.01)
    variables = [ek.Variable(np.ones(s, np.float32)) for s in [(3, 2), (2,)]]
    for _ in range(2):
        opt.apply([np.full(v.shape, 0.5, np.float32) for v in variables], variables)
    state = opt.state_arrays()
    assert state["iterations"][0] == 2 and set(state) == {"iterations", "0/momentum", "0/velocity",
                                                          "1/momentum", "1/velocity"}
    assert state["0/momentum"].base is state["1/momentum"].base is not None   # one buffer per slot
    twin = ek.optimizers.Adam(learning_rate=0.01)
    twin_vars = [ek.Variable(v.numpy().copy()) for v in variables]
    twin.load_state_arrays({k: v.copy() for k, v in state.items()}, twin_vars)
    for o, vs in ((opt, variables), (twin, twin_vars)):
        o.apply([np.full(v.shape, -0.25, np.float32) for v in vs], vs)
    for a, b in zip(variables, twin_vars):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name,args", [
    ("Adam", (0.01, 0.8, 0.99, 1e-6, True, 0.02, 1.0)),
    ("AdamW", (0.01, 0.05, 0.8, 0.99, 1e-6, False, None, None, 2.0, True, 0.9)),
    ("SGD", (0.1, 0.9, True, None, None, 0.5, None, False, 0.99, None, 4.0, 2, "plain")),
], ids=lambda v: v if isinstance(v, str) else len(v))
def test_base_arguments_are_positional_as_in_keras(keras_ref, name, args):
    ours, ref = getattr(ek.optimizers, name)(*args).get_config(), getattr(keras_ref.optimizers, name)(*args).get_config()
    for key, value in ref.items():
        if key not in ("learning_rate", "name"):
            assert ours[key] == pytest.approx(value), key
    assert ours["name"] == ("plain" if name == "SGD" else ek.optimizers.get(name).name)
    with pytest.raises(TypeError, match="multiple values for argument 'weight_decay'|at most"):
        getattr(ek.optimizers, name)(*args, *([None] * 20), weight_decay=0.1)


def test_deserialize_takes_custom_objects():
    class Halving(ek.optimizers.schedules.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start / 2 ** step

        def get_config(self):
            return {"start": self.start}

    class MySGD(ek.optimizers.SGD):
        pass

    opt = MySGD(learning_rate=Halving(0.4))
    config = ek.optimizers.serialize(opt)
    config["config"]["learning_rate"] = ek.optimizers.schedules.serialize(opt._learning_rate)
    again = ek.optimizers.deserialize(config, custom_objects={"MySGD": MySGD, "Halving": Halving})
    assert type(again) is MySGD and again.learning_rate == pytest.approx(0.4)
    sched = ek.optimizers.schedules.deserialize(config["config"]["learning_rate"],
                                                custom_objects={"Halving": Halving})
    assert sched(2) == pytest.approx(0.1)
