"""Fuzzing ``ember.load``: damaged copies of real files (bytes flipped, cut, inserted), random
headers over random data, and random ember/1 structures with a valid checksum (what an attacker
who read the format writes). Only ``CorruptFileError`` may come out; what loads is what the
header says."""
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
from ember.io import CorruptFileError
from ember.io.container import serialize
from ember.io.serialize import FORMAT, _checksum

from .helpers import temp_file

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
COUNT = {"mutated": 0, "header": 0, "structure": 0}

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=20)


def _valid_file() -> bytes:
    import io
    ember.manual_seed(0)
    state = {"model": {"w": ember.randn(3, 4), "b": ember.zeros(4, dtype=ember.int64)},
             "epoch": 3, "history": {"loss": [0.5, float("inf")]}, "name": "run", "flags": (True, None),
             "array": np.arange(6, dtype=np.uint8).reshape(2, 3), "scalar": np.float16(1.5)}
    buffer = io.BytesIO()
    ember.save(state, buffer)
    return buffer.getvalue()


VALID = _valid_file()


def _load(raw: bytes):
    with temp_file(raw, ".safetensors") as path:
        try:
            return ember.load(path)
        except CorruptFileError:
            return None


@given(edits=st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert", "delete"]),
                                st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=4))
@SETTINGS
def _mutated_case(edits):
    COUNT["mutated"] += 1
    raw = bytearray(VALID)
    for kind, at, value in edits:
        at = min(at, max(len(raw) - 1, 0))
        if kind == "flip" and raw:
            raw[at] ^= value or 1
        elif kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = bytes([value])
        elif raw:
            del raw[at]
    _load(bytes(raw))


@given(header=st.one_of(JSON, st.dictionaries(st.text(max_size=5), st.fixed_dictionaries(
           {"dtype": st.sampled_from(["F32", "F64", "I64", "BF16", "F8_E4M3", "U8", "BOOL", "Q4", ""]),
            "shape": st.lists(st.integers(-2, 5), max_size=3),
            "data_offsets": st.lists(st.integers(-1, 40), min_size=0, max_size=3)}), max_size=3)),
       data=st.binary(max_size=64), size_delta=st.sampled_from([0, 0, 0, -1, 1, 2**40]))
@SETTINGS
def _header_case(header, data, size_delta):
    COUNT["header"] += 1
    text = json.dumps(header).encode()
    size = max(len(text) + size_delta, 0)
    loaded = _load(size.to_bytes(8, "little") + text + data)
    if loaded is not None:  # a plain safetensors file: one tensor per header entry
        assert isinstance(loaded, dict) and set(loaded) == set(header) - {"__metadata__"}
        for key, tensor in loaded.items():
            assert list(tensor.shape) == header[key]["shape"]


@given(structure=st.one_of(JSON, JSON.map(lambda v: {"D": [["k", v]]}), JSON.map(lambda v: {"L": [v]}),
                           st.sampled_from([{"T": "w"}, {"A": "w"}, {"S": "s"}, {"f": "nan"}, {"U": [[1]]},
                                            {"D": [[{"U": [1, {"f": "inf"}]}, 1]]}, {"O": [["a", {"T": "w", "rg": 1}]]}])),
       with_tensors=st.booleans())
@SETTINGS
def _structure_case(structure, with_tensors):
    COUNT["structure"] += 1
    tensors = {"w": np.ones((2, 2), np.float32), "s": np.array(3, np.int64)} if with_tensors else {}
    text = json.dumps(structure, separators=(",", ":"))
    _load(serialize(tensors, {"format": FORMAT, "structure": text, "checksum": _checksum(text, tensors)}))


def test_fuzz_load_of_damaged_files(fuzz):
    assert _load(VALID)["epoch"] == 3
    rounds = fuzz(_mutated_case)
    print(f"safetensors mutated: {COUNT['mutated']} files in {rounds} rounds")


def test_fuzz_load_of_random_headers(fuzz):
    rounds = fuzz(_header_case)
    print(f"safetensors header: {COUNT['header']} files in {rounds} rounds")


def test_fuzz_load_of_random_structures_with_valid_checksums(fuzz):
    rounds = fuzz(_structure_case)
    print(f"ember/1 structure: {COUNT['structure']} files in {rounds} rounds")
