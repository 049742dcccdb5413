"""Crafted files against ``ember.load``: every one raises ``CorruptFileError`` naming the problem,
before anything large is allocated; special files are refused at once; BF16/F8 load exactly."""
import json
import os
import threading
import tracemalloc

import numpy as np
import pytest

import ember
from ember.io import CorruptFileError, MAX_NESTING
from ember.io.container import serialize
from ember.io.serialize import FORMAT, _checksum


def _raw_file(header: dict, data: bytes = b"", size=None) -> bytes:
    text = json.dumps(header).encode()
    return (len(text) if size is None else size).to_bytes(8, "little") + text + data


def _ember_file(structure, tensors=None) -> bytes:
    """An ember/1 file whose checksum is recomputed, as an attacker who read the format would."""
    tensors = tensors or {}
    text = structure if isinstance(structure, str) else json.dumps(structure, separators=(",", ":"))
    return serialize(tensors, {"format": FORMAT, "structure": text, "checksum": _checksum(text, tensors)})


F32 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
CASES = {
    # container: sizes and header
    "empty": (b"", "truncated or not a safetensors file"),
    "seven_bytes": (b"\x01" * 7, "truncated"),
    "header_size_zero": (b"\x00" * 16, "not a safetensors file"),
    "header_size_2_pow_63": ((1 << 63).to_bytes(8, "little") + b"{}", "header of 9223372036854775808 bytes"),
    "header_larger_than_file": ((4096).to_bytes(8, "little") + b"{}", "header of 4096 bytes"),
    "header_not_utf8": ((4).to_bytes(8, "little") + b"\xff\xfe{}", "not UTF-8"),
    "header_not_json": ((4).to_bytes(8, "little") + b"{]}]", "not valid JSON"),
    "header_a_list": (_raw_file([]), "not a JSON object"),
    "header_nested_100000": ((100000).to_bytes(8, "little") + b"[" * 100000, "nests 100000 levels"),
    "header_nested_in_string_ok_depth": (_raw_file({"__metadata__": {"a": "[" * 5000}}), None),
    "metadata_not_strings": (_raw_file({"__metadata__": {"a": 1}}), "metadata"),
    "metadata_a_list": (_raw_file({"__metadata__": []}), "metadata"),
    "entry_not_object": (_raw_file({"w": 5}), "tensor 'w'"),
    "entry_missing_dtype": (_raw_file({"w": {"shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8), "lacks the key(s) 'dtype'"),
    "entry_extra_key": (_raw_file({"w": {**F32, "x": 1}}, b"\0" * 8), "unknown key(s) 'x'"),
    "negative_shape": (_raw_file({"w": {**F32, "shape": [-2]}}, b"\0" * 8), "shape[0] must be an integer >= 0"),
    "shape_as_string": (_raw_file({"w": {**F32, "shape": "2"}}, b"\0" * 8), "shape must be a list"),
    "float_shape": (_raw_file({"w": {**F32, "shape": [2.0]}}, b"\0" * 8), "shape[0] must be an integer"),
    "bool_offsets": (_raw_file({"w": {**F32, "data_offsets": [False, 8]}}, b"\0" * 8), "data_offsets[0]"),
    "three_offsets": (_raw_file({"w": {**F32, "data_offsets": [0, 4, 8]}}, b"\0" * 8), "data_offsets must be a list of 2"),
    "huge_shape_small_data": (_raw_file({"w": {**F32, "shape": [1 << 40, 1 << 40]}}, b"\0" * 8), "needs"),
    "offsets_past_the_end": (_raw_file({"w": {**F32, "shape": [1 << 28], "data_offsets": [0, 1 << 30]}}, b"\0" * 8),
                             "header describes"),
    "hole_in_data": (_raw_file({"w": {**F32, "data_offsets": [8, 16]}}, b"\0" * 16), "without holes"),
    "overlapping": (_raw_file({"a": F32, "b": F32}, b"\0" * 8), "without holes"),
    "trailing_bytes": (_raw_file({"w": F32}, b"\0" * 12), "header describes"),
    "missing_data": (_raw_file({"w": F32}, b"\0" * 4), "header describes"),
    "unknown_dtype": (_raw_file({"w": {**F32, "dtype": "Q4"}}, b"\0" * 8), "dtype 'Q4', which ember cannot load"),
    "dtype_not_string": (_raw_file({"w": {**F32, "dtype": 4}}, b"\0" * 8), "dtype must be a string"),
    # ember/1 structure, checksum recomputed
    "structure_nested_100000": (_ember_file("[" * 100000), "nests 100000 levels"),
    "structure_not_json": (_ember_file("{"), "not valid JSON"),
    "structure_unknown_tag": (_ember_file({"X": 1}), "unknown entry 'X'"),
    "structure_two_tags": (_ember_file({"L": [], "D": []}), "unexpected keys"),
    "structure_empty_object": (_ember_file({}), "unexpected entry"),
    "structure_missing_tensor": (_ember_file({"T": "w"}), "refers to a tensor 'w'"),
    "structure_tensor_key_not_string": (_ember_file({"T": ["w"]}), "refers to a tensor"),
    "structure_dict_not_pairs": (_ember_file({"D": [[1, 2, 3]]}), "not a [key, value] pair"),
    "structure_dict_not_list": (_ember_file({"D": 5}), "not a list"),
    "structure_list_key": (_ember_file({"D": [[[1], 2]]}), "unexpected dict key"),
    "structure_bad_float": (_ember_file({"f": "1e5"}), "float entry"),
    "structure_scalar_not_0d": (_ember_file({"S": "s"}, {"s": np.zeros(3, np.float32)}), "has shape (3,)"),
    "structure_tensor_extra_key": (_ember_file({"T": "w", "x": 1}, {"w": np.zeros(2, np.float32)}), "unexpected keys"),
}


@pytest.mark.parametrize("name", [n for n, (_, m) in CASES.items() if m is not None])
def test_crafted_file_raises_a_clear_error(name, tmp_path):
    raw, message = CASES[name]
    path = tmp_path / f"{name}.safetensors"
    path.write_bytes(raw)
    with pytest.raises(CorruptFileError) as raised:
        ember.load(path)
    assert message in str(raised.value) and repr(str(path)) in str(raised.value), str(raised.value)
    with open(path, "rb") as stream:  # the same through a file object
        if name == "trailing_bytes":  # a stream may go on after the file: reading stops at its end
            assert ember.load(stream)["w"].shape == (2,) and stream.read() == b"\0" * 4
            return
        with pytest.raises(CorruptFileError, match="|".join(["truncated", "header", "tensor", "nests",
                                                              "structure", "metadata", "holes", "needs"])):
            ember.load(stream)


def test_a_deep_but_legal_metadata_string_is_not_mistaken_for_nesting(tmp_path):
    path = tmp_path / "f.safetensors"
    path.write_bytes(CASES["header_nested_in_string_ok_depth"][0])
    assert ember.load(path) == {}


@pytest.mark.parametrize("depth", [MAX_NESTING, MAX_NESTING + 1])
def test_nesting_limit_is_the_same_for_save_and_load(depth, tmp_path):
    obj = value = []
    for _ in range(depth):
        value.append([])
        value = value[0]
    path = tmp_path / "deep.safetensors"
    if depth > MAX_NESTING:
        with pytest.raises(ValueError, match=f"nested more than {MAX_NESTING}"):
            ember.save(obj, path)
        # the same structure written by hand is refused by load
        text = '{"L":[]}'
        for _ in range(depth):
            text = '{"L":[' + text + ']}'
        path.write_bytes(_ember_file(text))
        with pytest.raises(CorruptFileError, match=f"more than {MAX_NESTING} levels"):
            ember.load(path)
    else:
        ember.save(obj, path)
        assert ember.load(path) == obj


def test_self_containing_list_is_refused_by_save(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="inside itself"):
        ember.save(loop, tmp_path / "loop.safetensors")
    assert not (tmp_path / "loop.safetensors").exists()


SPECIAL = [("/dev/zero", "character device"), ("/dev/null", "character device")]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("path, kind", SPECIAL)
def test_devices_are_refused(path, kind):
    with pytest.raises(CorruptFileError, match=f"{kind}, not a file"):
        ember.load(path)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(CorruptFileError, match="is a folder"):
        ember.load(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome = []

    def attempt():
        try:
            ember.load(fifo)
        except CorruptFileError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock the reader so the test process can exit, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("ember.load blocked on a FIFO")
    assert outcome and "FIFO" in outcome[0]


def test_dev_zero_as_a_stream_is_refused_at_its_header():
    if not os.path.exists("/dev/zero"):
        pytest.skip("needs /dev/zero")
    with open("/dev/zero", "rb") as stream:
        with pytest.raises(CorruptFileError, match="header of 0 bytes"):
            ember.load(stream)


def test_loading_uses_about_one_file_size_of_memory(tmp_path):
    path = tmp_path / "big.safetensors"
    ember.save({"a": np.ones((2048, 1024), np.float32), "b": np.zeros(1 << 20, np.int64)}, path)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        state = ember.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert state["a"].shape == (2048, 1024)
    assert peak < 1.2 * size, (peak, size)
    with open(path, "rb") as stream:  # a stream of unknown length is read in chunks: at most twice
        tracemalloc.start()
        try:
            ember.load(stream)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 2.2 * size, (peak, size)


def test_a_header_claiming_terabytes_allocates_nothing_large(tmp_path):
    path = tmp_path / "claims.safetensors"
    path.write_bytes(_raw_file({"w": {"dtype": "F64", "shape": [1 << 37], "data_offsets": [0, 1 << 40]}}))
    tracemalloc.start()
    try:
        with pytest.raises(CorruptFileError, match="header describes"):
            ember.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak


# ---------------------------------------------------------------------------------------------
# dtypes NumPy lacks: written by torch through the safetensors package, loaded exactly

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["bfloat16", "float8_e4m3fn", "float8_e5m2"])
def test_bf16_and_f8_tensors_load_as_exact_float32(dtype, tmp_path):
    from safetensors.torch import save_file
    bits = torch.arange(256, dtype=torch.uint8) if "8" in dtype else \
        torch.arange(0, 1 << 16, 7, dtype=torch.int32).to(torch.int16)
    values = bits.view(getattr(torch, dtype))
    path = tmp_path / f"{dtype}.safetensors"
    save_file({"w": values.reshape(-1, 1)}, str(path))
    loaded = ember.load(path)["w"]
    expected = values.to(torch.float32).reshape(-1, 1).numpy()
    assert loaded.dtype == ember.float32 and loaded.shape == expected.shape
    np.testing.assert_array_equal(loaded.numpy(), expected)  # NaN positions match too


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16", "int8",
                                   "uint8", "bool"])
def test_torch_written_files_load_with_the_same_values(dtype, tmp_path):
    from safetensors.torch import save_file
    values = (torch.arange(-6, 6) % 3).to(getattr(torch, dtype)).reshape(3, 4)
    save_file({"x": values, "y": values[:1].clone()}, str(tmp_path / "t.safetensors"))
    state = ember.load(tmp_path / "t.safetensors")
    np.testing.assert_array_equal(state["x"].numpy(), values.numpy())
    assert state["x"].numpy().dtype == values.numpy().dtype and state["y"].shape == (1, 4)
