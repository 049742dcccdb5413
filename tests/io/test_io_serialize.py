"""ember.save / ember.load: round trips, key order, corruption and truncation, atomic writes."""
import io
import json
import os
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.io import CorruptFileError


def _same(a, b):
    """Deep equality that also checks types and dtypes (NaN equals NaN)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a._data, b._data)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b)
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


CASES = [
    ember.tensor([[1.5, -2.0], [3.0, 4.25]]),
    ember.tensor([1, 2, 3]),
    ember.tensor([True, False]),
    ember.tensor(2.5, dtype=ember.float64),
    ember.zeros(0, 3),
    np.arange(6, dtype=np.int32).reshape(2, 3),
    np.float32(1.25),
    np.int64(7),
    {"w": ember.randn(4, 3), "b": ember.zeros(4), "n": 3, "name": "fc", "on": True, "none": None},
    OrderedDict([("z.weight", ember.ones(2)), ("a.bias", ember.zeros(1)), ("m.0.w", ember.ones(1))]),
    {"state": {0: {"step": 3, "exp_avg": ember.ones(2)}, 1: {}},
     "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "eps": 1e-8}]},
    [1, 2.0, "three", None, (4, [5.5, ember.ones(1)])],
    {"nan": float("nan"), "inf": float("inf"), "-inf": -float("inf"), "big": 2 ** 100, 1.5: "fk",
     (1, "a"): "tuple key", None: 0, False: 1},
    {"rng": ember.random.get_rng_state()},
    [],
    {},
    "just a string",
    3.0000000000000004,
]


@pytest.mark.parametrize("obj", CASES, ids=range(len(CASES)))
def test_round_trip(obj, tmp_path):
    path = tmp_path / "x.safetensors"
    ember.save(obj, path)
    _same(obj, ember.load(path))


@pytest.mark.parametrize("obj", CASES[:3] + CASES[8:12], ids=range(7))
def test_round_trip_through_file_objects(obj):
    buffer = io.BytesIO()
    ember.save(obj, buffer)
    buffer.seek(0)
    _same(obj, ember.load(buffer))


def test_requires_grad_is_kept(tmp_path):
    x = ember.randn(3, requires_grad=True)
    ember.save({"x": x}, tmp_path / "g.safetensors")
    y = ember.load(tmp_path / "g.safetensors")["x"]
    assert y.requires_grad and y.is_leaf


def test_key_order_of_a_large_state_dict_is_kept(tmp_path):
    keys = [f"layer{i}.{p}" for i in (10, 2, 33, 1, 7, 0) for p in ("weight", "bias")]
    state = OrderedDict((k, ember.full((2,), float(i))) for i, k in enumerate(keys))
    ember.save(state, tmp_path / "s.safetensors")
    loaded = ember.load(tmp_path / "s.safetensors")
    assert isinstance(loaded, OrderedDict) and list(loaded) == keys


def test_file_is_plain_safetensors_with_readable_keys(tmp_path):
    from safetensors.numpy import load_file
    state = {"fc1.weight": ember.randn(3, 2), "opt": {"state": {0: {"m": ember.ones(2)}}}}
    ember.save(state, tmp_path / "m.safetensors")
    raw = load_file(str(tmp_path / "m.safetensors"))
    assert set(raw) == {"fc1.weight", "opt.state.0.m"}
    np.testing.assert_array_equal(raw["fc1.weight"], state["fc1.weight"]._data)


def test_plain_safetensors_from_elsewhere_loads_as_tensors(tmp_path):
    from safetensors.numpy import save_file
    save_file({"a": np.ones((2, 2), np.float32)}, str(tmp_path / "o.safetensors"))
    loaded = ember.load(tmp_path / "o.safetensors")
    assert list(loaded) == ["a"] and loaded["a"].dtype == ember.float32


def test_torch_state_dict_round_trip(tmp_path):
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    net(torch.randn(5, 4)).sum().backward()
    opt.step()
    to_ember = lambda v: ember.tensor(v.detach().numpy()) if isinstance(v, torch.Tensor) else v  # noqa: E731
    state = {"model": OrderedDict((k, to_ember(v)) for k, v in net.state_dict().items()),
             "optimizer": {"state": {k: {n: to_ember(t) for n, t in s.items()}
                                     for k, s in opt.state_dict()["state"].items()},
                           "param_groups": opt.state_dict()["param_groups"]}}
    ember.save(state, tmp_path / "t.safetensors")
    back = ember.load(tmp_path / "t.safetensors")
    assert list(back["model"]) == list(net.state_dict())
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(back["model"][k]._data, v.numpy())
        assert back["model"][k].dtype == ember.float32
    assert back["optimizer"]["param_groups"] == opt.state_dict()["param_groups"]
    assert list(back["optimizer"]["state"]) == [0, 1, 2, 3]


@pytest.mark.parametrize("obj", [object(), {"f": lambda: 1}, [np.array([object()])], {ember.ones(1): 1}])
def test_unsupported_values_raise_type_error(obj, tmp_path):
    with pytest.raises(TypeError, match="cannot store"):
        ember.save(obj, tmp_path / "bad.safetensors")
    assert not any(tmp_path.iterdir())


def _saved(tmp_path):
    path = tmp_path / "c.safetensors"
    ember.save({"w": ember.arange(100, dtype=ember.float32), "epoch": 3}, path)
    return path, path.read_bytes()


@pytest.mark.parametrize("cut", [0, 5, 8, 40, -1, -50])
def test_truncated_file_raises(cut, tmp_path):
    path, raw = _saved(tmp_path)
    path.write_bytes(raw[:cut])
    with pytest.raises(CorruptFileError, match="truncated|damaged"):
        ember.load(path)


@pytest.mark.parametrize("where", [-1, -200, -399])
def test_flipped_tensor_byte_fails_the_checksum(where, tmp_path):
    path, raw = _saved(tmp_path)
    data = bytearray(raw)
    data[where] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="checksum"):
        ember.load(path)


def test_edited_structure_fails_the_checksum(tmp_path):
    path, raw = _saved(tmp_path)
    path.write_bytes(raw.replace(b'\\"epoch\\",3', b'\\"epoch\\",4'))
    assert path.read_bytes() != raw
    with pytest.raises(CorruptFileError, match="checksum"):
        ember.load(path)


def test_damaged_header_raises(tmp_path):
    path, raw = _saved(tmp_path)
    size = int.from_bytes(raw[:8], "little")
    path.write_bytes(raw[:8] + b"\xff" * size + raw[8 + size:])
    with pytest.raises(CorruptFileError, match="header"):
        ember.load(path)


def test_corrupt_file_error_is_a_value_error():
    assert issubclass(CorruptFileError, ValueError)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        ember.load(tmp_path / "nope.safetensors")


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_mid_write_keeps_the_previous_file(failure, tmp_path, monkeypatch):
    path, raw = _saved(tmp_path)

    def failing_fsync(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(type(failure)) as raised:
        ember.save({"w": ember.zeros(100), "epoch": 4}, path)
    monkeypatch.undo()
    assert raised.value is failure  # the injected failure itself, not some other error
    assert path.read_bytes() == raw
    assert [p.name for p in tmp_path.iterdir()] == ["c.safetensors"]
    assert ember.load(path)["epoch"] == 3


def test_failure_in_the_rename_keeps_the_previous_file(tmp_path, monkeypatch):
    path, raw = _saved(tmp_path)

    def failing_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        ember.save({"w": ember.zeros(1)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == raw and len(list(tmp_path.iterdir())) == 1


def test_metadata_is_json_strings(tmp_path):
    from safetensors import safe_open
    path, _ = _saved(tmp_path)
    with safe_open(str(path), framework="np") as handle:
        meta = handle.metadata()
    assert meta["format"] == ember.io.FORMAT and len(meta["checksum"]) == 64
    assert isinstance(json.loads(meta["structure"]), dict)


def test_ember_model_and_optimizer_resume_exactly(tmp_path):
    nn = pytest.importorskip("ember.nn")

    def make():
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
        return model, ember.optim.Adam(model.parameters(), lr=0.01)

    def step(model, opt, x, y):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    x, y = ember.randn(16, 4), ember.randint(0, 3, (16,))
    model, opt = make()
    step(model, opt, x, y)
    ember.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.safetensors")
    step(model, opt, x, y)
    model2, opt2 = make()
    state = ember.load(tmp_path / "ck.safetensors")
    model2.load_state_dict(state["model"])
    opt2.load_state_dict(state["opt"])
    step(model2, opt2, x, y)
    for (k, a), b in zip(model.state_dict().items(), model2.state_dict().values()):
        np.testing.assert_array_equal(a._data, b._data, err_msg=k)


def test_parameters_stay_parameters(tmp_path):
    nn = pytest.importorskip("ember.nn")
    p = nn.Parameter(ember.ones(2))
    ember.save([p], tmp_path / "p.safetensors")
    (q,) = ember.load(tmp_path / "p.safetensors")
    assert isinstance(q, nn.Parameter) and q.requires_grad


def test_same_object_gives_the_same_bytes_in_every_process(tmp_path):
    import subprocess
    import sys
    script = ("import ember, sys; ember.manual_seed(1); "
              "ember.save({'b': ember.randn(3), 'a': {'x': 1.5, 'y': [ember.ones(2, dtype=ember.int64)]}}, sys.argv[1])")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for name in ("one", "two"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, env=env)
    assert (tmp_path / "one").read_bytes() == (tmp_path / "two").read_bytes()


def test_unsupported_dtype_raises(tmp_path):
    with pytest.raises(TypeError, match="complex"):
        ember.save({"z": np.zeros(2, np.complex64)}, tmp_path / "z.safetensors")


def test_saving_a_whole_module_points_to_state_dict(tmp_path):
    nn = pytest.importorskip("ember.nn")
    with pytest.raises(TypeError, match=r"Linear.*state_dict\(\) instead"):
        ember.save(nn.Linear(2, 2), tmp_path / "m.safetensors")
