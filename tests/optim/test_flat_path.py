"""The base's one fast path: a group's state in flat buffers, the rule run once per group over
chunks (threaded when large). Its numbers must be exactly those of the rule applied to each
parameter on its own, whatever happens to gradients, parameters and state."""
import copy

import numpy as np
import pytest

import ember
from ember.optim import _flat
from ember.optim.adam import adam_update
from ember.optim.sgd import sgd_update
from ._cases import CASES, case_id

SHAPES = [(3, 4), (4,), (), (4, 2), (2,), (1, 1), (5, 3)]

# which parameters have no gradient at each step: all present, one missing now and then,
# a parameter that starts late (its step count lags), a group that shrinks for good
PATTERNS = {
    "all": [()] * 5,
    "sometimes_missing": [(), (1,), (), (0, 3), ()],
    "starts_late": [(4,), (4,), (), (), ()],
    "shrinks": [(), (), (2,), (2,), (2,)],
}


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of 5 elements on 3 threads: most chunks span several parameters."""
    monkeypatch.setattr(_flat, "CHUNK", 5)
    monkeypatch.setattr(_flat, "PARALLEL_MIN", 0)
    monkeypatch.setattr(_flat, "num_threads", lambda: 3)


def _arrays(dtype=np.float32, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.standard_normal(s)).astype(dtype) for s in shapes]


def _params(arrays):
    return [ember.tensor(a.copy(), requires_grad=True) for a in arrays]


def _grads(rng, arrays, missing=()):
    arrays = [a._data if isinstance(a, ember.Tensor) else a for a in arrays]
    return [None if i in missing else np.asarray(rng.standard_normal(np.shape(a))).astype(a.dtype)
            for i, a in enumerate(arrays)]


def _set_grads(params, grads):
    for p, g in zip(params, grads):
        p.grad = None if g is None else ember.tensor(g)


def _step_both(opt, params, ref_opts, ref_params, grads):
    """One step of the optimizer under test and of the per-parameter references; same numbers."""
    _set_grads(params, grads)
    _set_grads(ref_params, grads)
    opt.step()
    for o in ref_opts:
        o.step()
    for p, r in zip(params, ref_params):
        assert p._data.dtype == r._data.dtype and p._data.shape == r._data.shape
        np.testing.assert_array_equal(p._data, r._data)


def _solo(name, kwargs, arrays):
    """The per-parameter reference: one optimizer per parameter (one chunk, no copies)."""
    params = _params(arrays)
    return params, [getattr(ember.optim, name)([p], **kwargs) for p in params]


@pytest.mark.parametrize("pattern", list(PATTERNS))
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_flat_update_equals_per_parameter_update_bit_for_bit(case, pattern, tiny_chunks):
    name, kwargs = case
    arrays = _arrays()
    params = _params(arrays)
    opt = getattr(ember.optim, name)(params, **kwargs)
    ref_params, ref_opts = _solo(name, kwargs, arrays)
    rng = np.random.default_rng(1)
    for missing in PATTERNS[pattern]:
        _step_both(opt, params, ref_opts, ref_params, _grads(rng, arrays, missing))
    for p, r, o in zip(params, ref_params, ref_opts):   # the state is the per-parameter one
        assert list(opt.state[p]) == list(o.state[r])
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(value._data, o.state[r][key]._data)
            assert value._data.dtype == o.state[r][key]._data.dtype


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_equals_the_pure_rule_applied_per_parameter(amsgrad, tiny_chunks):
    arrays = _arrays()
    params = _params(arrays)
    opt = ember.optim.AdamW(params, lr=0.01, weight_decay=0.1, amsgrad=amsgrad)
    ref = [a.copy() for a in arrays]
    state = [[np.zeros_like(a) for _ in range(3)] for a in arrays]
    rng = np.random.default_rng(2)
    for step in range(1, 5):
        grads = _grads(rng, arrays)
        _set_grads(params, grads)
        opt.step()
        for r, g, (m, v, mx) in zip(ref, grads, state):
            adam_update(r, g, m, v, mx if amsgrad else None, step=float(np.float32(step)), lr=0.01, beta1=0.9,
                        beta2=0.999, eps=1e-8, weight_decay=0.1, amsgrad=amsgrad, decoupled_weight_decay=True)
        for p, r in zip(params, ref):
            np.testing.assert_array_equal(p._data, r)


def test_sgd_equals_the_pure_rule_applied_per_parameter(tiny_chunks):
    arrays = _arrays()
    params = _params(arrays)
    opt = ember.optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.2)
    ref = [a.copy() for a in arrays]
    bufs = [np.zeros_like(a) for a in arrays]
    rng = np.random.default_rng(3)
    for step in range(4):
        grads = _grads(rng, arrays)
        _set_grads(params, grads)
        opt.step()
        for r, g, b in zip(ref, grads, bufs):
            sgd_update(r, g, b, lr=0.1, momentum=0.9, dampening=0.2, first=step == 0)
        for p, r in zip(params, ref):
            np.testing.assert_array_equal(p._data, r)


@pytest.mark.parametrize("edit", ["step_of_one_param", "replace_step", "replace_exp_avg",
                                  "zero_exp_avg_in_place", "assign_state_array"])
def test_state_edited_from_outside_is_respected(edit, tiny_chunks):
    arrays = _arrays()
    params = _params(arrays)
    opt = ember.optim.Adam(params, lr=0.05)
    ref_params, ref_opts = _solo("Adam", {"lr": 0.05}, arrays)
    rng = np.random.default_rng(4)
    for k in range(5):
        if k == 2:
            for o, ps in ((opt, params), (ref_opts, ref_params)):
                state = (lambda i: o.state[ps[i]]) if o is opt else (lambda i: o[i].state[ps[i]])
                if edit == "step_of_one_param":
                    state(1)["step"].fill_(10.0)
                elif edit == "replace_step":
                    state(1)["step"] = ember.tensor(7.0)
                elif edit == "replace_exp_avg":
                    state(0)["exp_avg"] = ember.ones(*ps[0].shape)
                elif edit == "zero_exp_avg_in_place":
                    state(3)["exp_avg"].zero_()
                else:
                    state(4)["exp_avg_sq"]._data = np.full(ps[4].shape, 2.0, np.float32)
        _step_both(opt, params, ref_opts, ref_params, _grads(rng, arrays))
    assert [float(opt.state[p]["step"]) for p in params] == [float(o.state[r]["step"])
                                                            for o, r in zip(ref_opts, ref_params)]


def _adam_after_one_step(seed):
    params = _params(_arrays())
    opt = ember.optim.Adam(params, lr=0.1)
    rng = np.random.default_rng(seed)
    _set_grads(params, _grads(rng, params))
    opt.step()
    return params, opt, rng


def test_state_tensors_are_views_and_state_dict_is_a_snapshot():
    params, opt, rng = _adam_after_one_step(5)
    held = opt.state[params[0]]["exp_avg"]          # a reference kept by the user
    snapshot = opt.state_dict()
    before = held._data.copy()
    _set_grads(params, _grads(rng, params))
    opt.step()
    assert not np.array_equal(held._data, before)                      # the held tensor moved on
    np.testing.assert_array_equal(snapshot["state"][0]["exp_avg"]._data, before)   # the copy did not
    assert snapshot["state"][0]["step"]._data == 1 and opt.state[params[0]]["step"]._data == 2
    # all the group's exp_avg tensors share one flat buffer
    bases = {opt.state[p]["exp_avg"]._data.base is not None and id(opt.state[p]["exp_avg"]._data.base)
             for p in params}
    assert len(bases) == 1 and False not in bases


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop"])
def test_groups_added_later_and_mixed_dtypes_each_follow_their_own_rule(name, tiny_chunks):
    kwargs = {"lr": 0.01, "momentum": 0.9} if name != "Adam" else {"lr": 0.01}
    a32, b64 = _arrays(np.float32), _arrays(np.float64, seed=5, shapes=[(3,), (2, 2)])
    mixed = [np.ones(3, np.float32), np.ones(2, np.float64), np.full((2, 2), 2.0, np.float32)]
    p32, p64, pmix = _params(a32), _params(b64), _params(mixed)
    opt = getattr(ember.optim, name)(p32, **kwargs)
    solos = [_solo(name, kwargs, a32)]
    rng = np.random.default_rng(6)
    for k in range(6):
        if k == 2:
            opt.add_param_group({"params": p64, "lr": 0.1})
            solos.append(_solo(name, {**kwargs, "lr": 0.1}, b64))
        if k == 3:
            opt.add_param_group({"params": pmix})
            solos.append(_solo(name, kwargs, mixed))
        for group, (ref_params, ref_opts) in zip(opt.param_groups, solos):
            grads = _grads(rng, [p._data for p in group["params"]])
            _set_grads(group["params"], grads)
            _set_grads(ref_params, grads)
            for o in ref_opts:
                o.step()
        opt.step()
        for group, (ref_params, _) in zip(opt.param_groups, solos):
            for p, r in zip(group["params"], ref_params):
                assert p._data.dtype == r._data.dtype
                np.testing.assert_array_equal(p._data, r._data)


def test_a_deep_copied_optimizer_updates_its_own_state():
    params, opt, rng = _adam_after_one_step(7)
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
        assert not np.shares_memory(opt.state[p]["exp_avg"]._data, twin.state[q]["exp_avg"]._data)


def test_parameters_keep_their_memory_so_aliases_see_every_update():
    w = ember.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    alias, array = w.data, w._data
    opt = ember.optim.Adam([w], lr=0.5)
    for _ in range(2):
        w.grad = ember.ones(2, 3)
        opt.step()
    assert w._data is array
    np.testing.assert_array_equal(alias.numpy(), w.detach().numpy())


@pytest.mark.parametrize("replace", ["data_setter", "new_array_same_shape", "load_state_dict", "new_dtype"])
def test_parameter_data_replaced_between_steps(replace):
    model = ember.nn.Linear(3, 2)
    twin = ember.nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    opts = [ember.optim.Adam(m.parameters(), lr=0.1) for m in (model, twin)]
    x = ember.randn(4, 3)
    for step in range(4):
        if step == 2:
            new_w = np.full((2, 3), 0.5, np.float32)
            for m in (model, twin):
                if replace == "data_setter":
                    m.weight.data = ember.tensor(new_w)
                elif replace == "new_array_same_shape":
                    m.weight._data = new_w.copy()
                elif replace == "load_state_dict":
                    m.load_state_dict({"weight": ember.tensor(new_w), "bias": m.bias.detach()})
                else:
                    m.weight.data = ember.tensor(new_w.astype(np.float64))
            if replace == "new_dtype":
                break
        for m, o in zip((model, twin), opts):
            o.zero_grad()
            m(x).pow(2).sum().backward()
            o.step()
    if replace != "new_dtype":
        np.testing.assert_array_equal(model.weight._data, twin.weight._data)
        assert not np.array_equal(model.weight._data, np.full((2, 3), 0.5, np.float32))
        return
    for m, o in zip((model, twin), opts):  # a parameter that became float64 keeps training
        o.zero_grad()
        m.weight.grad = ember.tensor(np.ones((2, 3)))
        m.bias.grad = ember.ones(2)
        o.step()
        assert m.weight._data.dtype == np.float64
        assert o.state[m.weight]["exp_avg"]._data.dtype == np.float64
        assert o.state[m.weight]["exp_avg"]._data[0, 0] != 0


def test_gradients_kept_between_steps_are_not_modified():
    w = ember.tensor(np.ones(4, np.float32), requires_grad=True)
    grad = np.array([1.0, -2.0, 3.0, 0.5], np.float32)
    w.grad = ember.tensor(grad.copy())
    opt = ember.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5, maximize=True)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(w.grad._data, grad)


def test_large_groups_run_on_threads_and_match_one_thread(monkeypatch):
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in [(300, 700), (700,), (500, 300), (3,)]]
    grads = [rng.standard_normal(a.shape).astype(np.float32) for a in arrays]
    results = []
    monkeypatch.setattr(_flat, "PARALLEL_MIN", 1 << 16)
    for threads in (1, 4):
        monkeypatch.setattr(_flat, "num_threads", lambda: threads)
        params = _params(arrays)
        opt = ember.optim.NAdam(params, lr=0.01)
        for _ in range(3):
            _set_grads(params, grads)
            opt.step()
        results.append([p._data.copy() for p in params])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
