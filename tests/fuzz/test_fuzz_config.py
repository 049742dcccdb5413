"""Fuzzing the readers of the command line's own files: ``--config`` files (JSON and TOML, any
bytes or any values for any option) and a run's ``config.json`` with any value put anywhere.
Only ``CLIError`` may come out; what is accepted has the types training relies on."""
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ember.cli import config, defaults, rundir
from ember.cli.errors import CLIError

from .helpers import temp_file

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
COUNT = {"bytes": 0, "values": 0, "run": 0}
NAMES = st.one_of(st.sampled_from(sorted(config.DEFAULTS)), st.sampled_from(["batch-size", "lr_", "x"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**65, 2**65), st.floats(),
                    st.sampled_from(["auto", "full", "none", "128,64", "relu", "adam", "iris", "1e400",
                                     "false", "no", "0.1", "-1", "nan", ""]),
                    st.text(max_size=8))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)


def _toml_value(value):
    """A TOML rendering where one exists (None and nested tables have none: a bare word)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "null"


def _check_resolved(cfg, saved=False):
    """``saved``: a run's config.json, where the data-dependent defaults are filled in; before
    the data is split (``config.resolve``) they may still be None."""
    assert set(cfg) == set(config.DEFAULTS) - ({"steps"} - set(cfg) if saved else set())
    assert isinstance(cfg["hidden"], list) and all(type(h) is int and h >= 1 for h in cfg["hidden"])
    open_ = () if saved else (None,)
    assert cfg["epochs"] in open_ or (type(cfg["epochs"]) is int and cfg["epochs"] >= 1)
    assert cfg["batch_size"] in open_ or cfg["batch_size"] == "full" \
        or (type(cfg["batch_size"]) is int and cfg["batch_size"] >= 1)
    assert cfg["l2"] in open_ or (isinstance(cfg["l2"], (int, float)) and cfg["l2"] >= 0)
    assert all(type(cfg[k]) is bool for k in ("dropna", "batch_norm", "diagnose", "plots"))
    assert isinstance(cfg["data"], str) and (cfg["target"] is None or isinstance(cfg["target"], str))
    assert cfg["lr"] == "auto" or (isinstance(cfg["lr"], float) and cfg["lr"] > 0)


def _resolve(raw: bytes, suffix: str):
    with temp_file(raw, suffix) as path:
        try:
            cfg = config.resolve({}, path)
        except CLIError:
            return
    _check_resolved(cfg)


@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".json", ".toml"]))
@SETTINGS
def _bytes_case(raw, suffix):
    COUNT["bytes"] += 1
    _resolve(raw, suffix)


@given(options=st.dictionaries(NAMES, VALUES, max_size=5), suffix=st.sampled_from([".json", ".toml"]))
@SETTINGS
def _values_case(options, suffix):
    COUNT["values"] += 1
    if suffix == ".json":
        raw = json.dumps(options).encode()
    else:
        raw = "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in options.items()).encode()
    _resolve(raw, suffix)


def _saved_config() -> dict:
    cfg = config.validate(dict(config.DEFAULTS))
    defaults.resolve(cfg, 105)  # as ember train does once the data is split
    return cfg


RUN = {"config": _saved_config(),
       "preprocessing": {"source": "iris", "mean": [0.0] * 4, "std": [1.0] * 4,
                         "encoding": {"features": ["a", "b", "c", "d"], "categories": {}, "target": "t",
                                      "task": "multiclass", "classes": ["x", "y", "z"],
                                      "feature_names": ["a", "b", "c", "d"]}},
       "info": {"data": "iris", "name": "iris", "task": "classification", "n_rows": 150, "n_train": 105,
                "n_val": 15, "n_test": 30, "n_features": 4, "n_outputs": 3, "data_path": None}}


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


PATHS = [p for p in _paths(RUN) if p]


@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=3))
@SETTINGS
def _run_case(edits):
    COUNT["run"] += 1
    record = json.loads(json.dumps(RUN))
    for path, value in edits:
        target = record
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced a parent
    folder = tempfile.mkdtemp()
    try:
        with open(os.path.join(folder, "config.json"), "w") as handle:
            json.dump(record, handle)
        try:
            run = rundir.read_run(folder)
        except CLIError:
            return
        _check_resolved({**run["config"], "lr": float(run["config"]["lr"])}, saved=True)
        assert len(run["preprocessing"]["mean"]) == run["info"]["n_features"]
    finally:
        os.unlink(os.path.join(folder, "config.json"))
        os.rmdir(folder)


def test_fuzz_config_file_from_any_bytes(fuzz):
    rounds = fuzz(_bytes_case)
    print(f"config bytes: {COUNT['bytes']} files in {rounds} rounds")


def test_fuzz_config_file_with_any_values(fuzz):
    rounds = fuzz(_values_case)
    print(f"config values: {COUNT['values']} files in {rounds} rounds")


def test_fuzz_run_record_with_any_value_anywhere(fuzz):
    rounds = fuzz(_run_case)
    print(f"run config.json: {COUNT['run']} files in {rounds} rounds")
