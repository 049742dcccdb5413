"""Fuzzing ``keras.models.load_model`` and ``Model.load_weights``: real model files whose JSON
config, weights or optimizer state were edited and re-saved with a valid checksum (what a user
who edits a file, or an attacker who read the format, writes). Only ``ValueError`` (which
``CorruptFileError`` and ``SchemaError`` are) or ``TypeError`` (Keras's error for a config that
does not fit a class) may come out, and loading never allocates more than a bounded amount."""
import tracemalloc

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember import keras

from .helpers import temp_file

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
COUNT = {"config": 0, "arrays": 0}
PEAK_LIMIT = 64 << 20  # far below what a crafted config could make an unchecked loader allocate

VALUE = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.sampled_from([0, -1, 30000, 10**9]),
                  st.floats(), st.text(max_size=6), st.lists(st.integers(-3, 40000), max_size=3),
                  st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def _models():
    ember.manual_seed(0)
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dropout(0.1), keras.layers.Dense(2)])
    dense.compile(optimizer="adam", loss="mse", metrics=["mae"])
    dense.fit(np.ones((8, 4), np.float32), np.ones((8, 2), np.float32), epochs=1, verbose=0)
    conv = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3), keras.layers.MaxPooling2D(),
                             keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    rnn = keras.Sequential([keras.Input((5,), dtype="int32"), keras.layers.Embedding(10, 3),
                            keras.layers.LSTM(4), keras.layers.Dense(1)])
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4)(inputs)
    functional = keras.Model(inputs, keras.layers.Add()([hidden, keras.layers.Dense(4)(hidden)]))
    files = []
    for model in (dense, conv, rnn, functional):
        with temp_file(b"", ".keras") as path:
            model.save(path)
            files.append(ember.load(path))
    return files


STATES = _models()


def _leaves(value, path=()):
    """Every (path, value) inside a JSON-like structure, containers included."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _leaves(item, path + (key,))


def _replace(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


def _load(state) -> None:
    with temp_file(b"", ".keras") as path:
        ember.save(state, path)
        tracemalloc.start()
        try:
            keras.models.load_model(path)
        except (ValueError, TypeError):
            pass
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    assert peak < PEAK_LIMIT, peak


@given(which=st.integers(0, len(STATES) - 1), picks=st.lists(st.tuples(st.integers(0, 10**6), VALUE),
                                                             min_size=1, max_size=3))
@SETTINGS
def _config_case(which, picks):
    COUNT["config"] += 1
    state = STATES[which]
    for at, new in picks:
        places = list(_leaves(state))
        path, _ = places[at % len(places)]
        state = _replace(state, path, new)
    _load(state)


@given(which=st.integers(0, len(STATES) - 1), drop=st.integers(0, 40), shape=st.lists(st.integers(0, 5), max_size=3),
       dtype=st.sampled_from([np.float32, np.int64, np.bool_, np.uint8]), target=st.sampled_from(["weights", "optimizer"]))
@SETTINGS
def _arrays_case(which, drop, shape, dtype, target):
    COUNT["arrays"] += 1
    state = dict(STATES[which])
    arrays = state.get(target)
    if isinstance(arrays, list) and arrays:
        arrays = list(arrays)
        arrays[drop % len(arrays)] = np.zeros(shape, dtype)
    elif isinstance(arrays, dict) and arrays:
        arrays = dict(arrays)
        key = sorted(arrays)[drop % len(arrays)]
        arrays[key] = np.zeros(shape, dtype)
        if drop % 3 == 0:
            del arrays[key]
    state[target] = arrays
    _load(state)


def test_fuzz_load_model_with_edited_configs(fuzz):
    rounds = fuzz(_config_case)
    print(f"keras model config: {COUNT['config']} files in {rounds} rounds")


def test_fuzz_load_model_with_edited_weights_and_optimizer_state(fuzz):
    rounds = fuzz(_arrays_case)
    print(f"keras model arrays: {COUNT['arrays']} files in {rounds} rounds")
