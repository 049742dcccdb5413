"""Adam/AdamW update a parameter group through one flat state buffer: the numbers must be
exactly those of the per-parameter rule (``adam_update``), whatever happens to grads and state."""
import copy

import numpy as np
import pytest

import ember
from ember.optim import adam as adam_module
from ember.optim.adam import adam_update

SHAPES = [(3, 4), (4,), (4, 2), (2,), (1, 1)]
VARIANTS = [
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 1e-3, "betas": (0.8, 0.99), "eps": 1e-6, "maximize": True}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}),
]


def _ids(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in case[1].items())


class Reference:
    """The per-parameter Adam of torch's for-loop kernel, run on NumPy copies."""

    def __init__(self, arrays, name, kwargs):
        self.params = [a.copy() for a in arrays]
        b1, b2 = kwargs.get("betas", (0.9, 0.999))
        self.hyper = {"lr": kwargs.get("lr", 1e-3), "beta1": b1, "beta2": b2, "eps": kwargs.get("eps", 1e-8),
                      "weight_decay": kwargs.get("weight_decay", 1e-2 if name == "AdamW" else 0.0),
                      "amsgrad": kwargs.get("amsgrad", False), "maximize": kwargs.get("maximize", False),
                      "decoupled_weight_decay": name == "AdamW"}
        self.state = [None] * len(arrays)

    def step(self, grads):
        for i, g in enumerate(grads):
            if g is None:
                continue
            if self.state[i] is None:
                z = np.zeros_like(self.params[i])
                self.state[i] = {"step": np.zeros((), np.float32), "m": z.copy(), "v": z.copy(), "mx": z.copy()}
            s = self.state[i]
            s["step"] += 1
            adam_update(self.params[i], g, s["m"], s["v"], s["mx"] if self.hyper["amsgrad"] else None,
                        step=float(s["step"]), **self.hyper)


def _arrays(dtype=np.float32, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def _set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = None if g is None else ember.tensor(g)


def _grads(rng, params, missing=()):
    arrays = [p._data if isinstance(p, ember.Tensor) else p for p in params]
    return [None if i in missing else rng.standard_normal(a.shape).astype(a.dtype) for i, a in enumerate(arrays)]


def _assert_same(params, ref):
    for p, r in zip(params, ref.params):
        assert p._data.dtype == r.dtype
        np.testing.assert_array_equal(p._data, r)


# which parameters have no gradient at each step: all present, one missing now and then,
# a parameter that starts late (its step count lags), a group that shrinks for good
PATTERNS = {
    "all": [()] * 6,
    "sometimes_missing": [(), (1,), (), (0, 3), (), ()],
    "starts_late": [(4,), (4,), (), (), (), ()],
    "shrinks": [(), (), (2,), (2,), (2,), (2,)],
}


@pytest.mark.parametrize("flat_max", [adam_module.FLAT_MAX_SIZE, 6])   # 6: the two largest apart
@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("case", VARIANTS, ids=_ids)
def test_flat_update_equals_per_parameter_update_bit_for_bit(case, pattern, flat_max, monkeypatch):
    monkeypatch.setattr(adam_module, "FLAT_MAX_SIZE", flat_max)
    name, kwargs = case
    arrays = _arrays()
    params = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = getattr(ember.optim, name)(params, **kwargs)
    ref = Reference(arrays, name, kwargs)
    rng = np.random.default_rng(1)
    for missing in PATTERNS[pattern]:
        grads = _grads(rng, params, missing)
        _set_grads(params, grads)
        opt.step()
        ref.step(grads)
        _assert_same(params, ref)
    for i, p in enumerate(params):        # the state is the per-parameter one, in torch's layout
        s, r = opt.state[p], ref.state[i]
        assert list(s) == ["step", "exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if kwargs.get("amsgrad") else [])
        assert s["step"].shape == () and s["step"].dtype == ember.float32
        assert float(s["step"]) == float(r["step"])
        np.testing.assert_array_equal(s["exp_avg"]._data, r["m"])
        np.testing.assert_array_equal(s["exp_avg_sq"]._data, r["v"])


@pytest.mark.parametrize("through", ["same_optimizer", "fresh_optimizer", "json_lists"])
@pytest.mark.parametrize("case", VARIANTS[:2] + VARIANTS[4:5], ids=_ids)
def test_resume_after_load_state_dict_is_bit_identical(case, through):
    name, kwargs = case
    arrays = _arrays()
    rng = np.random.default_rng(2)
    grads = [_grads(rng, arrays) for _ in range(8)]
    whole = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = getattr(ember.optim, name)(whole, **kwargs)
    for g in grads:
        _set_grads(whole, g)
        opt.step()

    parts = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    first = getattr(ember.optim, name)(parts, **kwargs)
    for g in grads[:4]:
        _set_grads(parts, g)
        first.step()
    sd = first.state_dict()
    if through == "json_lists":
        sd = {"state": {str(k): {n: v._data.tolist() for n, v in s.items()} for k, s in sd["state"].items()},
              "param_groups": sd["param_groups"]}
    second = first if through == "same_optimizer" else getattr(ember.optim, name)(parts, **kwargs)
    second.load_state_dict(sd)
    for g in grads[4:]:
        _set_grads(parts, g)
        second.step()
    for a, b in zip(whole, parts):
        np.testing.assert_array_equal(a._data, b._data)
    for a, b in zip(whole, parts):
        for key in opt.state[a]:
            np.testing.assert_array_equal(opt.state[a][key]._data, second.state[b][key]._data)


def test_state_dict_is_a_snapshot_and_state_tensors_follow_the_steps():
    params = [ember.tensor(a, requires_grad=True) for a in _arrays()]
    opt = ember.optim.Adam(params, lr=0.1)
    rng = np.random.default_rng(3)
    _set_grads(params, _grads(rng, params))
    opt.step()
    held = opt.state[params[0]]["exp_avg"]          # a reference kept by the user
    snapshot = opt.state_dict()
    before = held._data.copy()
    _set_grads(params, _grads(rng, params))
    opt.step()
    assert not np.array_equal(held._data, before)                      # the held tensor moved on
    np.testing.assert_array_equal(snapshot["state"][0]["exp_avg"]._data, before)   # the copy did not
    assert snapshot["state"][0]["step"]._data == 1 and opt.state[params[0]]["step"]._data == 2


@pytest.mark.parametrize("edit", ["step_of_one_param", "replace_step", "replace_exp_avg", "zero_exp_avg_in_place"])
def test_state_edited_from_outside_is_respected(edit):
    arrays = _arrays()
    params = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt = ember.optim.Adam(params, lr=0.05)
    ref = Reference(arrays, "Adam", {"lr": 0.05})
    rng = np.random.default_rng(4)
    for k in range(5):
        if k == 2:
            if edit == "step_of_one_param":
                opt.state[params[1]]["step"].fill_(10.0)
                ref.state[1]["step"][...] = 10.0
            elif edit == "replace_step":
                opt.state[params[1]]["step"] = ember.tensor(7.0)
                ref.state[1]["step"][...] = 7.0
            elif edit == "replace_exp_avg":
                opt.state[params[0]]["exp_avg"] = ember.ones(*params[0].shape)
                ref.state[0]["m"] = np.ones(params[0].shape, np.float32)
            else:
                opt.state[params[2]]["exp_avg"].zero_()
                ref.state[2]["m"][...] = 0
        grads = _grads(rng, params)
        _set_grads(params, grads)
        opt.step()
        ref.step(grads)
        _assert_same(params, ref)
    assert [float(opt.state[p]["step"]) for p in params] == [float(r["step"]) for r in ref.state]


def test_groups_added_later_and_mixed_dtypes_each_follow_their_own_rule():
    a32, b64 = _arrays(np.float32), _arrays(np.float64, seed=5, shapes=[(3,), (2, 2)])
    p32 = [ember.tensor(a.copy(), requires_grad=True) for a in a32]
    p64 = [ember.tensor(a.copy(), requires_grad=True) for a in b64]
    mixed = [ember.tensor(np.ones(3, np.float32), requires_grad=True),
             ember.tensor(np.ones(2, np.float64), requires_grad=True)]
    opt = ember.optim.AdamW(p32, lr=0.01)
    refs = [Reference(a32, "AdamW", {"lr": 0.01})]
    rng = np.random.default_rng(6)
    for k in range(6):
        if k == 2:
            opt.add_param_group({"params": p64, "lr": 0.1, "amsgrad": True})
            refs.append(Reference(b64, "AdamW", {"lr": 0.1, "amsgrad": True}))
        if k == 3:
            opt.add_param_group({"params": mixed})
            refs.append(Reference([m._data for m in mixed], "AdamW", {"lr": 0.01}))
        for group, ref in zip(opt.param_groups, refs):
            grads = _grads(rng, group["params"])
            _set_grads(group["params"], grads)
            ref.step(grads)
        opt.step()
        for group, ref in zip(opt.param_groups, refs):
            _assert_same(group["params"], ref)


def test_a_deep_copied_optimizer_updates_its_own_state():
    params = [ember.tensor(a, requires_grad=True) for a in _arrays()]
    opt = ember.optim.Adam(params, lr=0.1)
    rng = np.random.default_rng(7)
    _set_grads(params, _grads(rng, params))
    opt.step()
    twin = copy.deepcopy(opt)
    twin_params = twin.param_groups[0]["params"]
    grads = _grads(rng, params)
    _set_grads(params, grads)
    _set_grads(twin_params, grads)
    opt.step()
    twin.step()
    for p, q in zip(params, twin_params):
        np.testing.assert_array_equal(p._data, q._data)
        np.testing.assert_array_equal(opt.state[p]["exp_avg_sq"]._data, twin.state[q]["exp_avg_sq"]._data)
        assert opt.state[p]["exp_avg"]._data is not twin.state[q]["exp_avg"]._data


def test_views_of_parameters_stay_valid():
    w = ember.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    view = w.data
    array = w._data
    opt = ember.optim.Adam([w], lr=0.5)
    w.grad = ember.ones(2, 3)
    opt.step()
    assert w._data is array
    np.testing.assert_array_equal(view.numpy(), w.detach().numpy())
    assert float(view[0, 0]) == pytest.approx(0.5)


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("case", VARIANTS, ids=_ids)
def test_flat_path_with_missing_grads_matches_torch(case):
    name, kwargs = case
    arrays = _arrays(np.float64)
    ep = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    e_opt, t_opt = getattr(ember.optim, name)(ep, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    rng = np.random.default_rng(8)
    for missing in PATTERNS["sometimes_missing"] + PATTERNS["starts_late"]:
        grads = _grads(rng, ep, missing)
        _set_grads(ep, grads)
        for p, g in zip(tp, grads):
            p.grad = None if g is None else torch.tensor(g)
        e_opt.step()
        t_opt.step()
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=1e-12, atol=1e-14)
    for i, (e, t) in enumerate(zip(ep, tp)):
        assert float(e_opt.state[e]["step"]) == float(t_opt.state[t]["step"])
