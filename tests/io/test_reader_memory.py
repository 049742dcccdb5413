"""Memory a reader uses is bounded by a small multiple of the file's size (issue 20, item 2).

Each case writes a crafted file, reads it once to warm caches and imports, then measures the
peak of Python's and NumPy's allocations (``tracemalloc``) while reading it again, whether the
reader accepts the file or refuses it. The bound is ``ratio * size + SLACK``:

* ``TENSORS`` (1.5): files that are mostly tensor data are read once, into the arrays returned;
* ``TEXT`` (32): JSON and CSV become Python objects; an empty list or dict costs Python 56 to
  230 bytes for the 2 to 12 bytes it takes in a file, so about 30 times is what any JSON
  reader needs (``json.loads`` itself takes 22 times on such a file);
* ``HEADER`` (18): a safetensors header that can describe tensors is parsed (short metadata
  strings cost Python about 17 times their text, an entry 14 times with its tensor); one that
  cannot (more entries than its bytes hold, lists or strings or floats inside a shape, deeper
  than 3) is refused before it is parsed: ``REFUSED`` (its bytes once, and a scan);
* files that claim more than they hold (a header announcing terabytes, a config asking for
  ``Dense(30000)`` or a million hidden units) are refused within ``SLACK``.
"""
import json
import tracemalloc

import numpy as np
import pytest

import ember
from ember import keras
from ember.cli.errors import CLIError
from ember.io import load_checkpoint, save_checkpoint
from ember.io.container import serialize
from ember.io.serialize import FORMAT, _checksum

SLACK = 2 << 20
TENSORS, TEXT, HEADER, REFUSED, TINY = 1.5, 32.0, 18.0, 1.0, 0.0
N = 100000


def _structure(path, obj, tensors=None):
    """An ember/1 file holding ``obj`` (or the JSON text ``obj``) as its raw structure, with a
    valid checksum."""
    tensors = tensors or {}
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    path.write_bytes(serialize(tensors, {"format": FORMAT, "structure": text, "checksum": _checksum(text, tensors)}))
    return lambda: ember.load(path)


def _saved(path, obj):
    ember.save(obj, path)
    return lambda: ember.load(path)


def _raw_header(path, header: dict, data=b""):
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)
    return lambda: ember.load(path)


def _header_text(path, text):
    """A safetensors file whose header is ``text`` (compact JSON: the most objects per byte)."""
    data = text.encode()
    path.write_bytes(len(data).to_bytes(8, "little") + data)
    return lambda: ember.load(path)


def _entries(body, count=N):
    return "{" + ",".join(f'"{i:x}":{body}' for i in range(count)) + "}"


def _in_shape(value, count=N):
    return '{"a":{"dtype":"F32","shape":[' + ",".join([value] * count) + '],"data_offsets":[0,0]}}'


def _checkpoint(path, history_length):
    model = ember.nn.Linear(128, 64)
    optimizer = ember.optim.Adam(model.parameters())
    model(ember.ones(2, 128)).sum().backward()
    optimizer.step()
    save_checkpoint(path, model=model, optimizer=optimizer, epoch=3,
                    history={"loss": [0.5] * history_length})
    return lambda: load_checkpoint(path, model=model, optimizer=optimizer)


def _keras_file(path, edit=None, weights_only=False):
    model = keras.Sequential([keras.Input((128,)), keras.layers.Dense(64), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    if weights_only:
        model.save_weights(path)
        return lambda: model.load_weights(path)
    model.save(path)
    if edit is not None:
        state = ember.load(path)
        edit(state)
        ember.save(state, path)
    return lambda: keras.models.load_model(path)


def _dense_units(units):
    def edit(state):
        state["model"]["config"]["layers"][1]["config"]["units"] = units
    return edit


def _csv(path, text):
    from ember.datasets import load_csv
    path.write_text(text)
    return lambda: load_csv(path)


def _cli_config(path, text):
    from ember.cli.config import read_config_file
    path.write_text(text)
    return lambda: read_config_file(str(path))


def _run(path, edit):
    """A trained run folder whose config.json was edited, read as ``ember predict`` reads it:
    the record, then the weights checked against the shapes the record asks for."""
    from ember.cli.main import main
    from ember.cli.rundir import load_model, read_run
    folder = path.parent / "run"
    assert main(["train", "iris", "--epochs", "1", "--quiet", "--no-plots", "--out", str(folder)]) in (0, None)
    record = json.loads((folder / "config.json").read_text())
    edit(record)
    (folder / "config.json").write_text(json.dumps(record))
    path.write_bytes((folder / "config.json").read_bytes() + (folder / "model.safetensors").read_bytes())
    return lambda: load_model(str(folder), read_run(str(folder)))


ROWS = 40000
CASES = {
    # name: (builder(path) -> reader, ratio)
    "load one 1 MiB tensor": (lambda p: _saved(p, {"w": np.ones(1 << 18, np.float32)}), TENSORS),
    "load 20000 small tensors": (lambda p: _saved(p, {f"t{i}": np.ones(4, np.float32) for i in range(20000)}), TEXT),
    "load 200000 floats": (lambda p: _saved(p, [1.5] * 200000), TEXT),
    "load 200000 ints": (lambda p: _saved(p, list(range(200000))), TEXT),
    "load 200000 strings": (lambda p: _saved(p, ["ab"] * 200000), TEXT),
    "load 100000 empty lists": (lambda p: _structure(p, {"L": [{"L": []}] * 100000}), TEXT),
    "load 100000 empty dicts": (lambda p: _structure(p, {"L": [{"D": []}] * 100000}), TEXT),
    "load 100000 references to one tensor": (
        lambda p: _structure(p, {"L": [{"T": "w"}] * 100000}, {"w": np.ones(1000, np.float32)}), TEXT),
    "load nested to the limit": (lambda p: _structure(p, '{"L":[' * 64 + "1" + "]}" * 64), TEXT),
    "load a structure nested too deep": (lambda p: _structure(p, "[" * 5000 + "]" * 5000), TINY),
    "load a header claiming a terabyte": (
        lambda p: _raw_header(p, {"w": {"dtype": "F64", "shape": [1 << 37], "data_offsets": [0, 1 << 40]}}), TINY),
    "load a header of 100000 brackets": (lambda p: _raw_header(p, {}, b"[" * 100000), TINY),
    "load 1 MiB of header whitespace": (lambda p: _raw_header(p, {"__metadata__": {"x": " " * (1 << 20)}}), TEXT),
    "header of 6250 empty tensors": (
        lambda p: _header_text(p, _entries('{"dtype":"F32","shape":[0],"data_offsets":[0,0]}', N // 16)), HEADER),
    "header of 100000 metadata pairs": (
        lambda p: _header_text(p, '{"__metadata__":{' + ",".join(f'"{i:x}":"ab"' for i in range(N)) + "}}"),
        HEADER),
    "header with 100000 zeros in a shape": (lambda p: _header_text(p, _in_shape("0")), HEADER),
    "header of 100000 empty entries (refused)": (lambda p: _header_text(p, _entries("{}")), REFUSED),
    "header of 100000 lists as entries (refused)": (lambda p: _header_text(p, _entries("[]")), REFUSED),
    "header with 100000 lists in a shape (refused)": (lambda p: _header_text(p, _in_shape("[]")), REFUSED),
    "header with 100000 strings in a shape (refused)": (lambda p: _header_text(p, _in_shape('"ab"')), REFUSED),
    "header with 100000 floats in a shape (refused)": (lambda p: _header_text(p, _in_shape("1e5")), REFUSED),
    "checkpoint of a model and Adam": (lambda p: _checkpoint(p, 10), TENSORS),
    "checkpoint with a 100000-epoch history": (lambda p: _checkpoint(p, 100000), TEXT),
    "keras load_model": (lambda p: _keras_file(p), TENSORS),
    "keras load_weights": (lambda p: _keras_file(p, weights_only=True), TENSORS),
    "keras load_model asking for Dense(30000)": (lambda p: _keras_file(p, _dense_units(30000)), TINY),
    "keras load_model asking for Dense(10**9)": (lambda p: _keras_file(p, _dense_units(10**9)), TINY),
    "csv numeric": (lambda p: _csv(p, "a,b,y\n" + "".join(f"{i * 0.001:.3f},{i % 7},{i % 2}\n"
                                                          for i in range(ROWS))), TEXT),
    "csv one-character cells": (lambda p: _csv(p, "a,b,c,y\n" + "1,2,3,0\n0,1,2,1\n" * (ROWS // 2)), TEXT),
    "csv categorical": (lambda p: _csv(p, "a,c,y\n" + "".join(f"{i % 7},{'abc'[i % 3]},{i % 2}\n"
                                                              for i in range(ROWS))), TEXT),
    "csv 5000 columns": (lambda p: _csv(p, ",".join(f"c{i}" for i in range(5000)) + ",y\n"
                                         + ("1," * 5000 + "0\n") * 30 + ("2," * 5000 + "1\n") * 30), TEXT),
    "csv one long text cell": (lambda p: _csv(p, "a,y\n" + "x" * (1 << 20) + ",0\n1,1\n"), TEXT),
    "csv 20000 distinct ids (refused)": (lambda p: _csv(p, "id,x,y\n" + "".join(f"id{i},{i % 5},{i % 2}\n"
                                                                               for i in range(20000))), TEXT),
    "cli config file of 1 MiB": (lambda p: _cli_config(p, '{"seed": 1' + " " * ((1 << 20) - 20) + "}"), TEXT),
    "cli config file over 1 MiB (refused)": (lambda p: _cli_config(p, " " * (4 << 20)), TINY),
    "cli run asking for 30 million hidden units": (
        lambda p: _run(p, lambda r: r["config"].update(hidden=[30000000])), TEXT),
}


def _peak(read) -> int:
    tracemalloc.start()
    try:
        try:
            read()
        except (ValueError, TypeError, CLIError):  # refused files count as well
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", CASES)
def test_a_reader_uses_at_most_a_small_multiple_of_the_file_size(name, tmp_path):
    build, ratio = CASES[name]
    path = tmp_path / ("data.csv" if name.startswith("csv") else "file.json" if name.startswith("cli")
                       else "file.keras" if name.startswith("keras") else "file.safetensors")
    read = build(path)
    size = path.stat().st_size
    _peak(read)  # warm: first-use imports and caches are not the reader's memory
    peak = _peak(read)
    assert peak <= ratio * size + SLACK, f"peak {peak} bytes for a file of {size} ({peak / size:.1f} x)"
