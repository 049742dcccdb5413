"""Optimizer hooks against torch 2.13: step pre/post hooks (per optimizer and global), state-dict
and load-state-dict hooks: call order, arguments, return-value semantics and errors."""
import numpy as np
import pytest
import torch
import torch.optim.optimizer as torch_optimizer

import ember
import ember.optim.optimizer as ember_optimizer

LIBS = pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
GLOBAL = {ember: ember_optimizer, torch: torch_optimizer}


def _setup(lib, cls="SGD"):
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    opt = getattr(lib.optim, cls)([w], lr=0.5)
    (w * w).sum().backward()
    return w, opt


def _describe(opt, args, kwargs):
    return (args[0] is opt, len(args), sorted(kwargs))


@LIBS
@pytest.mark.parametrize("cls", ["SGD", "Adam", "LBFGS"])
def test_step_hooks_order_and_arguments(lib, cls):
    w, opt = _setup(lib, cls)
    calls = []
    handles = [GLOBAL[lib].register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("gpre",) + _describe(o, a, k))),
               GLOBAL[lib].register_optimizer_step_post_hook(lambda o, a, k: calls.append(("gpost",) + _describe(o, a, k)))]
    try:
        opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre",) + _describe(o, a, k)))
        opt.register_step_post_hook(lambda o, a, k: calls.append(("post",) + _describe(o, a, k)))
        closure = (lambda: (w * w).sum()) if cls == "LBFGS" else None
        if closure is None:
            opt.step()
        else:
            opt.step(closure=closure)
    finally:
        for h in handles:
            h.remove()
    kw = ["closure"] if cls == "LBFGS" else []
    assert calls == [("gpre", True, 1, kw), ("pre", True, 1, kw), ("post", True, 1, kw), ("gpost", True, 1, kw)]
    calls.clear()
    opt.step(closure) if cls == "LBFGS" else opt.step()
    assert [c[0] for c in calls] == ["pre", "post"]


@LIBS
def test_step_pre_hook_replaces_arguments(lib):
    w, opt = _setup(lib)
    seen = []

    def closure():
        seen.append("closure")
        return lib.tensor(3.0)
    opt.register_step_pre_hook(lambda o, a, k: ((o,), {"closure": closure}))
    loss = opt.step()
    assert seen == ["closure"] and float(loss) == 3.0
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    _, bad = _setup(lib)
    bad.register_step_pre_hook(lambda o, a, k: (a,))
    with pytest.raises(RuntimeError, match="must return None or a tuple of \\(new_args, new_kwargs\\)"):
        bad.step()


def test_subclass_step_runs_hooks_once():
    """ember runs the hooks once per outer ``step()``. torch patches ``step`` per class when the
    class's first instance is made, so there a subclass calling ``super().step()`` runs them
    twice or once depending on whether a base-class optimizer was made before (not copied)."""
    class Counting(ember.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)
    w = ember.nn.Parameter(ember.tensor([1.0]))
    opt = Counting([w], lr=0.1)
    (w * 2).sum().backward()
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append(1))
    opt.step()
    assert calls == [1]


@LIBS
def test_state_dict_hooks(lib):
    w, opt = _setup(lib, "Adam")
    opt.step()
    calls = []
    opt.register_state_dict_pre_hook(lambda o: calls.append("pre"))
    opt.register_state_dict_pre_hook(lambda o: calls.append("pre-first"), prepend=True)
    opt.register_state_dict_post_hook(lambda o, sd: calls.append("post") or {**sd, "extra": 1})
    sd = opt.state_dict()
    assert calls == ["pre-first", "pre", "post"] and sd["extra"] == 1
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]

    calls.clear()
    fresh = lib.optim.Adam([w], lr=0.5)

    def pre(o, given):
        calls.append(("pre", "extra" in given))
        given.pop("extra")
        out = dict(given)
        out["param_groups"] = [dict(g, lr=0.25) for g in given["param_groups"]]
        return out
    fresh.register_load_state_dict_pre_hook(pre)
    fresh.register_load_state_dict_post_hook(lambda o: calls.append(("post", o.param_groups[0]["lr"])))
    fresh.load_state_dict(sd)
    assert calls == [("pre", True), ("post", 0.25)]
    assert "extra" in sd  # the pre-hook received a copy
    np.testing.assert_allclose(np.asarray(fresh.state[w]["exp_avg"]), np.asarray(opt.state[w]["exp_avg"]))


@LIBS
def test_hook_handles_remove(lib):
    w, opt = _setup(lib)
    calls = []
    handles = [opt.register_step_pre_hook(lambda o, a, k: calls.append(1)),
               opt.register_state_dict_pre_hook(lambda o: calls.append(2)),
               opt.register_load_state_dict_post_hook(lambda o: calls.append(3))]
    for h in handles:
        h.remove()
    opt.step()
    opt.load_state_dict(opt.state_dict())
    assert calls == []
