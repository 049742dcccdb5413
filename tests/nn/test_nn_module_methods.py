"""Module methods beyond registration, against torch 2.13: get_parameter/get_buffer/set_submodule,
extra state in state_dict (and through ember.save), state-dict hooks, to_empty, share_memory,
compile and torch's class flags."""
import numpy as np
import pytest
import torch

import ember

LIBS = pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("call", [
    lambda m: m.get_parameter("0.weight").shape,
    lambda m: m.get_parameter("1.bias").shape,
    lambda m: m.get_parameter("1.running_mean"),
    lambda m: m.get_parameter("0.nope"),
    lambda m: m.get_parameter("2.weight"),
    lambda m: m.get_buffer("1.running_var").shape,
    lambda m: m.get_buffer("0.weight"),
    lambda m: m.get_buffer("1.nope"),
    lambda m: m.set_submodule("", m[0]),
    lambda m: m.set_submodule("0", "x"),
    lambda m: m.set_submodule("0.weight", type(m[0])(1, 1)),
    lambda m: m.set_submodule("0.sub", type(m[0])(1, 1), strict=True),
    lambda m: (m.set_submodule("1", type(m[0])(3, 1)), [n for n, _ in m.named_modules()])[1],
    lambda m: (m.set_submodule("0.sub", type(m[0])(1, 1)), [n for n, _ in m.named_modules()])[1],
])
def test_lookup_matches_torch(call):
    got = []
    for lib in (ember, torch):
        try:
            value = call(_net(lib))
            got.append(("ok", tuple(value) if hasattr(value, "__len__") and not isinstance(value, list)
                        else value))
        except Exception as e:  # noqa: BLE001
            got.append((type(e).__name__, str(e)))
    assert got[0] == got[1]


def _stateful(lib):
    class Counted(lib.nn.Linear):
        def __init__(self):
            super().__init__(2, 1)
            self.count = 0

        def get_extra_state(self):
            return {"count": self.count, "tag": "v1"}

        def set_extra_state(self, state):
            self.count = state["count"]
    return Counted


@LIBS
def test_extra_state_round_trip(lib):
    counted = _stateful(lib)
    net = lib.nn.Sequential(counted(), lib.nn.ReLU(), counted())
    net[0].count, net[2].count = 3, 7
    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "0._extra_state", "2.weight", "2.bias", "2._extra_state"]
    assert sd["2._extra_state"] == {"count": 7, "tag": "v1"}
    fresh = lib.nn.Sequential(counted(), lib.nn.ReLU(), counted())
    assert fresh.load_state_dict(sd) is not None and [fresh[0].count, fresh[2].count] == [3, 7]
    del sd["0._extra_state"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "0._extra_state"'):
        fresh.load_state_dict(sd)
    plain = lib.nn.Sequential(lib.nn.Linear(2, 1), lib.nn.ReLU(), lib.nn.Linear(2, 1))
    keys = plain.load_state_dict(net.state_dict(), strict=False)
    assert list(keys.unexpected_keys) == ["0._extra_state", "2._extra_state"]
    base = lib.nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match="Reached a code path in Module.get_extra_state"):
        base.get_extra_state()


def test_extra_state_through_ember_save(tmp_path):
    counted = _stateful(ember)
    net = ember.nn.Sequential(counted())
    net[0].count = 5
    ember.save(net.state_dict(), tmp_path / "m.safetensors")
    fresh = ember.nn.Sequential(counted())
    fresh.load_state_dict(ember.load(tmp_path / "m.safetensors"))
    assert fresh[0].count == 5
    np.testing.assert_array_equal(fresh[0].weight.detach().numpy(), net[0].weight.detach().numpy())

    class Opaque(ember.nn.Linear):
        def get_extra_state(self):
            return object()
    with pytest.raises(TypeError, match="cannot store an object of type object \\(at '0._extra_state'\\)"):
        ember.save(ember.nn.Sequential(Opaque(1, 1)).state_dict(), tmp_path / "bad.safetensors")


@LIBS
def test_state_dict_hooks_order_and_returns(lib):
    calls = []
    net = lib.nn.Sequential(lib.nn.Linear(1, 1))
    for name, m in net.named_modules():
        m.register_state_dict_pre_hook(lambda mod, prefix, keep, n=name: calls.append(("pre", n, prefix, keep)))
        m.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta, n=name: calls.append(("post", n, prefix, sorted(sd), meta)))
    net.state_dict(keep_vars=True)
    assert calls == [("pre", "", "", True), ("pre", "0", "0.", True),
                     ("post", "0", "0.", ["0.bias", "0.weight"], {"version": 1}),
                     ("post", "", "", ["0.bias", "0.weight"], {"version": 1})]
    net.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.pop("0.bias"))
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        net.state_dict()
    with pytest.warns(FutureWarning, match="Positional args are being deprecated"):
        lib.nn.Linear(1, 1).state_dict(None, "p.")


@LIBS
def test_load_state_dict_post_hooks(lib):
    net = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.Linear(1, 1))
    calls = []
    for name, m in net.named_modules():
        m.register_load_state_dict_post_hook(
            lambda mod, keys, n=name: calls.append((n, list(keys.missing_keys))))
    sd = {k: v.clone() + 1 for k, v in net.state_dict().items()}
    del sd["1.bias"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "1.bias"'):
        net.load_state_dict(sd)
    assert [c[0] for c in calls] == ["0", "1", ""] and calls[-1][1] == ["1.bias"]
    np.testing.assert_allclose(net[0].weight.detach().numpy(), sd["0.weight"].numpy())
    net.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.remove("1.bias"))
    keys = net.load_state_dict(sd)
    assert list(keys.missing_keys) == [] and list(keys.unexpected_keys) == []
    net[1].register_load_state_dict_post_hook(lambda mod, keys: keys)
    with pytest.raises(AssertionError, match="are not expected to return new values"):
        net.load_state_dict(sd, strict=False)


@LIBS
def test_to_empty_share_memory_and_flags(lib):
    m = lib.nn.Linear(3, 2)
    w = m.weight
    assert m.to_empty(device="cpu") is m and m.weight is w
    assert m.weight.shape == (2, 3) and m.weight.dtype == lib.float32 and m.weight.requires_grad
    assert m.to_empty(device="cpu", recurse=False) is m
    with pytest.raises(TypeError):
        m.to_empty("cpu")
    assert m.share_memory() is m
    assert (lib.nn.Module.dump_patches, lib.nn.Module.call_super_init, lib.nn.Module._version) == (False, False, 1)


def test_compile_runs_eagerly():
    """torch's ``Module.compile`` returns None (importing its compiler takes seconds, so only
    ember is called here; the signature is compared in tests/api_coverage)."""
    m = ember.nn.Linear(3, 2)
    x = ember.ones(1, 3)
    before = m(x).detach().numpy()
    assert m.compile(mode="max-autotune", fullgraph=True) is None
    np.testing.assert_allclose(m(x).detach().numpy(), before, rtol=1e-6)


class _Scale:
    @staticmethod
    def make(lib):
        class Scale(lib.nn.Module):
            def forward(self, x, factor=1.0):
                if factor < 0:
                    raise ValueError("negative factor")
                return x * factor
        return Scale()


@LIBS
def test_forward_hooks_with_kwargs_and_always_call(lib):
    m = _Scale.make(lib)
    calls = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {**kwargs, "factor": 3.0}),
                                with_kwargs=True)
    h = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(("kw", kwargs)) or out + 1,
                                with_kwargs=True)
    always = m.register_forward_hook(lambda mod, args, out: calls.append(("always", out)),
                                     always_call=True)
    assert m(lib.ones(2), factor=2.0).tolist() == [4.0, 4.0]
    assert calls == [("kw", {"factor": 3.0}), ("always", calls[1][1])] and calls[1][1].tolist() == [4.0, 4.0]
    h.remove()
    always.remove()
    calls.clear()
    failing = _Scale.make(lib)
    failing.register_forward_hook(lambda mod, args, out: calls.append(("always", out)), always_call=True)
    failing.register_forward_hook(lambda mod, args, out: calls.append(("plain", out)))
    with pytest.raises(ValueError, match="negative factor"):
        failing(lib.ones(1), factor=-1.0)
    assert calls == [("always", None)]
    bad = _Scale.make(lib)
    bad.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple of \\(new_args, new_kwargs\\)"):
        bad(lib.ones(1))


@LIBS
def test_modules_remove_duplicate(lib):
    shared = lib.nn.Linear(1, 1)
    net = lib.nn.Sequential(shared, shared)
    assert len(list(net.modules())) == 2 and len(list(net.modules(remove_duplicate=False))) == 3


GLOBAL_MODULE = {ember: ember.nn.modules.module, torch: torch.nn.modules.module}


class _Holder:
    @staticmethod
    def make(lib):
        class Holder(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(1, 1)
                self.register_buffer("count", lib.zeros(1))
        return Holder


@LIBS
def test_global_registration_hooks(lib):
    g = GLOBAL_MODULE[lib]
    calls = []
    handles = [g.register_module_parameter_registration_hook(lambda m, n, v: calls.append(("param", n))),
               g.register_module_buffer_registration_hook(
                   lambda m, n, v: calls.append(("buffer", n)) or (None if v is None else v + 5)),
               g.register_module_module_registration_hook(lambda m, n, v: calls.append(("module", n)))]
    try:
        holder = _Holder.make(lib)()
        holder.count = lib.ones(1)
        holder.lin = None
        holder.add_module("extra", lib.nn.Identity())
        holder.register_parameter("p", None)
    finally:
        for h in handles:
            h.remove()
    assert calls == [("param", "weight"), ("param", "bias"), ("module", "lin"), ("buffer", "count"),
                     ("buffer", "count"), ("module", "lin"), ("module", "extra")]
    assert holder.count.tolist() == [6.0]
    calls.clear()
    _Holder.make(lib)()
    assert calls == []


class _Saver:
    @staticmethod
    def make(lib):
        class Saver(lib.nn.Linear):
            def _save_to_state_dict(self, destination, prefix, keep_vars):
                super()._save_to_state_dict(destination, prefix, keep_vars)
                destination[prefix + "scale"] = lib.ones(1) * 2
        return Saver


@LIBS
def test_save_to_state_dict_override_and_keys_repr(lib):
    net = lib.nn.Sequential(_Saver.make(lib)(2, 1))
    sd = net.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "0.scale"] and sd["0.scale"].tolist() == [2.0]
    keys = lib.nn.Linear(2, 1).load_state_dict({"weight": lib.ones(1, 2), "bias": lib.ones(1)})
    assert repr(keys) == str(keys) == "<All keys matched successfully>"
    keys = lib.nn.Linear(2, 1).load_state_dict({"weight": lib.ones(1, 2)}, strict=False)
    assert repr(keys) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


class _Renaming:
    @staticmethod
    def make(lib):
        class Renaming(lib.nn.Linear):
            """Loads checkpoints of an older version that named the weight ``w``."""

            def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs):
                if prefix + "w" in state_dict:
                    state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
                if prefix + "bad" in state_dict:
                    error_msgs.append("bad entry")
                super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                              unexpected_keys, error_msgs)
        return Renaming


@LIBS
def test_load_from_state_dict_override(lib):
    net = lib.nn.Sequential(_Renaming.make(lib)(2, 1))
    calls = []
    net[0]._register_load_state_dict_pre_hook(lambda sd, prefix, *rest: calls.append((prefix, sorted(sd))))
    old = {"0.w": lib.full((1, 2), 3.0), "0.bias": lib.zeros(1)}
    assert repr(net.load_state_dict(old)) == "<All keys matched successfully>"
    assert net[0].weight.tolist() == [[3.0, 3.0]] and "0.w" in old
    assert calls == [("0.", ["0.bias", "0.weight"])]
    with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for Sequential:\n\tbad entry"):
        net.load_state_dict({**old, "0.bad": lib.zeros(1)}, strict=False)


@LIBS
def test_private_apply(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
    weight, mean = net[0].weight, net[1].running_mean
    net(lib.ones(3, 2)).sum().backward()
    seen = []
    assert net._apply(lambda t: seen.append(tuple(t.shape)) or t * 0 + 2) is net
    assert net[0].weight is weight and net[1].running_mean is not mean
    assert net[0].weight.tolist() == [[2.0, 2.0], [2.0, 2.0]] and net[1].running_mean.tolist() == [2.0, 2.0]
    assert net[0].weight.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert net[0].weight.requires_grad and net[1].num_batches_tracked.dtype == lib.int64
    assert seen == [(2, 2), (2, 2), (2,), (2,), (2,), (2,), (2,), (2,), (2,), (2,), ()]


@pytest.mark.parametrize("make", [lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
                                  lambda nn: nn.Sequential(nn.Conv2d(1, 3, 3), nn.InstanceNorm2d(3, affine=True))])
def test_to_empty_and_share_memory_reach_every_layer(make):
    m = make(ember.nn)
    shapes = [tuple(t.shape) for t in m.state_dict().values()]
    assert m.to_empty(device="cpu") is m and m.share_memory() is m
    assert [tuple(t.shape) for t in m.state_dict().values()] == shapes
    m.eval()(ember.ones(1, 3, 4, 4) if isinstance(m, ember.nn.InstanceNorm2d) else ember.ones(1, 1, 6, 6))
